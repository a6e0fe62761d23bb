//! Reading a job's inputs: landing JSON (with its quarantine) and the tables earlier jobs wrote.

use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use super::{output, JobOptions, Lake, OutputInfo};
use crate::error::{Error, Result};
use crate::landing::{self, rejected_schema, BatchFilter, LandingOutput, LandingSchema};
use crate::pool;
use crate::storage::{local, parquet_file};

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

    /// The totals.
    pub fn get(&self) -> [u64; N] {
        std::array::from_fn(|i| self.0[i].load(Ordering::Relaxed))
    }
}

/// Read `table`'s landing zone with its declared schema and replace its quarantine
/// (`table/rejected`) with the records that could not be read.
///
/// # Errors
/// [`Error::NotFound`] when the lake or landing folder is missing; storage errors.
pub fn read_landing(lake: &Lake, table: &str, options: &JobOptions) -> Result<(LandingOutput, OutputInfo)> {
    read_landing_filtered(lake, table, options, &|batch| Ok(batch.clone()))
}

/// As [`read_landing`], passing each decoded batch through `keep` as soon as it is decoded.
///
/// # Errors
/// As [`read_landing`], and whatever `keep` returns.
pub fn read_landing_filtered(
    lake: &Lake,
    table: &str,
    options: &JobOptions,
    keep: &BatchFilter<'_>,
) -> Result<(LandingOutput, OutputInfo)> {
    let dir = lake.landing_dir(table)?;
    let schema = LandingSchema::known(table)
        .ok_or_else(|| Error::InvalidArgument(format!("{table} is not a STEDI landing table")))?;
    let files = local::list_files(&dir)?;
    let landed = landing::read_files_filtered(&files, Some(&schema), &options.landing, keep)?;
    let rejected = output::replace_table(
        &format!("{table}/rejected"),
        &lake.zone(table, "rejected"),
        &rejected_schema(),
        &landed.rejected,
    )?;
    Ok((landed, rejected))
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
    if !lake.root().local_path()?.is_dir() {
        return Err(Error::NotFound { what: "lake", path: lake.root().to_string() });
    }
    let dir = location.local_path()?;
    if !dir.is_dir() {
        return Err(missing());
    }
    let files: Vec<_> =
        local::list_files(dir)?.into_iter().filter(|f| f.path.extension().is_some_and(|e| e == "parquet")).collect();
    if files.is_empty() {
        return Err(missing());
    }
    let projection = only.then_some(columns);
    let parts: Vec<(SchemaRef, Vec<RecordBatch>)> =
        pool::install(|| files.par_iter().map(|f| parquet_file::read(&f.path, projection)).collect::<Result<_>>())?;
    let schema = parts[0].0.clone();
    for (other, _) in &parts[1..] {
        if other.fields() != schema.fields() {
            return Err(Error::InvalidArgument(format!(
                "{name}: its Parquet files have different schemas; re-run {producer}"
            )));
        }
    }
    for column in columns {
        if schema.field_with_name(column).is_err() {
            return Err(Error::InvalidArgument(format!("{name} has no column {column}; re-run {producer}")));
        }
    }
    Ok(Table { schema, batches: parts.into_iter().flat_map(|(_, b)| b).collect() })
}
