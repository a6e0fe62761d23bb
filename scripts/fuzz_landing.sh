#!/usr/bin/env bash
# Fuzz the landing decoder with libFuzzer (cargo fuzz) for a fixed budget; not part of CI.
#
#   scripts/fuzz_landing.sh [SECONDS]      (default 300)
#
# The seed corpus is written by the project's own generator (real-shaped lines, quirks included)
# plus hand-picked edge cases. cargo fuzz needs nightly-only flags; the stable toolchain accepts
# them with RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/landing/; copy each into
# tests/fuzz_regressions/ (the Rust test `fuzz_regressions_decode` replays them).
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${1:-300}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
CORPUS=fuzz/corpus/landing
mkdir -p "$CORPUS"
python3 - "$CORPUS" <<'PY'
import sys, tempfile, pathlib
import glueless
corpus = pathlib.Path(sys.argv[1])
with tempfile.TemporaryDirectory() as tmp:
    glueless.generate_stedi(tmp, customers=40, seed=3)
    n = 0
    for f in sorted(pathlib.Path(tmp).rglob("*.json")):
        lines = f.read_bytes().splitlines(keepends=True)
        for start in range(0, min(len(lines), 200), 20):
            (corpus / f"gen-{n:04d}").write_bytes(b"".join(lines[start:start + 20]))
            n += 1
for i, seed in enumerate([b"\xef\xbb\xbf{\"email\":\"a@b\"}\r\n", b"[{\"user\":\"a\"},\n{\"user\":\"b\"}]",
                          b"{\"timeStamp\":1.0e3},\n", b"{\"phone\":8015551212}", b"{\"serialNumber\":null}\n\n",
                          b"{\"a\":{\"b\":[1,2,{\"c\":\"\\u00e9\"}]}}", b"\xff\xfe{\"email\":1}"]):
    (corpus / f"edge-{i}").write_bytes(seed)
PY
RUSTC_BOOTSTRAP=1 cargo fuzz run landing "$CORPUS" -- \
    -max_total_time="$BUDGET" -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
    2>&1 | tee fuzz/last-run.log | grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb|==.*ERROR|SUMMARY)' || true
