//! Engine tests on generated silver data: conservation of rows, restart equivalence, refusal of a
//! foreign checkpoint. (Equality with Spark itself is tested from Python against PySpark.)

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::RecordBatch;

use super::*;
use crate::core::storage::{objects, parquet_file, Location};
use crate::stedi::generate::{generate_silver, SilverSpec};
use crate::stedi::gold::{default_spec, silver_schema};

fn config(root: &std::path::Path, checkpoint: &str) -> StreamConfig {
    StreamConfig {
        source: Location::Local(root.join("silver")),
        sink: Some(Arc::new(sink::FileSink::parquet(Location::Local(root.join("gold"))))),
        checkpoint: Location::Local(root.join(checkpoint)),
        format: SourceFormat::Parquet,
        schema: Some(silver_schema()),
        max_files_per_trigger: Some(1),
        max_bytes_per_trigger: None,
    }
}

fn gold_rows(root: &std::path::Path) -> Vec<String> {
    let mut rows = Vec::new();
    for file in objects::list_files(&Location::Local(root.join("gold"))).unwrap() {
        let (_, batches) = parquet_file::read(&file, None).unwrap();
        let batch: RecordBatch = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
        let text = arrow_cast::pretty::pretty_format_batches(&[batch]).unwrap().to_string();
        rows.extend(text.lines().filter(|l| l.starts_with("| ")).skip(1).map(str::to_string));
    }
    rows.sort();
    rows
}

#[test]
fn every_row_is_counted_once_and_restarts_continue_exactly() {
    let dir = crate::testing::tempdir();
    let spec = SilverSpec { files: 8, rows_per_file: 300, ..SilverSpec::default() };
    let rows = generate_silver(&dir.path().join("silver"), &spec).unwrap();

    let mut query = StreamQuery::open(default_spec().unwrap(), config(dir.path(), "cp")).unwrap();
    let reports = query.run(Trigger::AvailableNow, &|| false, &mut |_| {}).unwrap();
    assert_eq!(reports.len(), 9, "one batch per file, then one without data");
    assert!(reports[8].files.is_empty());
    let read: u64 = reports.iter().map(|r| r.rows).sum();
    assert_eq!(read, rows);
    for r in &reports {
        assert_eq!(r.rows, r.aggregated + r.late + r.null_time, "batch {}", r.batch);
    }
    assert!(reports.iter().map(|r| r.late).sum::<u64>() > 0, "the generator writes late rows");

    // Emitted counts plus the groups still open hold every aggregated row exactly once.
    let mut emitted = 0;
    for file in objects::list_files(&Location::Local(dir.path().join("gold"))).unwrap() {
        let (_, batches) = parquet_file::read(&file, None).unwrap();
        for b in batches {
            emitted += b.column_by_name("reviews").unwrap().as_primitive::<Int64Type>().values().iter().sum::<i64>();
        }
    }
    let state = query.state().unwrap().snapshot().unwrap();
    let open: i64 = state.column_by_name("__i0").unwrap().as_primitive::<Int64Type>().values().iter().sum();
    let aggregated: u64 = reports.iter().map(|r| r.aggregated).sum();
    assert_eq!((emitted + open) as u64, aggregated);
    let all_at_once = gold_rows(dir.path());

    // The same files in two runs: the first sees 5 files, the second the rest after a restart.
    let other = crate::testing::tempdir();
    let silver = other.path().join("silver");
    std::fs::create_dir(&silver).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("silver")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let copy = |range: std::ops::Range<usize>| {
        for path in &files[range] {
            std::fs::copy(path, silver.join(path.file_name().unwrap())).unwrap();
            let mtime = std::fs::metadata(path).unwrap().modified().unwrap();
            std::fs::File::options()
                .write(true)
                .open(silver.join(path.file_name().unwrap()))
                .unwrap()
                .set_modified(mtime)
                .unwrap();
        }
    };
    copy(0..5);
    StreamQuery::open(default_spec().unwrap(), config(other.path(), "cp"))
        .unwrap()
        .run(Trigger::AvailableNow, &|| false, &mut |_| {})
        .unwrap();
    copy(5..8);
    let second = StreamQuery::open(default_spec().unwrap(), config(other.path(), "cp"))
        .unwrap()
        .run(Trigger::AvailableNow, &|| false, &mut |_| {})
        .unwrap();
    assert_eq!(second[0].batch, 6, "batches 0-4 and a no-data batch 5 ran first");
    assert_eq!(gold_rows(other.path()), all_at_once);
}

