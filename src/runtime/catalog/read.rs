//! A catalog table's rows as Athena and Spark's Hive SerDes read them: the declared columns
//! (lower-case, the engine's types)
//! and the partition keys, whatever the files hold. JSON through the OpenX / Hive JSON SerDe (keys
//! matched ignoring case, a value that does not convert is NULL, `ignore.malformed.json`), CSV and
//! text through LazySimpleSerDe / OpenCSVSerde (fields as text, converted to the declared types),
//! Parquet by column name ignoring case, Iceberg and Delta by their current snapshot.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef, RecordBatch, RecordBatchOptions, StringArray};
use arrow_cast::cast::{can_cast_types, cast_with_options, CastOptions};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef, TimeUnit};
use arrow_select::zip::zip;

use rayon::prelude::*;

use super::table::{CatalogColumn, CatalogTable};
use crate::core::formats::csv::{self, CsvOptions};
use crate::core::formats::json;
use crate::core::formats::FileFormat;
use crate::core::json::{self as landing_json, LandingOptions};
use crate::core::pool;
use crate::core::storage::objects::{self, FileEntry};
use crate::core::storage::{parquet_file, staged, Location};
use crate::core::types::parse_type;
use crate::error::{Error, Result};
use crate::runtime::frames::source;

/// How a table's files are read, from its table type, classification or SerDe.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Storage {
    Json {
        ignore_malformed: bool,
    },
    Text(CsvOptions),
    Parquet,
    /// Iceberg or Delta: the current snapshot's Parquet files.
    Snapshot,
}

impl Storage {
    fn of(table: &CatalogTable) -> Result<Self> {
        let parameter = |key: &str| table.parameters.get(key).map(|v| v.to_ascii_lowercase());
        if matches!(parameter("table_type").as_deref(), Some("iceberg" | "delta")) {
            return Ok(Storage::Snapshot);
        }
        let serde = &table.storage_descriptor.serde_info;
        let library = serde.serialization_library.clone().unwrap_or_default().to_ascii_lowercase();
        let input = table.storage_descriptor.input_format.clone().unwrap_or_default().to_ascii_lowercase();
        let classification = parameter("classification").unwrap_or_default();
        let serde_parameter = |key: &str| serde.parameters.get(key).map(String::as_str);
        if library.contains("jsonserde") || classification == "json" {
            let ignore_malformed =
                serde_parameter("ignore.malformed.json").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            return Ok(Storage::Json { ignore_malformed });
        }
        if library.contains("parquet") || input.contains("parquet") || classification == "parquet" {
            return Ok(Storage::Parquet);
        }
        let header = table.parameters.get("skip.header.line.count").is_some_and(|n| n.trim() != "0");
        if library.contains("opencsvserde") {
            let byte = |key: &str, default: u8| serde_parameter(key).and_then(|v| v.bytes().next()).unwrap_or(default);
            return Ok(Storage::Text(CsvOptions {
                header,
                separator: byte("separatorChar", b','),
                quote: Some(byte("quoteChar", b'"')),
                escape: Some(byte("escapeChar", b'\\')),
            }));
        }
        if library.contains("lazysimpleserde") || input.contains("textinputformat") || classification == "csv" {
            // LazySimpleSerDe splits on its delimiter (Hive's default is Ctrl-A) and knows no quotes.
            let separator = serde_parameter("field.delim")
                .or_else(|| serde_parameter("separatorChar"))
                .and_then(|v| v.bytes().next())
                .unwrap_or(if classification == "csv" { b',' } else { 0x01 });
            let escape = serde_parameter("escape.delim").and_then(|v| v.bytes().next());
            return Ok(Storage::Text(CsvOptions { header, separator, quote: None, escape }));
        }
        Err(Error::Unsupported(format!(
            "table {}.{}: its storage ({}) is not supported by glueless (JSON, CSV/text, Parquet, Iceberg and Delta are)",
            table.database_name,
            table.name,
            if library.is_empty() { input } else { library }
        )))
    }
}

/// The file format new rows of `table` are written in (`INSERT INTO`).
///
/// # Errors
/// [`Error::Unsupported`] for Iceberg and Delta tables and text tables whose delimiter is not `,`.
pub(crate) fn appendable_format(table: &CatalogTable) -> Result<FileFormat> {
    match Storage::of(table)? {
        Storage::Json { .. } => Ok(FileFormat::Json),
        Storage::Parquet => Ok(FileFormat::Parquet),
        Storage::Text(options) if options.separator == b',' && options.quote.is_none() => Ok(FileFormat::Csv),
        Storage::Text(_) | Storage::Snapshot => Err(Error::Unsupported(format!(
            "INSERT INTO {}.{} (Iceberg, Delta, or text with another delimiter than ',') is not supported by glueless",
            table.database_name, table.name
        ))),
    }
}

