//! Reading the tables earlier jobs wrote.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, SchemaRef};
use rayon::prelude::*;

use super::Lake;
use crate::core::pool;
use crate::core::storage::parquet_file::{self, ParquetSource};
use crate::core::storage::{committed_files, objects, FileEntry, Location};
use crate::error::{Error, Result};

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
pub(crate) fn read_table_projected(
    lake: &Lake,
    table: &str,
    zone: &str,
    producer: &str,
    columns: &[&str],
) -> Result<Table> {
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
    let location = checked_zone(lake, table, zone, producer)?;
    let missing = || missing_input(lake, table, zone, producer);
    let Some(read) = read_parquet_folder(&location, only.then_some(columns))? else { return Err(missing()) };
    check_columns(&read.schema, columns, table, zone, producer)?;
    Ok(read)
}

/// A table of the lake opened to be read row group by row group (in parallel, without holding
/// its rows): its files and their schema with only the columns asked for.
pub(crate) struct TableSource {
    pub(crate) schema: SchemaRef,
    pub(crate) files: Vec<ParquetSource>,
}

impl TableSource {
    /// Every (file, row group) of the table, in order.
    #[must_use]
    pub(crate) fn row_groups(&self) -> Vec<(&ParquetSource, usize)> {
        self.files.iter().flat_map(|f| (0..f.row_groups()).map(move |g| (f, g))).collect()
    }
}

/// The keys `columns` of the table `table/zone` that the job `producer` writes, for a
/// semi-join, which asks only whether a key occurs: one string key column is read as its distinct
/// non-null values (from the Parquet dictionaries, see [`ParquetSource::distinct_strings`]); other
/// keys as the projected columns.
///
/// # Errors
/// As [`read_table`].
pub(crate) fn read_key_set(lake: &Lake, table: &str, zone: &str, producer: &str, columns: &[&str]) -> Result<Table> {
    let opened = open_table(lake, table, zone, producer, columns)?;
    let text_key = match (columns, opened.schema.fields().first()) {
        (&[column], Some(field)) if field.data_type() == &DataType::Utf8 => Some((column, field.clone())),
        _ => None,
    };
    let Some((column, field)) = text_key else {
        let batches: Vec<Vec<RecordBatch>> =
            pool::install(|| opened.files.par_iter().map(|f| f.batches(Some(columns))).collect::<Result<_>>())?;
        return Ok(Table { schema: opened.schema, batches: batches.into_iter().flatten().collect() });
    };
    let per_file: Vec<ArrayRef> = pool::install(|| {
        opened
            .files
            .par_iter()
            .map(|f| f.distinct_strings(column)?.ok_or_else(|| Error::InvalidArgument(format!("{column} is not text"))))
            .collect::<Result<_>>()
    })?;
    let schema = Arc::new(Schema::new(vec![field.as_ref().clone().with_nullable(true)]));
    let batches = per_file
        .into_iter()
        .filter(|values| !values.is_empty())
        .map(|values| Ok(RecordBatch::try_new(schema.clone(), vec![values])?))
        .collect::<Result<_>>()?;
    Ok(Table { schema, batches })
}

/// Open the table `table/zone` that the job `producer` writes, to read its `columns`.
///
/// # Errors
/// As [`read_table`].
pub(crate) fn open_table(
    lake: &Lake,
    table: &str,
    zone: &str,
    producer: &str,
    columns: &[&str],
) -> Result<TableSource> {
    let location = checked_zone(lake, table, zone, producer)?;
    let files: Vec<_> = committed_files(&location)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
    if files.is_empty() {
        return Err(missing_input(lake, table, zone, producer));
    }
    let sources: Vec<ParquetSource> =
        pool::install(|| files.par_iter().map(ParquetSource::open).collect::<Result<_>>())?;
    let schema = sources[0].schema().clone();
    check_same_schemas(&location, &files, sources.iter().map(ParquetSource::schema))?;
    check_columns(&schema, columns, table, zone, producer)?;
    Ok(TableSource { schema: parquet_file::projected_schema(&schema, columns), files: sources })
}

fn missing_input(lake: &Lake, table: &str, zone: &str, producer: &str) -> Error {
    let location = lake.zone(table, zone);
    Error::MissingInput { table: format!("{table}/{zone}"), path: location.to_string(), job: producer.to_string() }
}

