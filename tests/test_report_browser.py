"""The HTML run report in a real browser: ``glueless stedi run --report`` writes the page as users
get it, headless Chromium opens it at a narrow window width, and what the browser laid out is
measured: the page does not scroll sideways and every column of the jobs table, the last
("balanced") included, lies inside the window.

Chromium measures a copy of the page with a short script appended (the report itself has no
scripts): the script writes its measurements into the DOM and ``--dump-dom`` prints them. Skipped
where no Chromium is installed (Debian: ``apt-get install chromium``; .ci/run installs it)."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((found for found in map(shutil.which, BROWSERS) if found), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason=f"no Chromium to open the report in (none of {', '.join(BROWSERS)} on PATH; "
    "Debian: apt-get install --no-install-recommends chromium)",
)

HEADERS = ["job", "seconds", "read", "quarantined", "filtered", "written", "balanced"]
WINDOW_HEIGHT = 1400

#: Appended to a copy of the report: the window's and the page's widths, the right edge of every
#: header cell, the rightmost edge of any table cell, chart or text block, and whether the table's
#: container (a scroll box, or the body) hides part of the table.
MEASURE = """<script>
(function () {
  var root = document.documentElement, table = document.querySelector("table"), box = table.parentElement;
  var right = 0;
  document.querySelectorAll("th, td, svg, h1, h2, p").forEach(function (e) {
    right = Math.max(right, e.getBoundingClientRect().right);
  });
  var out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    innerWidth: window.innerWidth,
    clientWidth: root.clientWidth,
    scrollWidth: root.scrollWidth,
    headers: Array.prototype.map.call(table.querySelectorAll("th"), function (th) {
      return [th.textContent, th.getBoundingClientRect().right];
    }),
    rows: table.querySelectorAll("tr").length - 1,
    rightmost: right,
    boxScrollWidth: box.scrollWidth,
    boxClientWidth: box.clientWidth
  });
  document.body.appendChild(out);
})();
</script>"""


def chromium(tmp: Path, width: int, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium at ``width`` px wide, with a profile of its own under ``tmp``."""
    assert CHROMIUM is not None
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        f"--window-size={width},{WINDOW_HEIGHT}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (the IHDR chunk comes first)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.fixture()
def report(demo_lake: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The report page of a run on the demo lake, as the CLI writes it, and the run's summary."""
    page, summary = tmp_path / "run.html", tmp_path / "run.json"
    done = run_cli("stedi", "run", "--lake", str(demo_lake), "--report", str(page), "--summary-json", str(summary))
    assert done.returncode == 0, done.stderr
    return page, json.loads(summary.read_text())


def measure(page: Path, width: int, tmp_path: Path) -> dict[str, Any]:
    source = page.read_text(encoding="utf-8")
    assert source.count("</body>") == 1
    probe = tmp_path / "measured.html"
    probe.write_text(source.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    done = chromium(tmp_path, width, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"Chromium printed no measurements (exit code {done.returncode}):\n{done.stderr[-2000:]}"
    measured: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return measured


@pytest.mark.parametrize("width", [900, 600])
def test_report_fits_a_narrow_window(report: tuple[Path, dict[str, Any]], width: int, tmp_path: Path) -> None:
    page, run = report
    m = measure(page, width, tmp_path)
    assert m["innerWidth"] == width, f"Chromium's window is not {width} px wide: {m}"
    assert [text for text, _ in m["headers"]] == HEADERS
    assert m["rows"] == len(run["jobs"]) > 0
    # The page does not scroll sideways ...
    assert m["scrollWidth"] <= m["clientWidth"] <= width, m
    # ... the last column ends inside the window, and so does every cell, the chart and the text ...
    last, last_right = m["headers"][-1]
    assert last == "balanced" and last_right <= m["clientWidth"], m
    assert m["rightmost"] <= m["clientWidth"], m
    # ... and no column is hidden in the table's own scroll box (the last resort for narrower windows).
    assert m["boxScrollWidth"] <= m["boxClientWidth"], m

    shot = tmp_path / f"report-{width}.png"
    done = chromium(tmp_path, width, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), f"no screenshot (exit code {done.returncode}):\n{done.stderr[-2000:]}"
    assert png_size(shot.read_bytes()) == (width, WINDOW_HEIGHT)
