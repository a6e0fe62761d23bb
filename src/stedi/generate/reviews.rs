//! A silver-layer generator for the reviews gold job: Parquet files of the declared silver schema
//! whose `review_timestamp` advances file by file, with a few late rows (times from files
//! earlier) and a few rows without a time. File i gets modification time `base + i` seconds, so
//! a file source takes them in order.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arrow_array::{ArrayRef, Date32Array, Int32Array, RecordBatch, StringArray, TimestampMicrosecondArray};

use super::rng::Rng;
use crate::core::storage::parquet_file;
use crate::error::{Error, Result};
use crate::stedi::gold::silver_schema;

const CATEGORIES: [&str; 4] = ["Digital_Video_Games", "Toys", "Books", "Music"];
const STATES: [&str; 6] = ["MO", "IL", "CA", "NY", "TX", "WA"];
const NAMES: [&str; 8] =
    ["Ava Lee", "Ben Ortiz", "Cara Diaz", "Dan Kim", "Eve Park", "Finn Moss", "Gia Rossi", "Hal Wu"];
/// 2026-01-01T00:00:00Z in microseconds.
const START_MICROS: i64 = 1_767_225_600_000_000;

/// What to generate.
#[derive(Debug, Clone)]
pub(crate) struct SilverSpec {
    pub(crate) files: usize,
    pub(crate) rows_per_file: usize,
    pub(crate) seed: u64,
    /// Event time covered by each file.
    pub(crate) seconds_per_file: i64,
    /// Rows per file whose time lies three to four files back (late for any window up to a minute).
    pub(crate) late_per_file: usize,
}

impl Default for SilverSpec {
    fn default() -> Self {
        Self { files: 20, rows_per_file: 4_500, seed: 0, seconds_per_file: 20, late_per_file: 5 }
    }
}

/// Write the silver files into `dir` (created if needed); returns the number of rows written.
///
/// # Errors
/// I/O errors naming the file; [`Error::InvalidArgument`] when `dir` already holds files.
pub(crate) fn generate_silver(dir: &Path, spec: &SilverSpec) -> Result<u64> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    if std::fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?.next().is_some() {
        return Err(Error::InvalidArgument(format!("{} is not empty; generate into a new folder", dir.display())));
    }
    let mut rng = Rng::new(spec.seed);
    let base_mtime = SystemTime::now() - Duration::from_secs(spec.files as u64 + 60);
    let span = spec.seconds_per_file * 1_000_000;
    let mut rows = 0;
    for i in 0..spec.files {
        let batch = silver_file(&mut rng, spec, i as i64, span, i * spec.rows_per_file)?;
        rows += batch.num_rows() as u64;
        let path = dir.join(format!("part-{i:05}.parquet"));
        let content = parquet_file::encode(&batch.schema(), &[batch])?;
        std::fs::write(&path, &content).map_err(|e| Error::io("writing", &path, e))?;
        let file = std::fs::File::options().write(true).open(&path).map_err(|e| Error::io("opening", &path, e))?;
        file.set_modified(base_mtime + Duration::from_secs(i as u64)).map_err(|e| Error::io("touching", &path, e))?;
    }
    Ok(rows)
}

fn silver_file(rng: &mut Rng, spec: &SilverSpec, index: i64, span: i64, first_id: usize) -> Result<RecordBatch> {
    let n = spec.rows_per_file + spec.late_per_file;
    let mut times = Vec::with_capacity(n);
    for row in 0..n {
        let time = if row >= spec.rows_per_file && index >= 3 {
            START_MICROS + (index - 3) * span - rng.below(span as u64) as i64
        } else if rng.chance(0.001) {
            times.push(None);
            continue;
        } else {
            START_MICROS + index * span + rng.below(span as u64) as i64
        };
        times.push(Some(time));
    }
    let ids: Vec<String> = (first_id..first_id + n).map(|i| format!("R{i:010}")).collect();
    let customer: Vec<usize> = (0..n).map(|_| rng.index(400)).collect();
    let stars: Vec<i32> = (0..n).map(|_| 1 + rng.small(5)).collect();
    let helpful: Vec<i32> = (0..n).map(|_| rng.small(12)).collect();
    let total: Vec<i32> = helpful.iter().map(|h| h + rng.small(6)).collect();
    let category: Vec<&str> = (0..n).map(|_| *rng.pick(&CATEGORIES)).collect();
    let text = |values: Vec<String>| Arc::new(StringArray::from(values)) as ArrayRef;
    let same = |value: &str| text(vec![value.to_string(); n]);
    let columns: Vec<ArrayRef> = vec![
        same("US"),
        text(customer.iter().map(|c| format!("{}", 10_000_000 + c)).collect()),
        text(ids),
        text(customer.iter().map(|c| format!("B{:09}", c * 7 % 997)).collect()),
        text(customer.iter().map(|c| format!("{}", 600_000_000 + c * 13 % 997)).collect()),
        text(customer.iter().map(|c| format!("Product {}", c * 7 % 997)).collect()),
        Arc::new(StringArray::from(category)),
        Arc::new(Int32Array::from(stars)),
        Arc::new(Int32Array::from(helpful)),
        Arc::new(Int32Array::from(total)),
        same("N"),
        same("Y"),
        same("Fine"),
        same("It does what it says."),
        Arc::new(Date32Array::from(vec![20_454; n])),
        Arc::new(TimestampMicrosecondArray::from(times).with_timezone("UTC")),
        text(customer.iter().map(|c| NAMES[c % NAMES.len()].to_string()).collect()),
        text(customer.iter().map(|c| if c % 2 == 0 { "F" } else { "M" }.to_string()).collect()),
        Arc::new(Date32Array::from(
            customer.iter().map(|&c| 3_000 + i32::try_from(c).unwrap_or(0) * 11).collect::<Vec<_>>(),
        )),
        same("Saint Louis"),
        text(customer.iter().map(|c| STATES[c % STATES.len()].to_string()).collect()),
    ];
    Ok(RecordBatch::try_new(silver_schema(), columns)?)
}
