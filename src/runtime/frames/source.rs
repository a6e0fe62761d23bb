//! Sources of users' scripts: JSON, CSV and Parquet files under S3 prefixes or local folders.
//!
//! JSON goes through the landing decoder (every record kept with the fields it has; a record that
//! is not JSON is quarantined, never dropped); CSV through arrow-csv with Glue's defaults; Parquet
//! through the storage layer, files with different columns aligned by name.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{new_null_array, RecordBatch};
use arrow_schema::{Field, Schema, SchemaRef};
use rayon::prelude::*;

use crate::core::formats::codec::{decompress_named, Content};
use crate::core::json::{self, LandingOptions};
use crate::core::storage::objects::{self, FileEntry};
use crate::core::storage::{parquet_file, Location};
use crate::error::{Error, Result};

/// The file formats a source reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceFormat {
    Json,
    Parquet,
    Csv(CsvOptions),
}

/// Glue's CSV options (`withHeader` false, `separator` `,`, `quoteChar` `"` by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvOptions {
    pub(crate) header: bool,
    pub(crate) separator: u8,
    pub(crate) quote: Option<u8>,
    pub(crate) escape: Option<u8>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self { header: false, separator: b',', quote: Some(b'"'), escape: None }
    }
}

/// What a source read: rows, quarantined records and the counts that add up.
#[derive(Debug)]
pub(crate) struct SourceData {
    pub(crate) schema: SchemaRef,
    pub(crate) batches: Vec<RecordBatch>,
    /// Quarantined records (landing quarantine schema): JSON lines that are not JSON objects.
    pub(crate) rejected: Vec<RecordBatch>,
    pub(crate) files: u64,
    pub(crate) bytes: u64,
    pub(crate) records: u64,
    pub(crate) rows: u64,
    pub(crate) quarantined: u64,
}

/// The data files at `paths`: a path naming one object is that file; a folder gives its files,
/// and its sub-folders' too when `recurse`. A folder or prefix that holds nothing gives none
/// (as Glue reads an empty S3 prefix).
///
/// # Errors
/// Storage errors other than a missing folder.
pub(crate) fn list(paths: &[Location], recurse: bool) -> Result<Vec<FileEntry>> {
    let mut files = Vec::new();
    for path in paths {
        if let Some(file) = objects::file_info(path)? {
            files.push(file);
            continue;
        }
        let mut folders = vec![path.clone()];
        while let Some(folder) = folders.pop() {
            match objects::list_files(&folder) {
                Ok(found) => files.extend(found),
                Err(Error::NotFound { .. }) => continue,
                Err(other) => return Err(other),
            }
            if recurse {
                let mut below = objects::list_folders(&folder)?;
                below.retain(|f| !objects::is_hidden(f.name()));
                folders.extend(below);
            }
        }
    }
    files.sort_by_key(|f| f.location.to_string());
    files.dedup_by(|a, b| a.location == b.location);
    Ok(files)
}

/// Read `files` in `format`.
///
/// # Errors
/// Storage errors; [`Error::Arrow`] / [`Error::Parquet`] for a CSV or Parquet file that cannot be
/// decoded (JSON records that cannot be decoded are quarantined instead).
pub(crate) fn read(files: &[FileEntry], format: &SourceFormat) -> Result<SourceData> {
    let bytes: u64 = files.iter().map(|f| f.size).sum();
    let count = files.len() as u64;
    match format {
        SourceFormat::Json => {
            let output = json::read_files(files, None, &LandingOptions::default())?;
            let rows = output.stats.accepted;
            Ok(SourceData {
                schema: output.schema,
                batches: output.batches,
                rejected: output.rejected,
                files: count,
                bytes,
                records: output.stats.records,
                rows,
                quarantined: output.stats.quarantined,
            })
        }
        SourceFormat::Parquet => read_each(files, bytes, |file| parquet_file::read(file, None)),
        SourceFormat::Csv(options) => read_each(files, bytes, |file| read_csv(file, options)),
    }
}