/// Which engine's types a table's columns take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// Athena: a `timestamp` is Trino's `timestamp(3)` (milliseconds, no zone).
    Athena,
    /// Spark with the catalog as its metastore: a `timestamp` is Spark's instant.
    Spark,
}

fn column_type(column: &CatalogColumn, engine: Engine) -> Result<DataType> {
    let declared = parse_type(&column.data_type)?;
    Ok(match (declared, engine) {
        (DataType::Timestamp(_, _), Engine::Athena) => DataType::Timestamp(TimeUnit::Millisecond, None),
        (other, _) => other,
    })
}

/// The table's columns as `engine` shows them: the declared columns, then the partition keys,
/// named in lower case as the catalog holds them.
///
/// # Errors
/// [`Error::InvalidArgument`] for a declared type glueless does not know.
pub(crate) fn schema(table: &CatalogTable, engine: Engine) -> Result<SchemaRef> {
    let columns = table.storage_descriptor.columns.iter().chain(&table.partition_keys);
    let fields = columns
        .map(|c| Ok(Field::new(c.name.to_lowercase(), column_type(c, engine)?, true)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(Schema::new(fields)))
}

/// Whether a partition (its keys' values as a one-row batch of the keys' columns) may hold rows
/// a query wants: a query's filters on partition keys, evaluated before any file is listed.
pub(crate) type PartitionFilter<'f> = dyn Fn(&RecordBatch) -> bool + Sync + 'f;

/// The rows of `table` (its files at `location`: the catalog's location, mapped to where the
/// files are) with the columns of `full` (its [`schema`]), only those `projection` names (all
/// without one), of the partitions `partition_wanted` keeps.
/// Only those columns are kept as the files are decoded; a Parquet file gives only them.
///
/// # Errors
/// Storage errors; a malformed JSON line without `ignore.malformed.json` (one error naming the
/// file and line, as Athena's `HIVE_CURSOR_ERROR`).
pub(crate) fn read(
    table: &CatalogTable,
    location: &Location,
    full: &SchemaRef,
    projection: Option<&[usize]>,
    partition_wanted: &PartitionFilter<'_>,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let wanted: Vec<usize> = projection.map_or_else(|| (0..full.fields().len()).collect(), <[usize]>::to_vec);
    let projected = Arc::new(full.project(&wanted)?);
    let declared = table.storage_descriptor.columns.len();
    let from_files: Vec<(usize, FieldRef)> =
        wanted.iter().filter(|&&i| i < declared).map(|&i| (i, Arc::clone(&full.fields()[i]))).collect();
    let storage = Storage::of(table)?;
    let files = match storage {
        Storage::Snapshot => staged::committed_files(location)?,
        _ => source::list(std::slice::from_ref(location), true)?,
    };
    let files: Vec<FileEntry> = files.into_iter().filter(|f| !objects::is_hidden(f.name())).collect();
    let root = location.to_string();
    let mut partitions: BTreeMap<Vec<(String, String)>, Vec<FileEntry>> = BTreeMap::new();
    for file in files {
        partitions.entry(partition_values(&root, &file.location.to_string())).or_default().push(file);
    }
    let keys: Vec<bool> = wanted.iter().map(|&i| i >= declared).collect();
    let mut batches = Vec::new();
    for (values, files) in partitions {
        if !table.partition_keys.is_empty() && !partition_wanted(&partition_batch(table, full, &values)?) {
            continue;
        }
        for batch in read_files(table, &files, &storage, &from_files)? {
            batches.push(with_partition_values(&projected, &keys, &batch, &values)?);
        }
    }
    Ok((projected, batches))
}

/// The `key=value` folders between the table's location and a file.
fn partition_values(root: &str, file: &str) -> Vec<(String, String)> {
    let relative = file.strip_prefix(root.trim_end_matches('/')).unwrap_or(file);
    let mut folders: Vec<&str> = relative.split('/').filter(|s| !s.is_empty()).collect();
    folders.pop();
    folders.into_iter().filter_map(|s| s.split_once('=')).map(|(k, v)| (k.to_lowercase(), percent_decoded(v))).collect()
}

/// Hive escapes special characters of partition values as `%XX`.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A partition's key values as one row of the partition keys' columns (their declared types).
fn partition_batch(table: &CatalogTable, full: &SchemaRef, values: &[(String, String)]) -> Result<RecordBatch> {
    let declared = table.storage_descriptor.columns.len();
    let keys = Arc::new(Schema::new(full.fields()[declared..].to_vec()));
    let empty = batch_of(&Arc::new(Schema::empty()), Vec::new(), 1)?;
    with_partition_values(&keys, &vec![true; keys.fields().len()], &empty, values)
}

/// A batch with the columns `schema` names in order: those read from the files (by name), and
/// the partition keys (`keys[i]`) from the folders: NULL where a key's folder is missing, and for
/// Hive's `__HIVE_DEFAULT_PARTITION__`.
fn with_partition_values(
    schema: &SchemaRef,
    keys: &[bool],
    batch: &RecordBatch,
    values: &[(String, String)],
) -> Result<RecordBatch> {
    let rows = batch.num_rows();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (field, &key) in schema.fields().iter().zip(keys) {
        if !key {
            let column = batch.column_by_name(field.name()).cloned();
            columns.push(column.unwrap_or_else(|| new_null_array(field.data_type(), rows)));
            continue;
        }
        let value = values.iter().find(|(k, _)| k == field.name()).map(|(_, v)| v.as_str());
        let text: ArrayRef = match value {
            Some(v) if v != "__HIVE_DEFAULT_PARTITION__" => Arc::new(StringArray::from(vec![v; rows])),
            _ => new_null_array(&DataType::Utf8, rows),
        };
        columns.push(converted(&text, field.data_type()));
    }
    batch_of(schema, columns, rows)
}

/// A batch of `rows` rows (also without columns, as `count(*)` reads).
fn batch_of(schema: &SchemaRef, columns: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?)
}

