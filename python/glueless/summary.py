"""Plain-text run summaries: what each job read, quarantined, filtered and wrote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _n(value: int) -> str:
    return f"{value:,}"


def format_job(summary: Mapping[str, Any]) -> str:
    """A job's run summary as aligned lines; the counts add up (read = the rest)."""
    main = next((o for o in summary["outputs"] if o["role"] == "output"), None)
    rejected = next((o["table"] for o in summary["outputs"] if o["role"] == "quarantine"), None)
    if rejected:  # a job that reads landing JSON
        note = f"{_n(summary['bytes_read'])} bytes"
        if summary.get("compressed_files"):
            files = summary["compressed_files"]
            note += (
                f" ({_n(summary['stored_bytes_read'])} as stored, {files} compressed file{'s' if files != 1 else ''})"
            )
        rows = [("read", summary["read"], note)]
        rows.append(("quarantined", summary["quarantined"], f"-> {rejected}"))
    else:
        rows = [("read", summary["read"], "")]
    for reason, count in summary["filtered"].items():
        rows.append((f"filtered: {reason}", count, ""))
    target = f"-> {main['table']} ({main['location']})" if main else ""
    if summary.get("matched") is not None:
        # A join: the input rows that found a partner, then the rows they produced.
        rows.append(("matched", summary["matched"], ""))
        rows.append(("written (joined rows)", summary["written"], target))
    else:
        rows.append(("written", summary["written"], target))
    width = max(len(label) for label, _, _ in rows)
    digits = max(len(_n(count)) for _, count, _ in rows)
    lines = [
        f"{summary['job']}: {summary['seconds']:.3f} s" + ("" if summary["balanced"] else "  COUNTS DO NOT ADD UP")
    ]
    lines += [f"  {label:<{width}}  {_n(count):>{digits}}  {note}".rstrip() for label, count, note in rows]
    if summary.get("empty_files"):
        lines.append(f"  note: {summary['empty_files']} empty landing file(s)")
    if summary.get("incremental"):
        table_rows = main["table_rows"] if main else 0
        lines.append(
            f"  incremental: {summary['files_skipped']} landing file(s) taken by earlier runs skipped; "
            f"the table now holds {_n(table_rows)} rows"
        )
    if summary.get("schema_change"):
        lines.append(f"  schema v{summary['schema_version']}: {summary['schema_change']}")
    return "\n".join(lines)


def format_pipeline(run: Mapping[str, Any]) -> str:
    """The pipeline's run summary: one line per job, then the row count of every zone."""
    header = ("job", "seconds", "read", "quarantined", "filtered", "written")
    rows = [
        (
            j["job"],
            f"{j['seconds']:.3f}",
            _n(j["read"]),
            _n(j["quarantined"]),
            _n(sum(j["filtered"].values())),
            _n(j["written"]),
        )
        for j in run["jobs"]
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        return "  ".join([first, *(f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:]))])

    mode = "strict" if run["strict"] else "default"
    out = [f"STEDI pipeline ({mode} rules) on {run['lake']}: {run['seconds']:.3f} s", "", line(header)]
    out += [line(r) for r in rows]
    zone_width = max(len(z) for z in run["zones"])
    count_width = max(len(_n(c)) for c in run["zones"].values())
    out += ["", f"{'zone':<{zone_width}}  {'rows':>{count_width}}"]
    out += [f"{zone:<{zone_width}}  {_n(count):>{count_width}}" for zone, count in run["zones"].items()]
    if not run["balanced"]:
        out.append("WARNING: the counts of some job do not add up")
    return "\n".join(out)
