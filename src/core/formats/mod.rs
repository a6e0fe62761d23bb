//! The formats, a file each: the vocabulary, spelled once — the file formats glueless reads and
//! writes (with their Glue names and the Hive classes the Data Catalog records for them), the
//! codecs of text files ([`codec`]) and Parquet pages, the table formats ([`table`]) — and each
//! file format's options, reader and writer ([`csv`], [`json`], [`parquet`]; JSON sources are read
//! by [`crate::core::json`]). Every other place in Rust and Python asks this module for a format's
//! name (Python through `glueless._glueless.FILE_FORMATS`, `TABLE_FORMATS`, `file_format`).

pub(crate) mod codec;
pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod parquet;
pub(crate) mod table;

pub(crate) use codec::Codec;
pub(crate) use parquet::ParquetCodec;
pub(crate) use table::TableFormat;

use crate::error::{Error, Result};

/// A file format of sources and sinks (Glue's `format=`, Spark's `format(...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileFormat {
    Json,
    Csv,
    Parquet,
}

impl FileFormat {
    /// Every file format.
    pub(crate) const ALL: [FileFormat; 3] = [FileFormat::Json, FileFormat::Csv, FileFormat::Parquet];

    /// Its name, and Glue's `classification` of its tables.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            FileFormat::Json => "json",
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
        }
    }

    /// Further names read as this format: `glueparquet`, Glue's writer of the same files.
    #[must_use]
    pub(crate) fn aliases(self) -> &'static [&'static str] {
        match self {
            FileFormat::Parquet => &["glueparquet"],
            FileFormat::Json | FileFormat::Csv => &[],
        }
    }

    /// Every name a file format is read by, each format's name before its aliases.
    pub(crate) fn all_names() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()))
    }

    /// The format one of whose names (any case) is `name`.
    #[must_use]
    pub(crate) fn named(name: &str) -> Option<Self> {
        let lower = name.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|f| f.name() == lower || f.aliases().contains(&lower.as_str()))
    }

    /// [`Self::named`], or the one-line refusal naming every format glueless has.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for other formats (avro, orc, xml, …).
    pub(crate) fn parse(name: &str) -> Result<Self> {
        Self::named(name).ok_or_else(|| {
            let known: Vec<&str> = Self::all_names().collect();
            Error::Unsupported(format!(
                "the {} format is not supported by glueless ({} are)",
                name.to_lowercase(),
                known.join(", ")
            ))
        })
    }

    /// Spark's name of its data source in messages (`Unable to infer schema for JSON`).
    #[must_use]
    pub(crate) fn spark_source_name(self) -> &'static str {
        match self {
            FileFormat::Json => "JSON",
            FileFormat::Csv => "CSV",
            FileFormat::Parquet => "Parquet",
        }
    }

    /// Whether a stream's file sink writes it (Spark's file sinks; glueless's CSV sink is not yet).
    #[must_use]
    pub(crate) fn stream_sink(self) -> bool {
        matches!(self, FileFormat::Json | FileFormat::Parquet)
    }

    /// The Hive input format Glue records for its tables (as its crawlers and sinks do).
    #[must_use]
    pub(crate) fn hive_input_format(self) -> &'static str {
        match self {
            FileFormat::Parquet => "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            FileFormat::Json | FileFormat::Csv => "org.apache.hadoop.mapred.TextInputFormat",
        }
    }

    /// The Hive output format Glue records for its tables.
    #[must_use]
    pub(crate) fn hive_output_format(self) -> &'static str {
        match self {
            FileFormat::Parquet => "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            FileFormat::Json | FileFormat::Csv => "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        }
    }

    /// The SerDe Glue records for its tables (the OpenX JSON SerDe for JSON, as Glue's crawlers).
    #[must_use]
    pub(crate) fn hive_serde(self) -> &'static str {
        match self {
            FileFormat::Parquet => "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            FileFormat::Json => "org.openx.data.jsonserde.JsonSerDe",
            FileFormat::Csv => "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        }
    }
}

/// Formats a catalog may name that glueless does not read: Glue classifications and table types.
pub(crate) const UNREAD_FORMATS: [&str; 3] = ["orc", "avro", "hudi"];

/// The names meaning no compression.
pub(crate) const NO_COMPRESSION: [&str; 2] = ["none", "uncompressed"];

/// `a, b or c`.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_found_by_every_name() {
        for f in FileFormat::ALL {
            assert_eq!(FileFormat::named(&f.name().to_uppercase()), Some(f));
        }
        assert_eq!(FileFormat::named("glueparquet"), Some(FileFormat::Parquet));
        let refusal = FileFormat::parse("avro").unwrap_err().to_string();
        assert!(refusal.contains("the avro format is not supported by glueless (json, csv, parquet, glueparquet are)"));
        assert_eq!(ParquetCodec::named("GZ"), Some(ParquetCodec::Gzip));
        assert_eq!("Iceberg".parse::<TableFormat>().unwrap(), TableFormat::Iceberg);
        assert!("hudi".parse::<TableFormat>().unwrap_err().to_string().contains("parquet, iceberg or delta"));
    }
}