/// The declared columns `wanted` (with their positions among the declared ones) of `files`.
fn read_files(
    table: &CatalogTable,
    files: &[FileEntry],
    storage: &Storage,
    wanted: &[(usize, FieldRef)],
) -> Result<Vec<RecordBatch>> {
    let target = Arc::new(Schema::new(wanted.iter().map(|(_, f)| Arc::clone(f)).collect::<Vec<_>>()));
    match storage {
        Storage::Json { ignore_malformed } => {
            // Only the wanted keys' columns are kept from each decoded batch.
            let keep = |batch: &RecordBatch| -> Result<RecordBatch> {
                let indices: Vec<usize> = (0..batch.num_columns())
                    .filter(|&i| {
                        let name = batch.schema_ref().field(i).name().to_ascii_lowercase();
                        wanted.iter().any(|(_, f)| *f.name() == name)
                    })
                    .collect();
                Ok(batch.project(&indices)?)
            };
            let data = landing_json::read_files_filtered(files, None, &LandingOptions::default(), &keep)?;
            if data.stats.quarantined > 0 && !ignore_malformed {
                return Err(malformed_json(table, &data.rejected));
            }
            let mut out = by_name(&target, &data.batches)?;
            // OpenX reads a malformed line as a row of NULLs.
            if data.stats.quarantined > 0 {
                let rows = usize::try_from(data.stats.quarantined).unwrap_or(usize::MAX);
                let nulls = target.fields().iter().map(|f| new_null_array(f.data_type(), rows)).collect();
                out.push(batch_of(&target, nulls, rows)?);
            }
            Ok(out)
        }
        Storage::Parquet | Storage::Snapshot => {
            let parts =
                pool::install(|| files.par_iter().map(|f| parquet_columns(f, &target)).collect::<Result<Vec<_>>>())?;
            Ok(parts.into_iter().flatten().collect())
        }
        Storage::Text(options) => {
            let mut out = Vec::new();
            for file in files {
                let (_, batches) = csv::read_text(file, options)?;
                for batch in batches {
                    out.push(by_position(&target, wanted, &batch)?);
                }
            }
            Ok(out)
        }
    }
}

/// One Parquet file's columns of `target` (matched by name ignoring case); its row count alone
/// when `target` has no columns.
fn parquet_columns(file: &FileEntry, target: &SchemaRef) -> Result<Vec<RecordBatch>> {
    let (schema, rows) = parquet_file::footer(file)?;
    let names: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|name| target.fields().iter().any(|t| t.name().eq_ignore_ascii_case(name)))
        .collect();
    if names.is_empty() {
        let rows = usize::try_from(rows).unwrap_or(usize::MAX);
        let nulls = target.fields().iter().map(|f| new_null_array(f.data_type(), rows)).collect();
        return Ok(vec![batch_of(target, nulls, rows)?]);
    }
    let (_, batches) = parquet_file::read(file, Some(&names))?;
    by_name(target, &batches)
}

