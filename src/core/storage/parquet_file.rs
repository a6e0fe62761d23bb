//! One Parquet file, local or on S3: written with zstd level 1 (about the size of level 3,
//! faster) by parquet's `AsyncArrowWriter` — into a local file that is synced, or into an
//! object_store `BufWriter`, which switches to a multipart upload past 10 MiB — and read back.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{new_empty_array, Array, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Schema, SchemaRef};
use arrow_select::concat::concat;
use arrow_select::take::take;
use object_store::buffered::BufWriter;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::{AsyncArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::properties::{WriterProperties, WriterPropertiesBuilder};
use parquet::schema::types::ColumnPath;

use super::objects::{self, store_error, FileEntry};
use super::{runtime, Location};
use crate::error::{Error, Result};

/// Rows per Parquet row group: large enough for good compression, small enough for readers to
/// parallelise over row groups.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Values sampled per column to judge whether a dictionary pays.
const DICTIONARY_SAMPLE: usize = 4096;

fn properties(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<WriterProperties> {
    let builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("glueless {}", env!("CARGO_PKG_VERSION")));
    Ok(without_needless_dictionaries(builder, schema, batches).build())
}

/// `builder` with dictionary encoding off for the columns whose first values are mostly unique
/// numbers: a dictionary over nearly unique numbers (epoch-ms times, readings) only costs
/// hashing every value until the writer gives up on it; judged from a sample of `batches`.
pub(crate) fn without_needless_dictionaries(
    mut builder: WriterPropertiesBuilder,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> WriterPropertiesBuilder {
    for (i, field) in schema.fields().iter().enumerate() {
        if mostly_unique_numbers(batches, i) {
            builder = builder.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), false);
        }
    }
    builder
}

/// Whether column `i` is int64 or float64 with more than half of a sample of values distinct.
fn mostly_unique_numbers(batches: &[RecordBatch], i: usize) -> bool {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    let Some(batch) = batches.iter().find(|b| b.num_rows() > 0) else { return false };
    let column = batch.column(i);
    let sample: Vec<u64> = match column.data_type() {
        arrow_schema::DataType::Int64 => column
            .as_primitive::<Int64Type>()
            .iter()
            .flatten()
            .take(DICTIONARY_SAMPLE)
            .map(|v| u64::from_ne_bytes(v.to_ne_bytes()))
            .collect(),
        arrow_schema::DataType::Float64 => {
            column.as_primitive::<Float64Type>().iter().flatten().take(DICTIONARY_SAMPLE).map(f64::to_bits).collect()
        }
        _ => return false,
    };
    let distinct: std::collections::HashSet<u64> = sample.iter().copied().collect();
    sample.len() >= 64 && distinct.len() * 2 > sample.len()
}