/// The location of `table/zone`, checked to exist.
fn checked_zone(lake: &Lake, table: &str, zone: &str, producer: &str) -> Result<Location> {
    let location = lake.zone(table, zone);
    lake.check_root()?;
    if !objects::folder_exists(&location)? {
        return Err(missing_input(lake, table, zone, producer));
    }
    Ok(location)
}

fn check_columns(schema: &SchemaRef, columns: &[&str], table: &str, zone: &str, producer: &str) -> Result<()> {
    match columns.iter().find(|c| schema.field_with_name(c).is_err()) {
        Some(column) => {
            Err(Error::InvalidArgument(format!("{table}/{zone} has no column {column}; re-run {producer}")))
        }
        None => Ok(()),
    }
}

/// Every file of `folder` has the first one's schema.
fn check_same_schemas<'s>(
    folder: &Location,
    files: &[FileEntry],
    mut schemas: impl Iterator<Item = &'s SchemaRef>,
) -> Result<()> {
    let Some(first) = schemas.next() else { return Ok(()) };
    for (other, file) in schemas.zip(&files[1..]) {
        if other.fields() != first.fields() {
            return Err(Error::InvalidArgument(format!(
                "{folder}: {} has a different schema from {}",
                file.name(),
                files[0].name()
            )));
        }
    }
    Ok(())
}

/// The committed Parquet files of `folder` read as one table (only `columns` when given), or
/// `None` when the folder holds no Parquet file.
///
/// # Errors
/// [`Error::InvalidArgument`] when the files have different schemas; storage errors.
pub(crate) fn read_parquet_folder(folder: &Location, columns: Option<&[&str]>) -> Result<Option<Table>> {
    let files: Vec<_> = committed_files(folder)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
    if files.is_empty() {
        return Ok(None);
    }
    let parts: Vec<(SchemaRef, Vec<RecordBatch>)> =
        pool::install(|| files.par_iter().map(|f| parquet_file::read(f, columns)).collect::<Result<_>>())?;
    let schema = parts[0].0.clone();
    check_same_schemas(folder, &files, parts.iter().map(|(schema, _)| schema))?;
    Ok(Some(Table { schema, batches: parts.into_iter().flat_map(|(_, b)| b).collect() }))
}

/// The schema and the committed Parquet files of the table at `folder` (one another engine wrote).
///
/// # Errors
/// [`Error::NotFound`] when it holds no Parquet file; storage errors.
pub(crate) fn committed_table_shape(folder: &Location) -> Result<(SchemaRef, Vec<FileEntry>)> {
    let files: Vec<_> = committed_files(folder)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
    let Some(first) = files.first() else {
        return Err(Error::NotFound { what: "table", path: folder.to_string() });
    };
    Ok((parquet_file::read_schema(first)?, files))
}

#[cfg(test)]
mod tests {
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::Field;

    use super::*;

    /// A semi-join's keys: one text key as its distinct values, any other key set as the
    /// projected columns, row for row.
    #[test]
    fn a_key_set_is_the_distinct_text_keys_or_the_projected_columns() {
        let dir = crate::testing::tempdir();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("user", DataType::Utf8, true),
            Field::new("time", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("a"), None, Some("b"), Some("a")])),
                Arc::new(Int64Array::from(vec![3, 1, 3, 2])),
            ],
        )
        .unwrap();
        super::super::output::replace_table(&lake.output("readings", "trusted"), &schema, &[batch]).unwrap();
        let read = |keys: &[&str]| read_key_set(&lake, "readings", "trusted", "job", keys).unwrap();

        let users = read(&["user"]);
        assert_eq!(users.schema.fields().len(), 1);
        let mut got: Vec<&str> = users
            .batches
            .iter()
            .flat_map(|b| b.column(0).as_any().downcast_ref::<StringArray>().unwrap())
            .flatten()
            .collect();
        got.sort_unstable();
        assert_eq!(got, ["a", "b"]);

        assert_eq!(read(&["time"]).rows(), 4, "not text: every row");
        let both = read(&["user", "time"]);
        assert_eq!((both.rows(), both.schema.fields().len()), (4, 2));
        let missing = read_key_set(&lake, "readings", "trusted", "job", &["nope"]).unwrap_err();
        assert!(missing.to_string().contains("no column nope"), "{missing}");
    }
}
