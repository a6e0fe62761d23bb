"""Property tests (hypothesis) over random, partly corrupted lakes: nothing without consent reaches
trusted or curated zones, no personal data reaches machine_learning_curated, and every record is
accounted for."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glueless
from conftest import RELIABILITY

EMAILS = [f"user{i}@test.com" for i in range(8)]
SERIALS = [f"serial-{i}" for i in range(6)]
TIMES = list(range(1000, 1012))
CONSENT = st.one_of(
    st.just("absent"), st.none(), st.just(0), st.sampled_from(TIMES), st.sampled_from([float(t) for t in TIMES])
)
CORRUPT = st.sampled_from(["broken", "utf8", "array", "type", "nested", "huge"])
#: Records longer than this are quarantined unparsed (the tests' stand-in for a huge line).
MAX_RECORD_BYTES = 2048
#: A record of each kind of corruption, per table (a wrong type must hit one of the table's fields).
BAD_LINES = {
    "broken": {t: b'{"email": "a@b", ' for t in ("customer", "accelerometer", "step_trainer")},
    "utf8": {t: b'{"email": "\xff\xfe"}' for t in ("customer", "accelerometer", "step_trainer")},
    "array": {t: b"[1, 2]" for t in ("customer", "accelerometer", "step_trainer")},
    "type": {
        "customer": b'{"email": "a@b", "registrationDate": "soon"}',
        "accelerometer": b'{"user": "a@b", "timestamp": "soon"}',
        "step_trainer": b'{"sensorReadingTime": 1.5}',
    },
    "nested": {
        "customer": b'{"email": {"a": 1}}',
        "accelerometer": b'{"user": [1]}',
        "step_trainer": b'{"serialNumber": {}}',
    },
    # Valid records, but longer than the record limit.
    "huge": {
        "customer": b'{"email": "user0@test.com", "shareWithResearchAsOfDate": 1000, "pad": "' + b"x" * 4096 + b'"}',
        "accelerometer": b'{"user": "user0@test.com", "timestamp": 1000, "pad": "' + b"x" * 4096 + b'"}',
        "step_trainer": b'{"sensorReadingTime": 1000, "serialNumber": "serial-0", "pad": "' + b"x" * 4096 + b'"}',
    },
}

customers = st.lists(
    st.fixed_dictionaries(
        {
            "email": st.sampled_from(EMAILS),
            "serialNumber": st.sampled_from(SERIALS),
            "consent": CONSENT,
            "name": st.sampled_from(["Ann Lee", "Bo Diaz"]),
            "phone": st.one_of(st.just("8015551212"), st.just(8015551213)),
        }
    ),
    max_size=10,
)
readings = st.lists(st.tuples(st.sampled_from(EMAILS + [None]), st.sampled_from(TIMES), st.sampled_from([-1.0, 0.0, 1.0])), max_size=40)
steps = st.lists(st.tuples(st.sampled_from(TIMES), st.sampled_from(SERIALS), st.integers(200, 300)), max_size=30)


def write_lake(root: Path, custs, accel, step, corrupt: list[str], key_spelling: str) -> None:
    lines: dict[str, list[bytes]] = {"customer": [], "accelerometer": [], "step_trainer": []}
    for c in custs:
        record = {"customerName": c["name"], "email": c["email"], "phone": c["phone"], "birthDay": "1980-01-01",
                  "serialNumber": c["serialNumber"], "registrationDate": 900}
        if c["consent"] != "absent":
            record["shareWithResearchAsOfDate"] = c["consent"]
        lines["customer"].append(json.dumps(record).encode())
    for user, t, v in accel:
        lines["accelerometer"].append(json.dumps({"user": user, key_spelling: t, "x": v, "y": -v, "z": 0.0}).encode())
    for t, serial, d in step:
        lines["step_trainer"].append(json.dumps({"sensorReadingTime": t, "serialNumber": serial, "distanceFromObject": d}).encode())
    for i, kind in enumerate(corrupt):
        table = list(lines)[i % 3]
        lines[table].append(BAD_LINES[kind][table])
    for table, content in lines.items():
        (root / table / "landing").mkdir(parents=True)
        (root / table / "landing" / "part.json").write_bytes(b"\n".join(content))


def consent_times(custs) -> dict[str, int]:
    """Latest present, non-zero consent per email (what strict mode keeps readings from)."""
    out: dict[str, int] = {}
    for c in custs:
        if c["consent"] not in ("absent", None, 0):
            out[c["email"]] = max(out.get(c["email"], 0), int(c["consent"]))
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(custs=customers, accel=readings, step=steps, corrupt=st.lists(CORRUPT, max_size=4),
       strict=st.booleans(), spelling=st.sampled_from(["timestamp", "timeStamp"]))
def test_no_consent_no_pii_nothing_lost(custs, accel, step, corrupt, strict, spelling) -> None:
    root = Path(tempfile.mkdtemp(prefix="glueless-prop-"))
    try:
        write_lake(root, custs, accel, step, corrupt, spelling)
        run = glueless.run_stedi(str(root), strict=strict, max_record_bytes=MAX_RECORD_BYTES)
        consented = consent_times(custs)

        # Nothing lost: every job's counts add up, and every landing line is somewhere.
        assert run["balanced"]
        jobs = {j["job"]: j for j in run["jobs"]}
        assert jobs["customer_landing_to_trusted"]["read"] == len(custs) + len(corrupt[0::3])
        assert sum(j["quarantined"] for j in run["jobs"]) == len(corrupt)

        # Nothing without consent in trusted or curated zones.
        for zone in ("customer/trusted", "customer/curated"):
            assert set(pq.read_table(root / zone).column("email").to_pylist()) <= set(consented)
        trusted = pq.read_table(root / "accelerometer/trusted").to_pylist()
        assert {r["user"] for r in trusted} <= set(consented)
        if strict:
            assert all(r["timestamp"] >= consented[r["user"]] for r in trusted)
        curated_serials = set(pq.read_table(root / "customer/curated").column("serialNumber").to_pylist())
        assert set(pq.read_table(root / "step_trainer/trusted").column("serialNumber").to_pylist()) <= curated_serials

        # No personal data in machine_learning_curated, by column or by value.
        ml = pq.read_table(root / "step_trainer/curated")
        assert ml.column_names == ["sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"]
        personal = set(EMAILS) | {"Ann Lee", "Bo Diaz", "8015551212", "8015551213", "1980-01-01"}
        assert not {v for row in ml.to_pylist() for v in row.values()} & personal

        # The quarantine lives only beside landing.
        for table in ("customer", "accelerometer", "step_trainer"):
            zones = {p.name for p in (root / table).iterdir()}
            assert zones <= {"landing", "rejected", "trusted", "curated"}
        assert not list((root / "step_trainer/curated").glob("*rejected*"))
        RELIABILITY["random corrupted lakes checked for conservation and privacy (hypothesis)"] += 1
        RELIABILITY["corrupt landing records quarantined and counted"] += len(corrupt)
    finally:
        shutil.rmtree(root)
