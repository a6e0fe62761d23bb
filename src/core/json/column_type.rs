//! The types a landing column can have: the four the JSON reader infers and coerces to. Their
//! names are [`crate::core::types`]' Athena (Hive) names, the words stored in the schema history
//! and shipped to Spark's tasks.

use std::fmt;
use std::str::FromStr;

use arrow_schema::DataType;
use serde::{Deserialize, Serialize};

use crate::core::types::simple_type;
use crate::error::{Error, Result};

/// A landing column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ColumnType {
    String,
    Bigint,
    Double,
    Boolean,
}

impl ColumnType {
    /// The landing type that Arrow's `data_type` is.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a type no landing column has.
    pub(crate) fn of(data_type: &DataType) -> Result<Self> {
        Ok(match data_type {
            DataType::Utf8 => ColumnType::String,
            DataType::Int64 => ColumnType::Bigint,
            DataType::Float64 => ColumnType::Double,
            DataType::Boolean => ColumnType::Boolean,
            other => return Err(Error::Unsupported(format!("landing column type {other}"))),
        })
    }

    /// How Arrow holds it.
    #[must_use]
    pub(crate) fn arrow(self) -> DataType {
        match self {
            ColumnType::String => DataType::Utf8,
            ColumnType::Bigint => DataType::Int64,
            ColumnType::Double => DataType::Float64,
            ColumnType::Boolean => DataType::Boolean,
        }
    }

    /// Its Athena (Hive) name.
    #[must_use]
    pub(crate) fn athena(self) -> &'static str {
        simple_type(&self.arrow()).map_or("string", |t| t.hive)
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.athena())
    }
}

impl FromStr for ColumnType {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        [ColumnType::String, ColumnType::Bigint, ColumnType::Double, ColumnType::Boolean]
            .into_iter()
            .find(|t| t.athena() == name)
            .ok_or_else(|| Error::InvalidArgument(format!("unknown landing column type {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_arrow_and_its_name() {
        for t in [ColumnType::String, ColumnType::Bigint, ColumnType::Double, ColumnType::Boolean] {
            assert_eq!(ColumnType::of(&t.arrow()).unwrap(), t);
            assert_eq!(t.athena().parse::<ColumnType>().unwrap(), t);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{t}\""));
        }
        assert!("int".parse::<ColumnType>().is_err());
        assert!(ColumnType::of(&DataType::Int32).is_err());
    }
}
