//! CSV files: Glue's options, the reader (arrow-csv, types inferred, Glue's column names without a
//! header) and the writer (Spark's text writer: a header line when asked).

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::codec::{decompress_named, Content};
use crate::core::storage::objects::{self, FileEntry};
use crate::error::{Error, Result};

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

/// One CSV file as Glue reads it: the types inferred, columns `col0`, `col1`, … without a header.
pub(crate) fn read(file: &FileEntry, options: &CsvOptions) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    read_columns(file, options, false)
}

/// One CSV file with every column as text, as Hive's text SerDes read it before converting each
/// field to its declared type (`007` stays `007`; a line with fewer fields ends in NULLs).
pub(crate) fn read_text(file: &FileEntry, options: &CsvOptions) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    read_columns(file, options, true)
}

fn read_columns(file: &FileEntry, options: &CsvOptions, text_only: bool) -> Result<(SchemaRef, Vec<RecordBatch>)> {
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
    let format = format.with_truncated_rows(text_only);
    let (inferred, _) = format.infer_schema(std::io::Cursor::new(&text), None)?;
    let inferred = if text_only {
        Schema::new(inferred.fields().iter().map(|f| Field::new(f.name(), DataType::Utf8, true)).collect::<Vec<_>>())
    } else {
        inferred
    };
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
    let reader = arrow_csv::ReaderBuilder::new(Arc::clone(&schema))
        .with_format(format)
        .with_truncated_rows(text_only)
        .build(std::io::Cursor::new(text))?;
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((schema, batches))
}

/// `batches` as CSV text appended to `text`, with a header line when `header`.
pub(crate) fn write(text: &mut Vec<u8>, batches: &[RecordBatch], header: bool) -> Result<()> {
    let mut writer = arrow_csv::WriterBuilder::new().with_header(header).build(text);
    for batch in batches {
        writer.write(batch)?;
    }
    Ok(())
}
