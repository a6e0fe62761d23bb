//! Sinks of users' scripts: new JSON, CSV or Parquet files in a folder, as Glue writes them.
//!
//! Glue's S3 writes append: a run adds files named `run-<millis>-part-r-<n>` and never clears the
//! target. Each file is put whole (a local file appears by rename, an S3 object by one put), so a
//! reader never sees half a file. With partition keys, rows go to Hive-style `key=value/`
//! folders and the key columns leave the files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use arrow_array::{Array, RecordBatch, UInt32Array};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{Schema, SchemaRef};
use bytes::Bytes;
use rayon::prelude::*;

use crate::core::formats::{csv, json, parquet, Codec, FileFormat, ParquetCodec, NO_COMPRESSION};
use crate::core::storage::{objects, Location};
use crate::error::{Error, Result};

/// Compression of written files; Glue's defaults: snappy for Parquet, none for JSON and CSV.
/// JSON and CSV files take every codec Spark's text writers take, as Hadoop's codecs write them
/// ([`Codec`]); Parquet compresses its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    /// A Parquet page codec.
    Parquet(ParquetCodec),
    /// A whole JSON or CSV file compressed.
    Text(Codec),
}

impl Compression {
    /// The compression a format gets when `name` is `None` or names one: `none`/`uncompressed`;
    /// for Parquet `snappy`, `gzip`, `zstd`, `lz4`; for JSON and CSV also `bzip2` and `deflate`
    /// (and Hadoop's codec class names, as Spark accepts them).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a name that is no text codec (Spark's message);
    /// [`Error::Unsupported`] for a Parquet codec glueless does not write (brotli, lzo).
    pub(crate) fn parse(name: Option<&str>, format: FileFormat) -> Result<Self> {
        let Some(name) = name else {
            return Ok(if format == FileFormat::Parquet { Self::Parquet(ParquetCodec::Snappy) } else { Self::None });
        };
        let lower = name.to_lowercase();
        if lower.is_empty() || NO_COMPRESSION.contains(&lower.as_str()) {
            return Ok(Self::None);
        }
        if format != FileFormat::Parquet {
            // Spark's text writers know no other codec either: its own message.
            return Codec::named(&lower).map(Self::Text).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "Codec [{name}] is not available. Known codecs are bzip2, deflate, uncompressed, lz4, gzip, \
                     snappy, zstd, none."
                ))
            });
        }
        let unsupported =
            || Error::Unsupported(format!("compression '{name}' for {format:?} files is not supported by glueless"));
        ParquetCodec::named(&lower).map(Self::Parquet).ok_or_else(unsupported)
    }

    /// The Parquet page codec (`None`: uncompressed pages).
    pub(crate) fn parquet_codec(self) -> Option<ParquetCodec> {
        match self {
            Self::None | Self::Text(_) => None,
            Self::Parquet(codec) => Some(codec),
        }
    }
}

/// What a sink writes and how.
#[derive(Debug, Clone)]
pub(crate) struct SinkOptions {
    pub(crate) format: FileFormat,
    pub(crate) compression: Compression,
    pub(crate) partition_keys: Vec<String>,
    /// CSV files begin with a header line: Glue's `writeHeader` (default true), Spark's `header`
    /// (default false).
    pub(crate) header: bool,
}

/// What a write added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Written {
    pub(crate) files: u64,
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
    /// The partition folders written to (`key=value/…`), empty without partition keys.
    pub(crate) partitions: Vec<String>,
}

/// Glue names a run's files after the time it writes them; two writes in one millisecond get
/// consecutive numbers so that no file replaces another.
pub(crate) fn run_stamp() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// Write `batches` as new files under `folder`.
///
/// # Errors
/// [`Error::InvalidArgument`] for a partition key the rows lack; storage and encoding errors.
pub(crate) fn write(
    folder: &Location,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    options: &SinkOptions,
) -> Result<Written> {
    let stamp = run_stamp();
    let mut written = Written::default();
    if options.partition_keys.is_empty() {
        // Glue writes no file for an empty frame, and one file per task: here one per slice of
        // rows, encoded in parallel.
        let slices = row_slices(batches, crate::core::pool::size());
        let files = crate::core::pool::install(|| {
            slices
                .par_iter()
                .enumerate()
                .map(|(part, slice)| encode_file(folder, stamp, part, schema, slice, options))
                .collect::<Result<Vec<_>>>()
        })?;
        for file in files {
            file.put(&mut written)?;
        }
        return Ok(written);
    }
    let (key_indices, data_indices, data_schema) = split_keys(schema, &options.partition_keys)?;
    let groups: Vec<_> = partition_rows(batches, &key_indices, &options.partition_keys)?.into_iter().collect();
    let files = crate::core::pool::install(|| {
        groups
            .par_iter()
            .map(|(folder_name, pieces)| {
                let part_batches = pieces
                    .iter()
                    .map(|(batch_index, rows)| take_rows(&batches[*batch_index], rows, &data_indices, &data_schema))
                    .collect::<Result<Vec<_>>>()?;
                encode_file(&folder.join(folder_name), stamp, 0, &data_schema, &part_batches, options)
            })
            .collect::<Result<Vec<_>>>()
    })?;
    for (file, (folder_name, _)) in files.into_iter().zip(groups) {
        file.put(&mut written)?;
        written.partitions.push(folder_name);
    }
    Ok(written)
}