/// Files read in parallel by `read_file` and aligned into one table (every row is a record).
fn read_each(
    files: &[FileEntry],
    bytes: u64,
    read_file: impl Fn(&FileEntry) -> Result<(SchemaRef, Vec<RecordBatch>)> + Sync,
) -> Result<SourceData> {
    let parts = crate::core::pool::install(|| files.par_iter().map(&read_file).collect::<Result<Vec<_>>>())?;
    let (schema, batches) = align(parts)?;
    let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
    Ok(SourceData {
        schema,
        batches,
        rejected: Vec::new(),
        files: files.len() as u64,
        bytes,
        records: rows,
        rows,
        quarantined: 0,
    })
}

fn read_csv(file: &FileEntry, options: &CsvOptions) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let stored = objects::read(file)?;
    let text = match decompress_named(file.name(), &stored) {
        Content::Plain => stored.to_vec(),
        Content::Decompressed(text) => text,
        Content::Corrupt(reason) => {
            return Err(Error::Storage { op: "reading", url: file.location.to_string(), reason });
        }
    };
    let mut format = arrow_csv::reader::Format::default().with_header(options.header).with_delimiter(options.separator);
    if let Some(quote) = options.quote {
        format = format.with_quote(quote);
    }
    if let Some(escape) = options.escape {
        format = format.with_escape(escape);
    }
    let (inferred, _) = format.infer_schema(std::io::Cursor::new(&text), None)?;
    // Without a header Glue names the columns col0, col1, …
    let schema = if options.header {
        inferred
    } else {
        Schema::new(
            inferred
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| Field::new(format!("col{i}"), f.data_type().clone(), true))
                .collect::<Vec<_>>(),
        )
    };
    let schema = Arc::new(schema);
    let reader =
        arrow_csv::ReaderBuilder::new(Arc::clone(&schema)).with_format(format).build(std::io::Cursor::new(text))?;
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((schema, batches))
}

/// One schema for files whose columns differ: columns by name in order of first appearance, a
/// column a file lacks as nulls. The same name with two types is an error naming both.
fn align(parts: Vec<(SchemaRef, Vec<RecordBatch>)>) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let mut fields: Vec<Field> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (schema, _) in &parts {
        for field in schema.fields() {
            match index.get(field.name()) {
                Some(&i) if fields[i].data_type() != field.data_type() => {
                    return Err(Error::Unsupported(format!(
                        "column {} is {} in one file and {} in another",
                        field.name(),
                        fields[i].data_type(),
                        field.data_type()
                    )));
                }
                Some(_) => {}
                None => {
                    index.insert(field.name().clone(), fields.len());
                    fields.push(field.as_ref().clone().with_nullable(true));
                }
            }
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let mut batches = Vec::new();
    for (_, part) in parts {
        for batch in part {
            let columns = schema
                .fields()
                .iter()
                .map(|f| {
                    batch
                        .column_by_name(f.name())
                        .cloned()
                        .unwrap_or_else(|| new_null_array(f.data_type(), batch.num_rows()))
                })
                .collect();
            batches.push(RecordBatch::try_new(Arc::clone(&schema), columns)?);
        }
    }
    Ok((schema, batches))
}

/// A JSON object's keys in the order it has them (values skipped).
struct RecordKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for RecordKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = RecordKeys;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<RecordKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(RecordKeys(keys))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// Records a script built in memory, as JSON lines (`Map.apply`'s returned records): the schema
/// inferred from every record as Glue infers a DynamicFrame's — objects as structs, arrays as
/// arrays, fields in the order first seen, a field of integers and floats a double, other mixes a
/// string (the numbers and booleans then as their JSON text).
///
/// # Errors
/// [`Error::InvalidArgument`]-like Arrow errors for a line that is no JSON object.
pub(crate) fn read_json_lines(text: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let (inferred, _) = arrow_json::reader::infer_json_schema(std::io::Cursor::new(text.as_bytes()), None)?;
    // Arrow's inference names the fields in sorted order; the records' own order comes first.
    let mut order: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let keys: RecordKeys =
            serde_json::from_str(line).map_err(|e| Error::InvalidArgument(format!("a record: {e}")))?;
        order.extend(keys.0.into_iter().filter(|k| seen.insert(k.clone())));
    }
    let fields: Vec<_> = order.iter().filter_map(|name| inferred.field_with_name(name).ok().cloned()).collect();
    let schema = Arc::new(Schema::new(fields));
    let reader = arrow_json::ReaderBuilder::new(Arc::clone(&schema))
        .with_coerce_primitive(true)
        .build(std::io::Cursor::new(text.as_bytes()))?;
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((schema, batches))
}
