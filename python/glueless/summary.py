"""Plain-text run summaries: what each job read, quarantined, filtered and wrote."""

from __future__ import annotations

from typing import Any, Mapping


def _n(value: int) -> str:
    return f"{value:,}"


def format_job(summary: Mapping[str, Any]) -> str:
    """A job's run summary as aligned lines; the counts add up (read = the rest)."""
    rows = [("read", summary["read"], f"{_n(summary['bytes_read'])} bytes")]
    outputs = {o["table"]: o for o in summary["outputs"]}
    rejected = next((t for t in outputs if t.endswith("/rejected")), None)
    rows.append(("quarantined", summary["quarantined"], f"-> {rejected}" if rejected else ""))
    for reason, count in summary["filtered"].items():
        rows.append((f"filtered: {reason}", count, ""))
    main = next((o for t, o in outputs.items() if not t.endswith("/rejected")), None)
    rows.append(("written", summary["written"], f"-> {main['table']} ({main['location']})" if main else ""))
    width = max(len(label) for label, _, _ in rows)
    digits = max(len(_n(count)) for _, count, _ in rows)
    lines = [f"{summary['job']}: {summary['seconds']:.3f} s" + ("" if summary["balanced"] else "  COUNTS DO NOT ADD UP")]
    lines += [f"  {label:<{width}}  {_n(count):>{digits}}  {note}".rstrip() for label, count, note in rows]
    if summary.get("empty_files"):
        lines.append(f"  note: {summary['empty_files']} empty landing file(s)")
    return "\n".join(lines)