/// Write `batches` (all of `schema`) as a new Parquet file at `location`; a local file must not
/// exist yet and is flushed to disk. Returns the file's size in bytes.
///
/// # Errors
/// Storage or Parquet errors naming the file; an S3 multipart upload that fails is aborted.
pub fn write(location: &Location, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<u64> {
    let mut sink = ParquetSink::create(location, schema, batches)?;
    for batch in batches {
        sink.write(batch)?;
    }
    sink.finish()
}

/// A new Parquet file written batch by batch, so a table can be written as it is computed:
/// memory holds the row group being encoded, not the table.
pub(crate) struct ParquetSink {
    location: Location,
    writer: SinkWriter,
}

enum SinkWriter {
    Local(AsyncArrowWriter<tokio::fs::File>, std::path::PathBuf),
    /// `None` once the upload was aborted.
    S3(Option<AsyncArrowWriter<BufWriter>>),
}

impl ParquetSink {
    /// Create the file at `location` (a local file must not exist yet) for rows of `schema`;
    /// `sample` (the first rows, or none) decides which columns skip dictionary encoding.
    ///
    /// # Errors
    /// Storage errors naming the file.
    pub(crate) fn create(location: &Location, schema: &SchemaRef, sample: &[RecordBatch]) -> Result<Self> {
        Self::create_with(location, schema, properties(schema, sample)?)
    }

    /// As [`ParquetSink::create`], with the writer settings `props`.
    ///
    /// # Errors
    /// Storage errors naming the file.
    pub(crate) fn create_with(location: &Location, schema: &SchemaRef, props: WriterProperties) -> Result<Self> {
        let writer = match location {
            Location::Local(path) => runtime::block_on(async {
                let file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(path)
                    .await
                    .map_err(|e| Error::io("creating", path, e))?;
                Ok::<_, Error>(SinkWriter::Local(
                    AsyncArrowWriter::try_new(file, schema.clone(), Some(props))?,
                    path.clone(),
                ))
            })?,
            Location::S3 { .. } => {
                let resolved = objects::resolve(location)?;
                let upload = BufWriter::new(resolved.store, resolved.path);
                SinkWriter::S3(Some(AsyncArrowWriter::try_new(upload, schema.clone(), Some(props))?))
            }
        };
        Ok(Self { location: location.clone(), writer })
    }

    /// Where the file is being written.
    #[must_use]
    pub(crate) fn location(&self) -> &Location {
        &self.location
    }

    /// Append `batch`.
    ///
    /// # Errors
    /// Storage or Parquet errors naming the file; an S3 multipart upload is then aborted.
    pub(crate) fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let location = &self.location;
        match &mut self.writer {
            SinkWriter::Local(writer, _) => {
                runtime::block_on(writer.write(batch)).map_err(|e| write_error(location, e))
            }
            SinkWriter::S3(slot) => runtime::block_on(async {
                let writer = slot.as_mut().ok_or_else(|| aborted(location))?;
                if let Err(err) = writer.write(batch).await {
                    if let Some(writer) = slot.take() {
                        // Leaves no parts behind (an aborted multipart upload costs nothing).
                        let _ = writer.into_inner().abort().await;
                    }
                    return Err(write_error(location, err));
                }
                Ok(())
            }),
        }
    }

    /// Give the file up: an S3 multipart upload is aborted (a local file stays in its staging
    /// folder, which is removed with it).
    pub(crate) fn abort(self) {
        if let SinkWriter::S3(Some(writer)) = self.writer {
            let _ = runtime::block_on(writer.into_inner().abort());
        }
    }

    /// Write the footer (and sync a local file, complete an S3 upload); the file's size in bytes.
    ///
    /// # Errors
    /// Storage or Parquet errors naming the file.
    pub(crate) fn finish(self) -> Result<u64> {
        let location = &self.location;
        match self.writer {
            SinkWriter::Local(mut writer, path) => runtime::block_on(async {
                writer.finish().await.map_err(|e| write_error(location, e))?;
                let file = writer.into_inner();
                file.sync_all().await.map_err(|e| Error::io("syncing", &path, e))?;
                let meta = file.metadata().await.map_err(|e| Error::io("reading", &path, e))?;
                Ok(meta.len())
            }),
            SinkWriter::S3(writer) => runtime::block_on(async {
                let mut writer = writer.ok_or_else(|| aborted(location))?;
                writer.finish().await.map_err(|e| write_error(location, e))?;
                Ok(writer.bytes_written() as u64)
            }),
        }
    }
}

/// A writer error: the store's own error when the upload failed, else the Parquet error.
fn write_error(location: &Location, err: ParquetError) -> Error {
    if let ParquetError::External(source) = err {
        let source = match source.downcast::<std::io::Error>() {
            Ok(io) => match io.into_inner() {
                Some(inner) => match inner.downcast::<object_store::Error>() {
                    Ok(store) => return store_error("writing", location, *store),
                    Err(other) => other,
                },
                None => return Error::Storage { op: "writing", url: location.to_string(), reason: "I/O error".into() },
            },
            Err(other) => other,
        };
        return Error::Storage {
            op: "writing",
            url: location.to_string(),
            reason: super::s3::scrub(&source.to_string()),
        };
    }
    Error::Parquet(err)
}