#[test]
fn a_checkpoint_of_another_query_is_refused() {
    let dir = crate::testing::tempdir();
    generate_silver(&dir.path().join("silver"), &SilverSpec { files: 2, rows_per_file: 50, ..SilverSpec::default() })
        .unwrap();
    StreamQuery::open(default_spec().unwrap(), config(dir.path(), "cp"))
        .unwrap()
        .run(Trigger::Once, &|| false, &mut |_| {})
        .unwrap();
    let mut other = default_spec().unwrap();
    other.group_by.pop();
    let err = StreamQuery::open(other, config(dir.path(), "cp")).err().unwrap();
    assert!(matches!(err, crate::Error::Checkpoint { .. }), "{err}");
    assert!(err.to_string().contains("different query"), "{err}");

    std::fs::write(dir.path().join("cp/commits/0"), "{not json").unwrap();
    let err = StreamQuery::open(default_spec().unwrap(), config(dir.path(), "cp")).err().unwrap();
    assert!(err.to_string().contains("corrupt"), "{err}");
}

/// Group rows keep u32 row positions: a batch past that is refused, not wrapped (a null column of
/// five billion rows takes no memory, so the real boundary is reached).
#[test]
fn a_batch_beyond_u32_row_positions_is_an_error() {
    use std::sync::Arc;

    let mut state = state::AggState::new(&default_spec().unwrap(), &silver_schema()).unwrap();
    let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "review_timestamp",
        arrow_schema::DataType::Null,
        true,
    )]));
    let huge = RecordBatch::try_new(schema, vec![Arc::new(arrow_array::NullArray::new(5_000_000_000))]).unwrap();
    let err = state.update(&huge, 0).unwrap_err();
    assert!(matches!(err, crate::Error::Unsupported(_)), "{err}");
}

/// A query grouped by its window alone (no group columns) counts every row once, across a
/// restart from the checkpoint, and a batch function sees every batch before it commits.
#[test]
fn a_window_alone_groups_and_restarts() {
    let dir = crate::testing::tempdir();
    let rows = generate_silver(
        &dir.path().join("silver"),
        &SilverSpec { files: 4, rows_per_file: 200, ..SilverSpec::default() },
    )
    .unwrap();
    let mut spec = default_spec().unwrap();
    spec.group_by.clear();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let run = |trigger| {
        let log = seen.clone();
        let function = Box::new(move |batch: u64, rows: RecordBatch| {
            log.lock().unwrap().push((batch, rows.num_rows()));
            Ok(Some(rows))
        });
        StreamQuery::open(spec.clone(), config(dir.path(), "cp"))
            .unwrap()
            .with_batch_function(function)
            .run(trigger, &|| false, &mut |_| {})
            .unwrap()
    };
    let mut reports = run(Trigger::Once);
    reports.extend(run(Trigger::AvailableNow));
    assert_eq!(reports.iter().map(|r| r.rows).sum::<u64>(), rows);
    let batches: Vec<u64> = reports.iter().map(|r| r.batch).collect();
    let called: Vec<(u64, usize)> = seen.lock().unwrap().clone();
    assert_eq!(called.iter().map(|c| c.0).collect::<Vec<_>>(), batches, "once per batch, in order");
    let emitted: u64 = reports.iter().map(|r| r.emitted).sum();
    assert_eq!(called.iter().map(|c| c.1 as u64).sum::<u64>(), emitted);
    let written: i64 = gold_rows(dir.path()).len() as i64;
    assert_eq!(written as u64, emitted);
}

/// Update mode emits every changed group, so each group's last update is the row append mode
/// writes once the group closes; complete mode emits every group every batch and drops no row.
#[test]
fn update_and_complete_modes_agree_with_append() {
    let dir = crate::testing::tempdir();
    let rows = generate_silver(
        &dir.path().join("silver"),
        &SilverSpec { files: 5, rows_per_file: 200, ..SilverSpec::default() },
    )
    .unwrap();
    let run = |mode: OutputMode, checkpoint: &str| {
        let mut spec = default_spec().unwrap();
        spec.output_mode = mode;
        let emitted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = emitted.clone();
        let function = Box::new(move |_: u64, rows: RecordBatch| {
            log.lock().unwrap().push(rows);
            Ok(None)
        });
        let mut query = StreamQuery::open(spec, config(dir.path(), checkpoint)).unwrap().with_batch_function(function);
        let reports = query.run(Trigger::AvailableNow, &|| false, &mut |_| {}).unwrap();
        let batches = emitted.lock().unwrap().clone();
        (reports, batches)
    };
    // A row's text without its aggregates, and with them.
    let text = |batch: &RecordBatch| {
        let text = arrow_cast::pretty::pretty_format_batches(std::slice::from_ref(batch)).unwrap().to_string();
        text.lines().filter(|l| l.starts_with("| ")).skip(1).map(str::to_string).collect::<Vec<_>>()
    };
    let key = |line: &str| line.split('|').take(5).collect::<Vec<_>>().join("|");
    let (_, appended) = run(OutputMode::Append, "cp-append");
    let (update_reports, updates) = run(OutputMode::Update, "cp-update");
    let mut last = std::collections::HashMap::new();
    for batch in &updates {
        for line in text(batch) {
            last.insert(key(&line), line);
        }
    }
    let appended: Vec<String> = appended.iter().flat_map(text).collect();
    assert!(!appended.is_empty());
    for line in &appended {
        assert_eq!(last.get(&key(line)), Some(line), "the last update of a closed group is its appended row");
    }
    assert!(update_reports.iter().any(|r| r.late > 0), "update mode drops late rows as append does");

    let (complete_reports, complete) = run(OutputMode::Complete, "cp-complete");
    assert_eq!(complete_reports.iter().map(|r| r.late).sum::<u64>(), 0, "complete mode keeps late rows");
    let final_rows = complete.last().unwrap();
    let reviews: i64 = final_rows.column_by_name("reviews").unwrap().as_primitive::<Int64Type>().values().iter().sum();
    let null_time: u64 = complete_reports.iter().map(|r| r.null_time).sum();
    assert_eq!(reviews as u64, rows - null_time, "the last complete batch holds every row");
    assert_eq!(complete.len(), complete_reports.len(), "no batch without data: nothing closes");
}

