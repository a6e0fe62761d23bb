//! JSON-lines and CSV files of a stream, read into the declared schema as Spark's file sources
//! read them: fields by name (JSON) or position (CSV), Spark's conversions, and its parse modes
//! for malformed records (PERMISSIVE keeps them with nulls, DROPMALFORMED drops them, FAILFAST
//! stops). A declared string column named `_corrupt_record` holds each malformed record's text.

pub(crate) mod columns;
mod csv;
pub(crate) mod datetime;
pub(crate) mod java;
mod json;
pub(crate) mod pattern;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, SchemaRef};

use crate::error::{Error, Result};
use columns::Column;
pub(crate) use datetime::SessionZone;

/// What a malformed record becomes (Spark's `mode` option).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum ParseMode {
    #[default]
    Permissive,
    DropMalformed,
    FailFast,
}

impl ParseMode {
    /// # Errors
    /// [`Error::InvalidArgument`] for a mode Spark does not have.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "PERMISSIVE" => Ok(Self::Permissive),
            "DROPMALFORMED" => Ok(Self::DropMalformed),
            "FAILFAST" => Ok(Self::FailFast),
            _ => Err(Error::InvalidArgument(format!("bad mode {text:?}: use PERMISSIVE, DROPMALFORMED or FAILFAST"))),
        }
    }
}

/// The CSV options (header, separator, quote, escape), as users' Glue sources have them.
pub(crate) use crate::core::formats::csv::CsvOptions;

/// The text formats of a stream's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextFormat {
    Json,
    Csv(CsvOptions),
}

/// How a text file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextOptions {
    pub(crate) format: TextFormat,
    pub(crate) mode: ParseMode,
    /// The session time zone: the zone of a timestamp written without one.
    pub(crate) zone: SessionZone,
    /// Spark's `columnNameOfCorruptRecord`.
    pub(crate) corrupt_column: String,
}

impl TextOptions {
    #[must_use]
    pub(crate) fn new(format: TextFormat) -> Self {
        Self { format, mode: ParseMode::Permissive, zone: SessionZone::utc(), corrupt_column: "_corrupt_record".into() }
    }
}

/// A file's rows and what was malformed: `records == rows + dropped`.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) batch: RecordBatch,
    /// Malformed records kept with nulls (PERMISSIVE).
    pub(crate) malformed: u64,
    /// Malformed records dropped (DROPMALFORMED).
    pub(crate) dropped: u64,
}

/// The rows of one file being built.
struct Rows<'o> {
    options: &'o TextOptions,
    file: &'o str,
    columns: Vec<Column>,
    /// Where the corrupt-record column is (it is not read from the data).
    corrupt: Option<usize>,
    corrupt_text: Vec<Option<String>>,
    records: usize,
    /// Per record: whether it stays (DROPMALFORMED drops the malformed ones at the end).
    keep: Vec<bool>,
    malformed: u64,
    dropped: u64,
}

impl<'o> Rows<'o> {
    fn new(schema: &SchemaRef, options: &'o TextOptions, file: &'o str) -> Result<Self> {
        let corrupt = schema
            .fields()
            .iter()
            .position(|f| f.name() == &options.corrupt_column && f.data_type() == &DataType::Utf8);
        let columns = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if Some(i) == corrupt {
                    Column::new(f.name(), &DataType::Utf8)
                } else {
                    Column::new(f.name(), f.data_type())
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            options,
            file,
            columns,
            corrupt,
            corrupt_text: Vec::new(),
            records: 0,
            keep: Vec::new(),
            malformed: 0,
            dropped: 0,
        })
    }

    /// Add one record: `fill` appends a value (or a null) to every data column and says whether
    /// all of them could be read; `text` is the record as written.
    fn record(&mut self, line: u64, text: &str, fill: impl FnOnce(&mut [Column], Option<usize>) -> bool) -> Result<()> {
        let clean = fill(&mut self.columns, self.corrupt);
        self.keep.push(clean || self.options.mode != ParseMode::DropMalformed);
        if !clean {
            match self.options.mode {
                ParseMode::FailFast => {
                    return Err(Error::InvalidArgument(format!(
                        "{}: line {line}: malformed record (mode FAILFAST): {}",
                        self.file,
                        text.chars().take(200).collect::<String>()
                    )))
                }
                ParseMode::DropMalformed => self.dropped += 1,
                ParseMode::Permissive => self.malformed += 1,
            }
        }
        if self.corrupt.is_some() {
            self.corrupt_text.push((!clean).then(|| text.to_string()));
        }
        self.records += 1;
        Ok(())
    }

    fn finish(self, schema: &SchemaRef) -> Result<Decoded> {
        let corrupt = self.corrupt;
        let mut texts = self.corrupt_text.into_iter();
        let columns = self
            .columns
            .into_iter()
            .enumerate()
            .map(|(i, column)| {
                if Some(i) == corrupt {
                    let values: Vec<Option<String>> = texts.by_ref().collect();
                    Ok(Arc::new(arrow_array::StringArray::from(values)) as ArrayRef)
                } else {
                    column.finish()
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(self.records));
        let mut batch = RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?;
        if self.dropped > 0 {
            batch = arrow_select::filter::filter_record_batch(&batch, &arrow_array::BooleanArray::from(self.keep))?;
        }
        Ok(Decoded { batch, malformed: self.malformed, dropped: self.dropped })
    }
}

/// Read the text `content` of the file `file` into `schema` (its fields nullable).
///
/// # Errors
/// [`Error::Unsupported`] for a declared type the text readers do not read;
/// [`Error::InvalidArgument`] for a malformed record in FAILFAST mode.
pub(crate) fn decode(content: &[u8], file: &str, schema: &SchemaRef, options: &TextOptions) -> Result<Decoded> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let text = String::from_utf8_lossy(content);
    let mut rows = Rows::new(schema, options, file)?;
    match &options.format {
        TextFormat::Json => json::read(&text, schema, &mut rows)?,
        TextFormat::Csv(csv_options) => csv::read(&text, csv_options, &mut rows)?,
    }
    rows.finish(schema)
}