/// `HIVE_CURSOR_ERROR` for the first malformed line.
fn malformed_json(table: &CatalogTable, rejected: &[RecordBatch]) -> Error {
    let first = rejected.iter().find(|b| b.num_rows() > 0);
    let text = |batch: &RecordBatch, name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| arrow_cast::display::array_value_to_string(c, 0).ok())
            .unwrap_or_default()
    };
    let place =
        first.map(|b| format!(" ({}, line {})", text(b, "source_file"), text(b, "line_number"))).unwrap_or_default();
    Error::InvalidArgument(format!(
        "HIVE_CURSOR_ERROR: Row is not a valid JSON Object{place} in table {}.{}; the SerDe property \
         'ignore.malformed.json' = 'true' reads such lines as rows of NULLs",
        table.database_name, table.name
    ))
}

/// Each declared column from the batch's columns of that name ignoring case (the first non-NULL
/// value of several spellings), converted to the declared type.
fn by_name(target: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut columns = Vec::with_capacity(target.fields().len());
        for field in target.fields() {
            let mut column: Option<ArrayRef> = None;
            for (found, array) in batch.schema().fields().iter().zip(batch.columns()) {
                if !found.name().eq_ignore_ascii_case(field.name()) {
                    continue;
                }
                let value = converted(array, field.data_type());
                column = Some(match column {
                    None => value,
                    Some(first) => zip(&datafusion::arrow::compute::is_not_null(&first)?, &first, &value)?,
                });
            }
            columns.push(column.unwrap_or_else(|| new_null_array(field.data_type(), batch.num_rows())));
        }
        out.push(batch_of(target, columns, batch.num_rows())?);
    }
    Ok(out)
}

/// Declared columns by position (text files have no names); missing fields are NULL, extra ones
/// are ignored, as Hive reads them.
fn by_position(target: &SchemaRef, wanted: &[(usize, FieldRef)], batch: &RecordBatch) -> Result<RecordBatch> {
    let columns = wanted
        .iter()
        .map(|(i, field)| match batch.columns().get(*i) {
            Some(array) => converted(array, field.data_type()),
            None => new_null_array(field.data_type(), batch.num_rows()),
        })
        .collect();
    batch_of(target, columns, batch.num_rows())
}

/// A column as the declared type; a value that does not convert is NULL (the SerDes' rule), and
/// so is a whole column of a type that cannot convert at all (an object read as a number).
fn converted(array: &ArrayRef, to: &DataType) -> ArrayRef {
    if array.data_type() == to {
        return Arc::clone(array);
    }
    let nested = matches!(to, DataType::Struct(_) | DataType::List(_) | DataType::Map(_, _));
    if nested && matches!(array.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
        // The decoder keeps an object or array value as its JSON text; the SerDe reads it as the
        // declared struct, array or map.
        return json::values_of_type(array, to, json::as_written);
    }
    let options = CastOptions { safe: true, ..CastOptions::default() };
    if can_cast_types(array.data_type(), to) {
        if let Ok(cast) = cast_with_options(array, to, &options) {
            return cast;
        }
    }
    new_null_array(to, array.len())
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;

    use super::*;

    #[test]
    fn partition_values_come_from_key_value_folders() {
        let values = partition_values("s3://b/t/", "s3://b/t/year=2024/Month=01/city=New%20York/part-0.json");
        assert_eq!(
            values,
            vec![
                ("year".to_string(), "2024".to_string()),
                ("month".to_string(), "01".to_string()),
                ("city".to_string(), "New York".to_string())
            ]
        );
        assert!(partition_values("/lake/t", "/lake/t/part-0.json").is_empty());
    }

    #[test]
    fn values_that_do_not_convert_are_null() {
        let text: ArrayRef = Arc::new(StringArray::from(vec![Some("12"), Some("x"), None]));
        let numbers = converted(&text, &DataType::Int64);
        assert_eq!(numbers.null_count(), 2);
        let listed: ArrayRef = new_null_array(&DataType::Struct(Vec::<Field>::new().into()), 2);
        assert_eq!(converted(&listed, &DataType::Int64).null_count(), 2);
    }

    #[test]
    fn json_text_reads_as_the_declared_nested_type() {
        let texts: ArrayRef = Arc::new(StringArray::from(vec![Some(r#"{"a": 1, "b": ["x"]}"#), Some("[1]"), None]));
        let to = crate::core::types::parse_type("struct<a:bigint,b:array<string>>").unwrap();
        let values = converted(&texts, &to);
        assert_eq!(values.len(), 3);
        assert_eq!(values.null_count(), 2);
        let row = values.as_struct();
        assert_eq!(row.column(0).as_primitive::<arrow_array::types::Int64Type>().value(0), 1);
    }
}
