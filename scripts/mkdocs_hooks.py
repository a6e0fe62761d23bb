"""MkDocs hook (mkdocs.yml `hooks:`): table cells keep GitHub's `\\|` for a pipe inside code.

On GitHub a `|` inside a table cell must be written `\\|`, even inside backticks (`"json" \\| "csv"`),
or it splits the cell. Python-Markdown does not split on a pipe inside backticks, but shows the
backslash there. So on the site's copy of a page, inside the code spans of table rows, `\\|` becomes `|`.
"""

from __future__ import annotations

import re
from typing import Any

CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _unescape_pipes(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).replace("\\|", "|") + match.group(1)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("|") and "\\|" in line:
            lines[i] = CODE_SPAN.sub(_unescape_pipes, line)
    return "\n".join(lines)
