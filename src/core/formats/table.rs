//! The table formats a zone or a sink commits to: plain Parquet folders, Apache Iceberg and Delta
//! Lake (their committers are in [`crate::core::storage::table_format`]).

use std::str::FromStr;

use crate::core::storage::Location;
use crate::error::{Error, Result};

/// How a table's files are committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TableFormat {
    /// A folder of Parquet files, committed by glueless's own protocol (the default).
    #[default]
    Parquet,
    /// Apache Iceberg (format v2), committed through a catalog.
    Iceberg,
    /// Delta Lake, committed to the table's `_delta_log`.
    Delta,
}

impl TableFormat {
    /// The format's name as `--format` takes it.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TableFormat::Parquet => "parquet",
            TableFormat::Iceberg => "iceberg",
            TableFormat::Delta => "delta",
        }
    }

    /// The folder inside the table that holds its data files (Iceberg's convention is `data/`).
    #[must_use]
    pub(crate) fn data_folder(self, table: &Location) -> Location {
        match self {
            TableFormat::Iceberg => table.join("data"),
            TableFormat::Parquet | TableFormat::Delta => table.clone(),
        }
    }
}

impl std::fmt::Display for TableFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TableFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
            Error::InvalidArgument(format!("unknown table format {s:?}: use {}", super::one_of(&names)))
        })
    }
}

impl TableFormat {
    /// Every table format, in `--format`'s order.
    pub(crate) const ALL: [TableFormat; 3] = [TableFormat::Parquet, TableFormat::Iceberg, TableFormat::Delta];
}
