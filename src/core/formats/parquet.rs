//! Parquet files: the page codecs a sink writes, and one file's bytes as Glue's and Spark's
//! writers make them. The reader, with its statistics and projection, is the storage layer's
//! ([`crate::core::storage::parquet_file`]), which every lake table goes through.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::core::storage::parquet_file;
use crate::error::Result;

/// The Parquet page codecs a sink writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParquetCodec {
    Snappy,
    Gzip,
    Zstd,
    Lz4,
}

impl ParquetCodec {
    /// Every Parquet codec glueless writes.
    pub(crate) const ALL: [ParquetCodec; 4] =
        [ParquetCodec::Snappy, ParquetCodec::Gzip, ParquetCodec::Zstd, ParquetCodec::Lz4];

    /// Its name as Spark's and Glue's `compression` option takes it.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            ParquetCodec::Snappy => "snappy",
            ParquetCodec::Gzip => "gzip",
            ParquetCodec::Zstd => "zstd",
            ParquetCodec::Lz4 => "lz4",
        }
    }

    /// The codec `name` names (any case; `gz` is gzip).
    #[must_use]
    pub(crate) fn named(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let lower = if lower == "gz" { "gzip" } else { lower.as_str() };
        Self::ALL.into_iter().find(|c| c.name() == lower)
    }

    /// Its part of a Parquet file's name, as Spark writes it (`…-snappy.parquet`, `….gz.parquet`).
    #[must_use]
    pub(crate) fn label(self) -> &'static str {
        match self {
            ParquetCodec::Snappy => "snappy",
            ParquetCodec::Gzip => "gz",
            ParquetCodec::Zstd => "zst",
            ParquetCodec::Lz4 => "lz4",
        }
    }
}

/// The writer settings of a sink's Parquet file: pages compressed with `codec` (none:
/// uncompressed), dictionaries as `sample` (the first rows) shows they pay.
///
/// # Errors
/// [`crate::Error::Parquet`] for an invalid codec level.
pub(crate) fn writer_properties(
    schema: &SchemaRef,
    sample: &[RecordBatch],
    codec: Option<ParquetCodec>,
) -> Result<WriterProperties> {
    let compression = match codec {
        None => Compression::UNCOMPRESSED,
        Some(ParquetCodec::Snappy) => Compression::SNAPPY,
        Some(ParquetCodec::Gzip) => Compression::GZIP(GzipLevel::default()),
        Some(ParquetCodec::Zstd) => Compression::ZSTD(ZstdLevel::try_new(1)?),
        Some(ParquetCodec::Lz4) => Compression::LZ4_RAW,
    };
    let properties = WriterProperties::builder()
        .set_compression(compression)
        .set_created_by(format!("glueless {}", env!("CARGO_PKG_VERSION")));
    Ok(parquet_file::without_needless_dictionaries(properties, schema, sample).build())
}

/// One Parquet file of `batches`, its pages compressed with `codec` (none: uncompressed).
pub(crate) fn encode(schema: &SchemaRef, batches: &[RecordBatch], codec: Option<ParquetCodec>) -> Result<Bytes> {
    let properties = writer_properties(schema, batches, codec)?;
    let mut buffer = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buffer, Arc::clone(schema), Some(properties))?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.close()?;
    Ok(Bytes::from(buffer))
}