/// `batches` encoded as one Parquet file in memory (small files that are then put in one atomic write).
///
/// # Errors
/// [`Error::Parquet`].
pub(crate) fn encode(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<bytes::Bytes> {
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(Vec::new(), schema.clone(), Some(properties(schema, batches)?))?;
    for batch in batches {
        writer.write(batch)?;
    }
    Ok(bytes::Bytes::from(writer.into_inner()?))
}

/// The Arrow schema of the Parquet file `file` (from its footer).
///
/// # Errors
/// As [`read`].
pub(crate) fn read_schema(file: &FileEntry) -> Result<SchemaRef> {
    Ok(ParquetSource::open(file)?.schema().clone())
}

/// The number of rows of the Parquet file `file` (from its footer).
///
/// # Errors
/// As [`read`].
pub(crate) fn row_count(file: &FileEntry) -> Result<u64> {
    Ok(footer(file)?.1)
}

/// The Arrow schema and the number of rows of the Parquet file `file`, from one read of its
/// footer.
///
/// # Errors
/// As [`read`].
pub(crate) fn footer(file: &FileEntry) -> Result<(SchemaRef, u64)> {
    let source = ParquetSource::open(file)?;
    let rows = u64::try_from(source.metadata.metadata().file_metadata().num_rows()).unwrap_or(0);
    Ok((source.schema().clone(), rows))
}

/// Bytes read from a file's end for its footer in one go (a larger footer takes a second read).
const FOOTER_GUESS: u64 = 64 << 10;

/// The footer of the Parquet file `file` (schema, row groups, statistics), read from the file's
/// end only.
///
/// # Errors
/// [`Error::NotFound`] or storage errors naming the file; a file that is not Parquet.
pub(crate) fn footer_metadata(file: &FileEntry) -> Result<ArrowReaderMetadata> {
    let url = file.location.to_string();
    let mut tail = objects::read_tail(file, FOOTER_GUESS)?;
    let mut reader = ParquetMetaDataReader::new();
    loop {
        match reader.try_parse_sized(&tail, file.size) {
            Ok(()) => break,
            Err(ParquetError::NeedMoreData(needed)) if (needed as u64) > tail.len() as u64 => {
                tail = objects::read_tail(file, needed as u64)?;
            }
            Err(e) => return Err(unreadable(&url, &e)),
        }
    }
    let metadata = reader.finish().map_err(|e| unreadable(&url, &e))?;
    ArrowReaderMetadata::try_new(Arc::new(metadata), ArrowReaderOptions::default()).map_err(|e| unreadable(&url, &e))
}

/// Read every batch of the Parquet file `file`; only the top-level `columns` when given.
///
/// # Errors
/// [`Error::NotFound`], storage errors or [`Error::Parquet`] naming the file.
pub(crate) fn read(file: &FileEntry, columns: Option<&[&str]>) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let source = ParquetSource::open(file)?;
    let batches = source.batches(columns)?;
    let schema = match columns {
        Some(columns) => projected_schema(source.schema(), columns),
        None => source.schema().clone(),
    };
    Ok((schema, batches))
}

