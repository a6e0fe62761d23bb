#!/usr/bin/env bash
# Build the wheel to ship to a Spark or Glue cluster: abi3 (one wheel for CPython >= 3.9),
# manylinux2014 (glibc >= 2.17: Glue 4.0 on Amazon Linux 2, and everything newer), stripped.
# zig links against the old glibc, so no manylinux container is needed.
#
#   scripts/build_cluster_wheel.sh [OUT_DIR]      (default: dist/)
set -euo pipefail
out="${1:-dist}"
python -m pip install --quiet "maturin>=1.5,<2" ziglang
python -m maturin build --release --strip --zig --compatibility manylinux2014 --out "$out"
ls -l "$out"/glueless-*manylinux2014*.whl
