//! Reading the tables earlier jobs wrote, and counting what a job's filters leave out.

use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use super::Lake;
use crate::error::{Error, Result};
use crate::pool;
use crate::storage::{committed_files, objects, parquet_file, Location};

/// A table read from the lake.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// Number of rows.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.batches.iter().map(|b| b.num_rows() as u64).sum()
    }
}

/// Rows left out by a job's filters, counted from the decoding threads (one slot per reason).
pub struct FilterCounts<const N: usize>([AtomicU64; N]);

impl<const N: usize> Default for FilterCounts<N> {
    fn default() -> Self {
        Self(std::array::from_fn(|_| AtomicU64::new(0)))
    }
}

impl<const N: usize> FilterCounts<N> {
    /// Add one batch's counts.
    pub fn add(&self, counts: [u64; N]) {
        for (slot, n) in self.0.iter().zip(counts) {
            slot.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Start counting again (the landing files are decoded once more).
    pub fn reset(&self) {
        for slot in &self.0 {
            slot.store(0, Ordering::Relaxed);
        }
    }

    /// The totals.
    pub fn get(&self) -> [u64; N] {
        std::array::from_fn(|i| self.0[i].load(Ordering::Relaxed))
    }
}

/// Read the table `table/zone` that the job `producer` writes, checking it has `columns`.
///
/// # Errors
/// [`Error::MissingInput`] naming the job to run first when the table is missing or lacks a
/// column; storage errors otherwise.
pub fn read_table(lake: &Lake, table: &str, zone: &str, producer: &str, columns: &[&str]) -> Result<Table> {
    read_table_columns(lake, table, zone, producer, columns, false)
}

/// As [`read_table`], reading only `columns` (a job that needs one key column of a large table).
///
/// # Errors
/// As [`read_table`].
pub fn read_table_projected(lake: &Lake, table: &str, zone: &str, producer: &str, columns: &[&str]) -> Result<Table> {
    read_table_columns(lake, table, zone, producer, columns, true)
}

fn read_table_columns(
    lake: &Lake,
    table: &str,
    zone: &str,
    producer: &str,
    columns: &[&str],
    only: bool,
) -> Result<Table> {
    let location = lake.zone(table, zone);
    let name = format!("{table}/{zone}");
    let missing = || Error::MissingInput { table: name.clone(), path: location.to_string(), job: producer.to_string() };
    lake.check_root()?;
    if !objects::folder_exists(&location)? {
        return Err(missing());
    }
    let Some(table) = read_parquet_folder(&location, only.then_some(columns))? else { return Err(missing()) };
    let schema = table.schema.clone();
    for column in columns {
        if schema.field_with_name(column).is_err() {
            return Err(Error::InvalidArgument(format!("{name} has no column {column}; re-run {producer}")));
        }
    }
    Ok(table)
}

/// The committed Parquet files of `folder` read as one table (only `columns` when given), or
/// `None` when the folder holds no Parquet file.
///
/// # Errors
/// [`Error::InvalidArgument`] when the files have different schemas; storage errors.
pub fn read_parquet_folder(folder: &Location, columns: Option<&[&str]>) -> Result<Option<Table>> {
    let files: Vec<_> = committed_files(folder)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
    if files.is_empty() {
        return Ok(None);
    }
    let parts: Vec<(SchemaRef, Vec<RecordBatch>)> =
        pool::install(|| files.par_iter().map(|f| parquet_file::read(f, columns)).collect::<Result<_>>())?;
    let schema = parts[0].0.clone();
    for ((other, _), file) in parts[1..].iter().zip(&files[1..]) {
        if other.fields() != schema.fields() {
            return Err(Error::InvalidArgument(format!(
                "{folder}: {} has a different schema from {}",
                file.name(),
                files[0].name()
            )));
        }
    }
    Ok(Some(Table { schema, batches: parts.into_iter().flat_map(|(_, b)| b).collect() }))
}
