//! Writing a job's output table to its zone: Parquet files staged beside the target and made
//! visible in one atomic step, so a reader sees the previous output or the new one, never a mix.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::report::OutputInfo;
use crate::error::Result;
use crate::storage::{failpoint, parquet_file, Location, StagedDir};

/// Replace the table at `location` with `batches`. An empty table is still written as a Parquet
/// file with the schema, so readers see typed, empty columns.
///
/// # Errors
/// Storage errors naming the location; the previous output then stays as it was.
pub fn replace_table(
    table: &str,
    location: &Location,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<OutputInfo> {
    let target = location.local_path()?;
    let staged = StagedDir::create(target)?;
    let bytes = parquet_file::write(&staged.path().join("part-00000.parquet"), schema, batches)?;
    failpoint::hit("output.written");
    staged.commit()?;
    Ok(OutputInfo {
        table: table.to_string(),
        location: location.to_string(),
        rows: batches.iter().map(|b| b.num_rows() as u64).sum(),
        files: 1,
        bytes,
    })
}
