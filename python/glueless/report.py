"""A self-contained HTML page of a pipeline run: the zone counts as a funnel chart (inline SVG,
no scripts, no network), the per-job counts and the conservation check."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

_COLORS = {"landing": "#9aa5b1", "trusted": "#3e7cb1", "curated": "#2f9e44"}

# The page fits narrow windows without scrolling sideways: the chart scales down (its viewBox); the
# jobs table takes the page's width and wraps words (job names at their underscores, the filtered
# reasons at spaces) while numbers stay whole, right-aligned, with digits of equal width; margins,
# padding and the table's type get smaller below 840 and 680 px. Every column shows down to about
# 590 px; narrower than that, the table scrolls in its own box and the rest of the page still fits.
# tests/test_report_browser.py measures it in Chromium.
_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#212529}
code{overflow-wrap:anywhere}
svg{display:block;max-width:100%;height:auto}
.jobs{overflow-x:auto}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #dee2e6;padding:4px 8px;text-align:right}
td{font-variant-numeric:tabular-nums;white-space:nowrap}
td:first-child,td:nth-child(5){white-space:normal;overflow-wrap:break-word}
td:first-child,th:first-child,td:nth-child(5),th:nth-child(5){text-align:left}
@media (max-width:840px){body{margin:1em .75em}table{font-size:.875em}td,th{padding:3px 5px}}
@media (max-width:680px){body{margin:1em .5em}table{font-size:.8125em}td,th{padding:2px 4px}}"""


def _funnel_svg(zones: Mapping[str, int]) -> str:
    width, bar_height, gap, label_width = 760, 34, 10, 190
    largest = max(zones.values(), default=0) or 1
    height = len(zones) * (bar_height + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-label="rows per zone">'
    ]
    for i, (zone, count) in enumerate(zones.items()):
        y = gap + i * (bar_height + gap)
        bar = max(2.0, (width - label_width - 110) * count / largest)
        x = label_width + (width - label_width - 110 - bar) / 2
        color = _COLORS.get(zone.split("/")[-1], "#868e96")
        parts.append(
            f'<text x="0" y="{y + bar_height * 0.65:.1f}" font-size="14">{html.escape(zone)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{bar_height}" rx="3" fill="{color}"/>'
            f'<text x="{width - 100}" y="{y + bar_height * 0.65:.1f}" font-size="14">{count:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _breakable(name: str) -> str:
    """A job name escaped, with a line-break opportunity after each underscore (``<wbr>``: nothing
    is shown or copied), so a long snake_case name wraps at its words in a narrow window."""
    return html.escape(name).replace("_", "_<wbr>")


def render_html(run: Mapping[str, Any]) -> str:
    """The run summary of :func:`glueless.run_stedi` as a standalone HTML page."""
    mode = "strict" if run["strict"] else "default"
    job_rows = "".join(
        "<tr>"
        f"<td>{_breakable(j['job'])}</td><td>{j['seconds']:.3f}</td><td>{j['read']:,}</td>"
        f"<td>{j['quarantined']:,}</td>"
        f"<td>{html.escape(', '.join(f'{k}: {v:,}' for k, v in j['filtered'].items() if v) or '—')}</td>"
        f"<td>{j['written']:,}</td><td>{'yes' if j['balanced'] else 'NO'}</td>"
        "</tr>"
        for j in run["jobs"]
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>glueless STEDI run</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>{_STYLE}</style>
</head><body>
<h1>STEDI lakehouse: rows per zone</h1>
<p>Lake <code>{html.escape(str(run["lake"]))}</code>, {mode} rules, {run["seconds"]:.3f} s in all.
Counts add up in every job: <b>{"yes" if run["balanced"] else "NO"}</b>.</p>
{_funnel_svg(run["zones"])}
<h2>Jobs</h2>
<div class="jobs"><table>
<thead><tr><th>job</th><th>seconds</th><th>read</th><th>quarantined</th><th>filtered</th><th>written</th><th>balanced</th></tr></thead>
<tbody>{job_rows}</tbody></table></div>
</body></html>
"""