/// The positions of the partition `keys` in `schema`, of the other columns, and the schema of
/// the files (without the keys).
///
/// # Errors
/// [`Error::InvalidArgument`] for a key that is not a column.
fn split_keys(schema: &SchemaRef, keys: &[String]) -> Result<(Vec<usize>, Vec<usize>, SchemaRef)> {
    let key_indices = keys
        .iter()
        .map(|key| {
            schema.index_of(key).map_err(|_| {
                Error::InvalidArgument(format!("partition key {key} is not a column of the frame ({})", names(schema)))
            })
        })
        .collect::<Result<Vec<usize>>>()?;
    let data_indices: Vec<usize> = (0..schema.fields().len()).filter(|i| !key_indices.contains(i)).collect();
    let data_schema = Arc::new(schema.project(&data_indices)?);
    Ok((key_indices, data_indices, data_schema))
}

/// The rows `rows` of `batch`, only its `columns`.
fn take_rows(batch: &RecordBatch, rows: &[u32], columns: &[usize], schema: &SchemaRef) -> Result<RecordBatch> {
    let indices = UInt32Array::from(rows.to_vec());
    let taken = columns
        .iter()
        .map(|&i| arrow_select::take::take(batch.column(i).as_ref(), &indices, None))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), taken)?)
}

/// The rows of `batch` by Hive-style partition folder (`k=v/…`, sorted), without the key
/// columns; one part named `""` holding every row when there are no `keys`.
///
/// # Errors
/// [`Error::InvalidArgument`] for a key that is not a column.
pub(crate) fn partitions(batch: &RecordBatch, keys: &[String]) -> Result<Vec<(String, RecordBatch)>> {
    if keys.is_empty() {
        return Ok(vec![(String::new(), batch.clone())]);
    }
    let (key_indices, data_indices, data_schema) = split_keys(batch.schema_ref(), keys)?;
    partition_rows(std::slice::from_ref(batch), &key_indices, keys)?
        .into_iter()
        .map(|(folder, pieces)| {
            let rows: Vec<u32> = pieces.into_iter().flat_map(|(_, rows)| rows).collect();
            Ok((folder, take_rows(batch, &rows, &data_indices, &data_schema)?))
        })
        .collect()
}

/// Rows per written file at least, so that a small frame stays one file.
pub(crate) const MIN_ROWS_PER_FILE: usize = 500_000;

/// `batches` cut into at most `parts` runs of about equal rows (none for no rows).
fn row_slices(batches: &[RecordBatch], parts: usize) -> Vec<Vec<RecordBatch>> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if rows == 0 {
        return Vec::new();
    }
    let parts = parts.clamp(1, rows.div_ceil(MIN_ROWS_PER_FILE));
    let per_part = rows.div_ceil(parts);
    let mut slices = vec![Vec::new()];
    let mut filled = 0;
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            if filled == per_part {
                slices.push(Vec::new());
                filled = 0;
            }
            let take = (per_part - filled).min(batch.num_rows() - offset);
            slices.last_mut().expect("one slice at least").push(batch.slice(offset, take));
            offset += take;
            filled += take;
        }
    }
    slices
}

/// One encoded file, ready to put.
struct EncodedFile {
    location: Location,
    content: Bytes,
    rows: u64,
}

impl EncodedFile {
    fn put(self, written: &mut Written) -> Result<()> {
        written.bytes += self.content.len() as u64;
        written.rows += self.rows;
        written.files += 1;
        objects::put(&self.location, self.content)
    }
}

/// Delete every object under `folder` (Glue's `purge_s3_path` with no retention period);
/// returns how many there were. A folder that does not exist holds none.
///
/// # Errors
/// Storage errors naming the folder.
pub(crate) fn purge(folder: &Location) -> Result<u64> {
    let objects = match objects::list_recursive(folder) {
        Ok(found) => found,
        Err(Error::NotFound { .. }) => return Ok(0),
        Err(other) => return Err(other),
    };
    let count = objects.len() as u64;
    objects::delete_all(folder, objects.into_iter().map(|meta| meta.location).collect())?;
    Ok(count)
}

fn names(schema: &Schema) -> String {
    schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
}

/// Rows of each partition folder: (batch index, row indices) pieces, folders in sorted order.
type Partitions = BTreeMap<String, Vec<(usize, Vec<u32>)>>;

