"""The demo-data generator: deterministic, the real data's shape and quirks."""

from __future__ import annotations

import json
from pathlib import Path

import glueless


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    a, b, c = (str(tmp_path / n) for n in "abc")
    assert glueless.generate_stedi(a, customers=200, seed=3) == glueless.generate_stedi(b, customers=200, seed=3)
    glueless.generate_stedi(c, customers=200, seed=4)
    for table in ("customer", "accelerometer", "step_trainer"):
        for f in sorted((tmp_path / "a" / table / "landing").iterdir()):
            assert f.read_bytes() == (tmp_path / "b" / table / "landing" / f.name).read_bytes()
    first = "customer/landing/customer-0001.json"
    assert (tmp_path / "a" / first).read_bytes() != (tmp_path / "c" / first).read_bytes()


def test_generated_data_has_the_real_quirks(tmp_path: Path) -> None:
    made = glueless.generate_stedi(str(tmp_path), customers=2000, seed=11)
    assert made["step_trainer"] == 2000 * 30
    customers = [json.loads(line) for f in (tmp_path / "customer/landing").iterdir() for line in f.open()]
    assert any("shareWithResearchAsOfDate" not in c for c in customers), "absent consent keys"
    assert any(c.get("shareWithResearchAsOfDate", 1) is None for c in customers), "explicit null consent"
    assert any(isinstance(c["phone"], int) for c in customers), "numeric phones"
    assert any(len(c["birthDay"].split("-")[0]) == 3 for c in customers), "3-digit birth years"
    serials = [c["serialNumber"] for c in customers]
    assert len(set(serials)) < len(serials), "a serial number reused across customers"
    accel_files = sorted((tmp_path / "accelerometer/landing").iterdir())
    spellings = {next(k for k in json.loads(f.open().readline()) if k.lower() == "timestamp") for f in accel_files}
    assert spellings == {"timestamp", "timeStamp"}
    readings = [json.loads(line) for f in accel_files for line in f.open()]
    pairs = [(r["user"], r.get("timestamp", r.get("timeStamp"))) for r in readings]
    assert len(set(pairs)) < len(pairs), "repeated (user, timestamp)"
    users_per_time: dict[int, set[str]] = {}
    for user, t in pairs:
        users_per_time.setdefault(t, set()).add(user)
    assert any(len(u) > 1 for u in users_per_time.values()), "timestamps shared across users"
    rows = [tuple(sorted(r.items())) for r in readings]
    assert len(set(rows)) == len(rows), "like the real data, no exact duplicate readings"