/// `schema`'s fields named in `columns`, in the schema's order (as a Parquet projection reads them).
#[must_use]
pub(crate) fn projected_schema(schema: &SchemaRef, columns: &[&str]) -> SchemaRef {
    let fields: Vec<_> = schema.fields().iter().filter(|f| columns.contains(&f.name().as_str())).cloned().collect();
    std::sync::Arc::new(arrow_schema::Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// A Parquet file's content and footer, read once, so its row groups can be read one at a time
/// (and in parallel).
pub(crate) struct ParquetSource {
    url: String,
    content: bytes::Bytes,
    metadata: ArrowReaderMetadata,
}

impl ParquetSource {
    /// Read the file `file` and its footer.
    ///
    /// # Errors
    /// [`Error::NotFound`] or storage errors naming the file; a file that is not Parquet.
    pub(crate) fn open(file: &FileEntry) -> Result<Self> {
        let content = objects::read(file)?;
        let url = file.location.to_string();
        let metadata =
            ArrowReaderMetadata::load(&content, ArrowReaderOptions::default()).map_err(|e| unreadable(&url, &e))?;
        Ok(Self { url, content, metadata })
    }

    /// The file's Arrow schema.
    #[must_use]
    pub(crate) fn schema(&self) -> &SchemaRef {
        self.metadata.schema()
    }

    /// The number of row groups.
    #[must_use]
    pub(crate) fn row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    /// Hand every batch of the row groups `row_groups` (all when `None`) to `f`, with only the
    /// top-level `columns` when given.
    ///
    /// # Errors
    /// A file that is not readable Parquet; whatever `f` returns.
    pub(crate) fn read(
        &self,
        row_groups: Option<Vec<usize>>,
        columns: Option<&[&str]>,
        mut f: impl FnMut(RecordBatch) -> Result<()>,
    ) -> Result<()> {
        let mut builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(self.content.clone(), self.metadata.clone())
                .with_batch_size(64 * 1024);
        if let Some(columns) = columns {
            let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
            builder = builder.with_projection(mask);
        }
        if let Some(row_groups) = row_groups {
            builder = builder.with_row_groups(row_groups);
        }
        let reader = builder.build().map_err(|e| unreadable(&self.url, &e))?;
        for batch in reader {
            f(batch.map_err(|e| unreadable(&self.url, &e))?)?;
        }
        Ok(())
    }

    /// Every batch of the file, with only the top-level `columns` when given.
    ///
    /// # Errors
    /// A file that is not readable Parquet.
    pub(crate) fn batches(&self, columns: Option<&[&str]>) -> Result<Vec<RecordBatch>> {
        let mut batches = Vec::new();
        self.read(None, columns, |batch| {
            batches.push(batch);
            Ok(())
        })?;
        Ok(batches)
    }

    /// The distinct non-null values of the string column `column`, or `None` when it is not a
    /// string column. Read as Parquet stores them: each row group's dictionary and which of its
    /// entries the rows use, so a semi-join against millions of rows of a few thousand users
    /// copies no string per row (pages without a dictionary are read and de-duplicated).
    ///
    /// # Errors
    /// A file that is not readable Parquet or lacks `column`.
    pub(crate) fn distinct_strings(&self, column: &str) -> Result<Option<ArrayRef>> {
        let schema = self.schema();
        let index = schema.index_of(column)?;
        if schema.field(index).data_type() != &DataType::Utf8 {
            return Ok(None);
        }
        let as_dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        let fields: Vec<_> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == index {
                    Arc::new(f.as_ref().clone().with_data_type(as_dictionary.clone()))
                } else {
                    f.clone()
                }
            })
            .collect();
        let hinted = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        let metadata = ArrowReaderMetadata::try_new(
            self.metadata.metadata().clone(),
            ArrowReaderOptions::new().with_schema(hinted),
        )
        .map_err(|e| unreadable(&self.url, &e))?;
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(self.content.clone(), metadata)
            .with_batch_size(64 * 1024);
        let mask = ProjectionMask::columns(builder.parquet_schema(), [column]);
        let reader = builder.with_projection(mask).build().map_err(|e| unreadable(&self.url, &e))?;
        // The batches of one row group share its dictionary: the entries used are gathered per
        // dictionary and taken once it changes.
        let mut distinct = Vec::new();
        let mut current: Option<(ArrayRef, Vec<bool>)> = None;
        for batch in reader {
            let batch = batch.map_err(|e| unreadable(&self.url, &e))?;
            let column = batch.column(0).as_dictionary::<Int32Type>();
            if !current.as_ref().is_some_and(|(values, _)| Arc::ptr_eq(values, column.values())) {
                distinct.extend(current.take().map(|(values, used)| used_entries(&values, &used)).transpose()?);
                current = Some((column.values().clone(), vec![false; column.values().len()]));
            }
            let (_, used) = current.as_mut().expect("set above");
            for key in column.keys().iter().flatten() {
                let Some(slot) = usize::try_from(key).ok().and_then(|k| used.get_mut(k)) else {
                    return Err(unreadable(&self.url, &format!("dictionary key {key} out of range")));
                };
                *slot = true;
            }
        }
        distinct.extend(current.map(|(values, used)| used_entries(&values, &used)).transpose()?);
        let parts: Vec<&dyn Array> = distinct.iter().map(AsRef::as_ref).collect();
        let all = if parts.is_empty() { new_empty_array(&DataType::Utf8) } else { concat(&parts)? };
        Ok(Some(unique_strings(all.as_string::<i32>())))
    }
}