fn partition_rows(batches: &[RecordBatch], keys: &[usize], key_names: &[String]) -> Result<Partitions> {
    let options = FormatOptions::default();
    let mut groups: Partitions = BTreeMap::new();
    for (batch_index, batch) in batches.iter().enumerate() {
        let formatters = keys
            .iter()
            .map(|&k| ArrayFormatter::try_new(batch.column(k).as_ref(), &options))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut local: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for row in 0..batch.num_rows() {
            let folder: Vec<String> = formatters
                .iter()
                .zip(keys)
                .zip(key_names)
                .map(|((f, &k), name)| {
                    let value = if batch.column(k).is_null(row) {
                        "__HIVE_DEFAULT_PARTITION__".to_string()
                    } else {
                        escape_partition_value(&f.value(row).to_string())
                    };
                    format!("{name}={value}")
                })
                .collect();
            let row =
                u32::try_from(row).map_err(|_| Error::Unsupported("a batch of more than 4 billion rows".into()))?;
            local.entry(folder.join("/")).or_default().push(row);
        }
        for (folder, rows) in local {
            groups.entry(folder).or_default().push((batch_index, rows));
        }
    }
    Ok(groups)
}

/// Hive's escaping of partition values: characters that are unsafe in a path become `%XX`.
fn escape_partition_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control() || "\"#%'*/:=?\\{[]^".contains(c) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The name of a run's Parquet file `part`, as Glue names them (the codec's part:
/// `…-snappy.parquet`, `…-uncompressed.parquet`).
pub(crate) fn parquet_file_name(stamp: i64, part: usize, codec: Option<ParquetCodec>) -> String {
    format!("run-{stamp}-part-block-0-r-{part:05}-{}.parquet", codec.map_or("uncompressed", ParquetCodec::label))
}

fn encode_file(
    folder: &Location,
    stamp: i64,
    part: usize,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    options: &SinkOptions,
) -> Result<EncodedFile> {
    let name = match (options.format, options.compression) {
        (FileFormat::Parquet, codec) => parquet_file_name(stamp, part, codec.parquet_codec()),
        // Hadoop's codecs name the files they write with their extension; readers choose the
        // codec by it.
        (_, Compression::Text(codec)) => format!("run-{stamp}-part-r-{part:05}.{}", codec.extension()),
        (_, _) => format!("run-{stamp}-part-r-{part:05}"),
    };
    let content = encode(schema, batches, options)?;
    let rows = batches.iter().map(|b| b.num_rows() as u64).sum::<u64>();
    Ok(EncodedFile { location: folder.join(&name), content, rows })
}

/// One file's bytes in the sink's format and compression.
pub(crate) fn encode(schema: &SchemaRef, batches: &[RecordBatch], options: &SinkOptions) -> Result<Bytes> {
    if options.format == FileFormat::Parquet {
        return parquet::encode(schema, batches, options.compression.parquet_codec());
    }
    let mut text = Vec::new();
    match options.format {
        FileFormat::Json => json::write(&mut text, batches)?,
        FileFormat::Csv => csv::write(&mut text, batches, options.header)?,
        FileFormat::Parquet => unreachable!("handled above"),
    }
    compress(text, options.compression)
}

fn compress(text: Vec<u8>, compression: Compression) -> Result<Bytes> {
    let Compression::Text(codec) = compression else { return Ok(Bytes::from(text)) };
    let stored = codec.compress(&text).map_err(|e| Error::Storage {
        op: "compressing",
        url: String::new(),
        reason: e.to_string(),
    })?;
    Ok(Bytes::from(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_are_escaped() {
        assert_eq!(escape_partition_value("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(escape_partition_value("2024-01-01"), "2024-01-01");
    }

    #[test]
    fn rows_are_cut_into_even_slices() {
        use arrow_array::Int64Array;
        let schema = Arc::new(Schema::new(vec![arrow_schema::Field::new("v", arrow_schema::DataType::Int64, false)]));
        let batch =
            |n: i64| RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from_iter_values(0..n))]).unwrap();
        let batches = [batch(700_000), batch(500_000)];
        let slices = row_slices(&batches, 2);
        let sizes: Vec<usize> = slices.iter().map(|s| s.iter().map(RecordBatch::num_rows).sum()).collect();
        assert_eq!(sizes, [600_000, 600_000]);
        assert_eq!(row_slices(&[batch(10)], 8).len(), 1);
        assert!(row_slices(&[batch(0)], 2).is_empty());
    }

    #[test]
    fn compression_defaults_follow_glue() {
        assert_eq!(Compression::parse(None, FileFormat::Parquet).unwrap(), Compression::Parquet(ParquetCodec::Snappy));
        assert_eq!(Compression::parse(None, FileFormat::Json).unwrap(), Compression::None);
        assert_eq!(Compression::parse(Some("gzip"), FileFormat::Json).unwrap(), Compression::Text(Codec::Gzip));
        // Spark's text writers take Hadoop's snappy, lz4 and deflate too.
        assert_eq!(
            Compression::parse(Some("snappy"), FileFormat::Json).unwrap(),
            Compression::Text(Codec::HadoopSnappy)
        );
        assert_eq!(Compression::parse(Some("deflate"), FileFormat::Csv).unwrap(), Compression::Text(Codec::Deflate));
        assert!(Compression::parse(Some("bzip2"), FileFormat::Parquet).is_err());
        assert!(Compression::parse(Some("brotli"), FileFormat::Json).is_err());
    }
}
