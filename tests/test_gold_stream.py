"""The gold stream without Spark: the driver, exactly-once output across kills at every step of
many batches, and bad input (a file off the silver schema, a corrupt file, a checkpoint of
another query or a corrupt one, an unwritable gold folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import glueless
from conftest import RELIABILITY, needs_failpoints, run_script
from glueless import stream

SCRIPT = "build_gold_layer.py"
KILL_POINTS = ["stream.planned", "stream.before_output", "stream.after_output", "stream.before_commit",
               "stream.after_commit"]


def gold_rows(gold: Path) -> list[tuple]:
    files = sorted(gold.glob("batch-*.parquet"))
    if not files:
        return []
    table = pa.concat_tables([pq.read_table(f) for f in files])
    return sorted(tuple(r.values()) for r in table.to_pylist())


def args(silver: Path, gold: Path, checkpoint: Path, *extra: str) -> list[str]:
    return ["--silver", str(silver), "--gold", str(gold), "--checkpoint", str(checkpoint),
            "--max-files-per-trigger", "1", *extra]


@pytest.fixture()
def silver(tmp_path: Path) -> Path:
    folder = tmp_path / "silver"
    stream.generate_silver(str(folder), files=8, rows_per_file=300, seed=3)
    return folder


def test_driver_default_query_and_a_rerun_with_nothing_new(silver: Path, tmp_path: Path) -> None:
    gold, cp = tmp_path / "gold", tmp_path / "cp"
    done = run_script(SCRIPT, *args(silver, gold, cp))
    assert done.returncode == 0, done.stderr
    assert "batch    0: 1 file" in done.stdout and "9 batches" in done.stdout
    table = pq.read_table(sorted(gold.glob("batch-*.parquet"))[0])
    assert table.column_names == ["window_start", "window_end", "product_category", "star_rating", "reviews",
                                  "avg_star_rating", "helpful_votes"]
    again = run_script(SCRIPT, *args(silver, gold, cp))
    assert again.returncode == 0 and "0 batches" in again.stdout, again.stdout


def test_custom_query_from_the_command_line(silver: Path, tmp_path: Path) -> None:
    done = run_script(SCRIPT, *args(silver, tmp_path / "gold", tmp_path / "cp"), "--window", "10 seconds",
                      "--slide", "5 seconds", "--group-by", "star_rating,product_category",
                      "--agg", "reviews=count(*)", "--agg", "helpful_votes=sum(helpful_votes)",
                      "--agg", "avg_total_votes=avg(total_votes)", "--trigger", "available-now")
    assert done.returncode == 0, done.stderr
    table = pq.read_table(sorted((tmp_path / "gold").glob("batch-*.parquet"))[0])
    assert table.column_names == ["window_start", "window_end", "star_rating", "product_category", "reviews",
                                  "helpful_votes", "avg_total_votes"]


@needs_failpoints
@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_at_every_step_of_every_batch_the_output_is_exactly_once(
    silver: Path, tmp_path: Path, point: str
) -> None:
    clean_gold = tmp_path / "clean-gold"
    assert run_script(SCRIPT, *args(silver, clean_gold, tmp_path / "clean-cp")).returncode == 0
    expected = gold_rows(clean_gold)
    assert expected

    gold, cp = tmp_path / "gold", tmp_path / "cp"
    kills = 0
    for batch in range(12):
        crashed = run_script(SCRIPT, *args(silver, gold, cp), env={"GLUELESS_FAILPOINT": point})
        if crashed.returncode == 0:
            break
        assert crashed.returncode < 0 or "failpoint" in crashed.stderr, crashed.stderr
        kills += 1
    assert kills >= 8, f"the process was killed at {point} in {kills} batches"
    finished = run_script(SCRIPT, *args(silver, gold, cp))
    assert finished.returncode == 0, finished.stderr
    assert gold_rows(gold) == expected, "no group lost, none written twice"
    RELIABILITY["gold stream killed inside a micro-batch (then resumed to the same rows)"] += kills


def test_a_file_off_the_silver_schema_names_the_file_and_column(silver: Path, tmp_path: Path) -> None:
    table = pq.read_table(sorted(silver.glob("*.parquet"))[0])
    bad = table.set_column(table.column_names.index("star_rating"), "star_rating",
                           pa.array([str(v) for v in table.column("star_rating").to_pylist()]))
    shutil.rmtree(silver)
    silver.mkdir()
    pq.write_table(bad, silver / "bad.parquet")
    done = run_script(SCRIPT, *args(silver, tmp_path / "gold", tmp_path / "cp"))
    assert done.returncode == 1, done.stdout
    assert "bad.parquet" in done.stderr and "star_rating" in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_corrupt_silver_file_is_one_line(silver: Path, tmp_path: Path) -> None:
    (silver / "zz-corrupt.parquet").write_bytes(b"PAR1 this is not parquet")
    done = run_script(SCRIPT, *args(silver, tmp_path / "gold", tmp_path / "cp"))
    assert done.returncode == 1
    assert "zz-corrupt.parquet" in done.stderr and "Traceback" not in done.stderr


def test_a_checkpoint_of_another_query_or_a_corrupt_one_is_refused(silver: Path, tmp_path: Path) -> None:
    gold, cp = tmp_path / "gold", tmp_path / "cp"
    assert run_script(SCRIPT, *args(silver, gold, cp)).returncode == 0
    other = run_script(SCRIPT, *args(silver, gold, cp), "--window", "30 seconds", "--group-by", "star_rating")
    assert other.returncode == 1 and "different query" in other.stderr, other.stderr
    last = max(int(f.name) for f in (cp / "commits").iterdir())
    (cp / "commits" / str(last)).write_text("{broken")
    corrupt = run_script(SCRIPT, *args(silver, gold, cp))
    assert corrupt.returncode == 1 and "corrupt" in corrupt.stderr, corrupt.stderr
    with pytest.raises(glueless.CheckpointError):
        stream.read_parquet(str(silver), schema="silver").with_watermark("review_timestamp", "10 seconds").group_by(
            stream.window("review_timestamp", "1 minute"), "product_category", "star_rating"
        ).agg("reviews=count(*)", "avg_star_rating=avg(star_rating)", "helpful_votes=sum(helpful_votes)").write_parquet(
            str(gold), checkpoint=str(cp)
        )


def test_an_unwritable_gold_folder_fails_cleanly_and_resumes(silver: Path, tmp_path: Path) -> None:
    gold, cp = tmp_path / "gold", tmp_path / "cp"
    gold.write_text("a file where the gold folder should be")
    done = run_script(SCRIPT, *args(silver, gold, cp))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    gold.unlink()
    resumed = run_script(SCRIPT, *args(silver, gold, cp))
    assert resumed.returncode == 0, resumed.stderr
    clean = tmp_path / "clean"
    assert run_script(SCRIPT, *args(silver, clean, tmp_path / "clean-cp")).returncode == 0
    assert gold_rows(gold) == gold_rows(clean)


def test_bad_queries_are_value_errors(silver: Path, tmp_path: Path) -> None:
    base = stream.read_parquet(str(silver), schema="silver")
    with pytest.raises(ValueError, match="watermark"):
        base.group_by("star_rating").agg("n=count(*)").write_parquet(str(tmp_path / "g"), checkpoint=str(tmp_path / "c"))
    with pytest.raises(ValueError, match="append mode"):
        base.with_watermark("review_timestamp", "10 seconds").group_by("star_rating").agg("n=count(*)").write_parquet(
            str(tmp_path / "g"), checkpoint=str(tmp_path / "c")
        )
    with pytest.raises(ValueError, match="duration"):
        base.with_watermark("review_timestamp", "ten seconds").group_by("review_timestamp").agg(
            "n=count(*)"
        ).write_parquet(str(tmp_path / "g"), checkpoint=str(tmp_path / "c"))
    with pytest.raises(ValueError, match="no column"):
        base.with_watermark("review_timestamp", "10 seconds").group_by("review_timestamp", "nope").agg(
            "n=count(*)"
        ).write_parquet(str(tmp_path / "g"), checkpoint=str(tmp_path / "c"))


def test_trigger_once_takes_every_pending_file_in_one_batch(silver: Path, tmp_path: Path) -> None:
    done = run_script(SCRIPT, *args(silver, tmp_path / "gold", tmp_path / "cp", "--trigger", "once"))
    assert done.returncode == 0, done.stderr
    assert "batch    0: 8 files" in done.stdout and "1 batches" in done.stdout


def test_processing_time_polls_and_picks_up_new_files_until_stopped(silver: Path, tmp_path: Path) -> None:
    import threading
    import time

    incoming = tmp_path / "incoming"
    incoming.mkdir()
    files = sorted(silver.iterdir())
    for f in files[:2]:
        shutil.copy2(f, incoming / f.name)

    def arrive_later() -> None:
        time.sleep(1.5)
        for f in files[2:4]:
            shutil.copy2(f, incoming / f.name)

    threading.Thread(target=arrive_later).start()
    reports = (
        stream.read_parquet(str(incoming), schema="silver")
        .with_watermark("review_timestamp", "10 seconds")
        .group_by(stream.window("review_timestamp", "1 minute"), "star_rating")
        .agg("n=count(*)")
        .write_parquet(str(tmp_path / "gold"), checkpoint=str(tmp_path / "cp"),
                       trigger="processing-time=0.3 seconds", timeout=4.0)
    )
    taken = [name for r in reports for name in r["files"]]
    assert taken == [f.name for f in files[:4]], "every file once, in order, new ones included"


def with_string_dates(silver: Path) -> None:
    """Rewrite the silver files as a Spark job often writes them: the dates as strings."""
    for f in sorted(silver.glob("*.parquet")):
        table = pq.read_table(f)
        for name in ("purchase_date", "date_of_birth"):
            table = table.set_column(table.column_names.index(name), name, table.column(name).cast(pa.string()))
        stat = f.stat()
        pq.write_table(table, f)
        os.utime(f, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # keep the arrival order


def retyped_file(silver: Path, target: Path, column: str, to: pa.DataType) -> None:
    table = pq.read_table(sorted(silver.glob("*.parquet"))[0])
    pq.write_table(table.set_column(table.column_names.index(column), column, table.column(column).cast(to)), target)


USED_DDL = "product_category STRING, star_rating INT, helpful_votes INT, total_votes INT, review_timestamp TIMESTAMP"


def test_unused_columns_of_other_types_do_not_matter_with_or_without_a_schema(silver: Path, tmp_path: Path) -> None:
    expected_gold = tmp_path / "expected"
    assert run_script(SCRIPT, *args(silver, expected_gold, tmp_path / "cp0")).returncode == 0
    with_string_dates(silver)
    unforced = run_script(SCRIPT, *args(silver, tmp_path / "gold", tmp_path / "cp"))
    assert unforced.returncode == 0, unforced.stderr
    ddl = "marketplace STRING, purchase_date STRING, date_of_birth STRING, " + USED_DDL
    declared = run_script(SCRIPT, *args(silver, tmp_path / "gold2", tmp_path / "cp2"), "--schema", ddl)
    assert declared.returncode == 0, declared.stderr
    assert gold_rows(tmp_path / "gold") == gold_rows(tmp_path / "gold2") == gold_rows(expected_gold) != []


def test_a_used_column_of_another_type_is_one_line_naming_file_column_and_types(silver: Path, tmp_path: Path) -> None:
    retyped_file(silver, silver / "zz-strings.parquet", "star_rating", pa.string())
    declared = run_script(SCRIPT, *args(silver, tmp_path / "gold", tmp_path / "cp"), "--schema", USED_DDL)
    assert declared.returncode == 1
    assert declared.stderr.strip().splitlines() == [
        f"build_gold_layer: error: {silver / 'zz-strings.parquet'}: column star_rating is STRING, but the query "
        f"needs INT (the type in the declared schema); no batch has taken the file: move it out of {silver} to go on"
    ], declared.stderr


def test_the_checkpoint_keeps_the_types_it_started_with(silver: Path, tmp_path: Path) -> None:
    gold, cp = tmp_path / "gold", tmp_path / "cp"
    assert run_script(SCRIPT, *args(silver, gold, cp)).returncode == 0
    assert (cp / "input_schema.parquet").is_file()
    before = gold_rows(gold)
    retyped_file(silver, silver / "zz-later.parquet", "helpful_votes", pa.string())
    later = run_script(SCRIPT, *args(silver, gold, cp))
    assert later.returncode == 1
    assert (
        "zz-later.parquet: column helpful_votes is STRING, but the query needs INT "
        "(the type this query's checkpoint started with); no batch has taken the file" in later.stderr
    ), later.stderr
    assert gold_rows(gold) == before, "nothing of the refused batch was written"
    # The refused file was never taken: moved away, the stream goes on with the next one.
    (silver / "zz-later.parquet").rename(tmp_path / "zz-later.parquet")
    retyped_file(silver, silver / "zz-next.parquet", "product_category", pa.large_string())
    assert run_script(SCRIPT, *args(silver, gold, cp)).returncode == 0
    assert len(gold_rows(gold)) >= len(before)
    redeclared = run_script(SCRIPT, *args(silver, gold, cp), "--schema", USED_DDL.replace("star_rating INT",
                                                                                           "star_rating BIGINT"))
    assert redeclared.returncode == 1
    assert "column star_rating is declared BIGINT, but this query's checkpoint started with INT" in redeclared.stderr


def test_read_parquet_takes_a_ddl_schema(silver: Path, tmp_path: Path) -> None:
    reports = (
        stream.read_parquet(str(silver), schema="review_timestamp TIMESTAMP, star_rating BIGINT")
        .with_watermark("review_timestamp", "10 seconds")
        .group_by(stream.window("review_timestamp", "1 minute"), "star_rating")
        .agg("n=count(*)")
        .write_parquet(str(tmp_path / "gold"), checkpoint=str(tmp_path / "cp"))
    )
    assert sum(r["rows"] for r in reports) == sum(pq.read_metadata(f).num_rows for f in silver.glob("*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in sorted((tmp_path / "gold").glob("batch-*.parquet"))])
    assert table.schema.field("star_rating").type == pa.int64(), "declared BIGINT: the file's INT widened"
    with pytest.raises(ValueError, match="unknown type STRNG"):
        stream.read_parquet(str(silver), schema="star_rating STRNG").with_watermark(
            "review_timestamp", "10 seconds"
        ).group_by("review_timestamp").agg("n=count(*)").write_parquet(str(tmp_path / "g"), checkpoint=str(tmp_path / "c"))


def test_a_run_that_failed_before_its_first_commit_binds_no_types(silver: Path, tmp_path: Path) -> None:
    gold, cp = tmp_path / "gold", tmp_path / "cp"
    # SMALLINT is usable by the query but narrower than the files' INT: refused at the first file.
    failed = run_script(SCRIPT, *args(silver, gold, cp), "--schema",
                        USED_DDL.replace("star_rating INT", "star_rating SMALLINT"))
    assert failed.returncode == 1 and "column star_rating is INT, but the query needs SMALLINT" in failed.stderr
    assert not (cp / "input_schema.parquet").exists()
    fixed = run_script(SCRIPT, *args(silver, gold, cp), "--schema", USED_DDL)
    assert fixed.returncode == 0, fixed.stderr
    expected = tmp_path / "expected"
    assert run_script(SCRIPT, *args(silver, expected, tmp_path / "cp2")).returncode == 0
    assert gold_rows(gold) == gold_rows(expected) != []