/// The entries of `values` whose `used` flag is set, nulls left out.
fn used_entries(values: &ArrayRef, used: &[bool]) -> Result<ArrayRef> {
    let indices: UInt32Array = used
        .iter()
        .enumerate()
        .filter(|&(i, &u)| u && values.is_valid(i))
        // Lossless: a dictionary with Int32 keys has fewer than 2^31 entries.
        .map(|(i, _)| {
            #[allow(clippy::cast_possible_truncation)]
            let i = i as u32;
            Some(i)
        })
        .collect();
    Ok(take(values.as_ref(), &indices, None)?)
}

/// The distinct strings of `values`, in first-seen order.
fn unique_strings(values: &StringArray) -> ArrayRef {
    let mut seen = std::collections::HashSet::new();
    let unique: StringArray = values.iter().flatten().filter(|v| seen.insert(*v)).map(Some).collect();
    Arc::new(unique)
}

fn aborted(location: &Location) -> Error {
    Error::Storage { op: "writing", url: location.to_string(), reason: "the upload was aborted after an error".into() }
}

fn unreadable(url: &str, e: &dyn std::fmt::Display) -> Error {
    Error::Storage { op: "reading", url: url.to_string(), reason: format!("not a readable Parquet file ({e})") }
}

#[cfg(test)]
mod tests {
    use arrow_array::{Float64Array, Int64Array};
    use arrow_schema::Field;

    use super::*;

    #[test]
    fn dictionaries_are_skipped_only_for_nearly_unique_numbers() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("time", DataType::Int64, true),
            Field::new("x", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from_iter_values(1_655_564_376_361..1_655_564_386_361)),
                Arc::new(Float64Array::from_iter_values((0..10_000).map(|i| f64::from(i % 3) - 1.0))),
            ],
        )
        .unwrap();
        assert!(mostly_unique_numbers(std::slice::from_ref(&batch), 0));
        assert!(!mostly_unique_numbers(std::slice::from_ref(&batch), 1));
        let props = properties(&schema, &[batch]).unwrap();
        assert!(!props.dictionary_enabled(&ColumnPath::from("time")));
        assert!(props.dictionary_enabled(&ColumnPath::from("x")));
        assert!(!mostly_unique_numbers(&[], 0), "an empty table keeps the defaults");
    }

    /// Distinct strings come from each row group's dictionary (only the entries rows use), or
    /// from plain pages when the writer kept no dictionary; nulls and repeats are left out.
    #[test]
    fn distinct_strings_read_dictionaries_and_plain_pages_alike() {
        let dir = crate::testing::tempdir();
        let schema = Arc::new(Schema::new(vec![
            Field::new("user", DataType::Utf8, true),
            Field::new("n", DataType::Int64, false),
        ]));
        let users = ["b", "a", "b", "c", "a", "d", "b"];
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(
                    users.iter().enumerate().map(|(i, u)| (i != 2).then_some(*u)).collect::<Vec<_>>(),
                )),
                Arc::new(Int64Array::from_iter_values(0..7)),
            ],
        )
        .unwrap();
        for dictionary in [true, false] {
            let path = dir.path().join(format!("{dictionary}.parquet"));
            let props = WriterProperties::builder()
                .set_dictionary_enabled(dictionary)
                .set_max_row_group_row_count(Some(3))
                .build();
            let mut writer = parquet::arrow::ArrowWriter::try_new(
                std::fs::File::create(&path).unwrap(),
                schema.clone(),
                Some(props),
            )
            .unwrap();
            writer.write(&batch).unwrap();
            writer.close().unwrap();
            let entry = FileEntry { location: Location::Local(path.clone()), size: 0, modified_ms: 0 };
            let source = ParquetSource::open(&entry).unwrap();
            assert_eq!(source.row_groups(), 3);
            let distinct = source.distinct_strings("user").unwrap().unwrap();
            let mut got: Vec<&str> = distinct.as_string::<i32>().iter().flatten().collect();
            got.sort_unstable();
            assert_eq!(got, ["a", "b", "c", "d"], "dictionary: {dictionary}");
            assert_eq!(distinct.null_count(), 0);
            assert!(source.distinct_strings("n").unwrap().is_none(), "not a string column");
            assert!(source.distinct_strings("nope").is_err());
        }
    }
}