/// A JSON-lines stream de-duplicated within the watermark: every record is counted once (passed,
/// duplicate or late), a malformed line is a row of nulls, and a restart from the checkpoint
/// emits exactly what the same query running on would.
#[test]
fn a_json_stream_deduplicated_within_the_watermark_restarts_exactly() {
    use std::fmt::Write as _;
    use std::sync::{Arc, Mutex};

    use crate::core::text::{TextFormat, TextOptions};

    let dir = crate::testing::tempdir();
    let write = |folder: &str, n: usize| {
        let events = dir.path().join(folder);
        std::fs::create_dir_all(&events).unwrap();
        let mut text = String::new();
        for i in 0..40 {
            let id = (n * 7 + i) % 25; // ids repeat within and across files
            let second = n * 20 + i / 2;
            let _ = writeln!(text, "{{\"id\": {id}, \"ts\": \"2026-01-01 00:{:02}:{:02}\"}}", second / 60, second % 60);
        }
        text.push_str("{\"id\": \n"); // malformed: a row of nulls
        let path = events.join(format!("part-{n}.json"));
        std::fs::write(&path, text).unwrap();
        let mtime = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + n as u64);
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
    };
    let spec = RowsSpec {
        watermark: Some(("ts".into(), 10_000_000)),
        deduplicate: Some(Deduplicate { keys: vec!["id".into()], within_watermark: true }),
        output_mode: OutputMode::Append,
    };
    let open = |folder: &str, emitted: &Arc<Mutex<Vec<String>>>| {
        let log = emitted.clone();
        let function = Box::new(move |batch: u64, rows: RecordBatch| {
            let text = arrow_cast::pretty::pretty_format_batches(std::slice::from_ref(&rows)).unwrap().to_string();
            let lines = text.lines().filter(|l| l.starts_with("| ")).skip(1);
            log.lock().unwrap().extend(lines.map(|l| format!("{batch} {l}")));
            Ok(None)
        });
        let config = StreamConfig {
            source: Location::Local(dir.path().join(folder)),
            sink: None,
            checkpoint: Location::Local(dir.path().join(format!("{folder}-cp"))),
            format: SourceFormat::Text(TextOptions::new(TextFormat::Json)),
            schema: Some(crate::runtime::stream::ddl::parse_schema("id INT, ts TIMESTAMP").unwrap()),
            max_files_per_trigger: Some(1),
            max_bytes_per_trigger: None,
        };
        StreamQuery::open_with(spec.clone().into(), config, Transforms::default())
            .unwrap()
            .with_batch_function(function)
    };
    let run = |query: &mut StreamQuery| query.run(Trigger::AvailableNow, &|| false, &mut |_| {}).unwrap();
    for n in 0..3 {
        write("restarted", n);
        write("running", n);
    }
    let (restarted, running) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
    let mut reports = run(&mut open("restarted", &restarted));
    let mut query = open("running", &running);
    run(&mut query);
    for n in 3..6 {
        write("restarted", n);
        write("running", n);
    }
    reports.extend(run(&mut open("restarted", &restarted)));
    run(&mut query);
    for r in &reports {
        assert_eq!(r.rows, r.passed + r.duplicates + r.late, "batch {}", r.batch);
        assert_eq!(r.malformed, u64::from(!r.files.is_empty()), "one malformed line a file");
    }
    assert_eq!(reports.iter().map(|r| r.rows).sum::<u64>(), 6 * 41);
    assert!(reports.iter().map(|r| r.duplicates).sum::<u64>() > 0);
    assert!(reports.iter().any(|r| r.files.is_empty()), "a batch without data forgets keys");
    assert_eq!(*restarted.lock().unwrap(), *running.lock().unwrap());
    assert!(!running.lock().unwrap().is_empty());
}
