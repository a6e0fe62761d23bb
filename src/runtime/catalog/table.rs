//! A Data Catalog table in the shape Glue's GetTable returns (PascalCase JSON), so the local
//! catalog's files, `glueless catalog list` and the AWS Glue API exchange the same records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A column: name, Hive type name and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CatalogColumn {
    pub(crate) name: String,
    #[serde(rename = "Type")]
    pub(crate) data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
}

/// SerDe library and its properties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SerdeInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) serialization_library: Option<String>,
    #[serde(default)]
    pub(crate) parameters: BTreeMap<String, String>,
}

/// Where the files are and how they are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StorageDescriptor {
    pub(crate) columns: Vec<CatalogColumn>,
    pub(crate) location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) input_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) output_format: Option<String>,
    #[serde(default)]
    pub(crate) serde_info: SerdeInfo,
}

/// A table of the Data Catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CatalogTable {
    pub(crate) name: String,
    pub(crate) database_name: String,
    #[serde(default)]
    pub(crate) table_type: String,
    #[serde(default)]
    pub(crate) parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) partition_keys: Vec<CatalogColumn>,
    pub(crate) storage_descriptor: StorageDescriptor,
}

impl CatalogTable {
    /// A table from its Glue `GetTable` record as JSON (fields Glue adds that glueless does not
    /// read, such as `CreateTime`, are ignored).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for text that is not such a record.
    pub(crate) fn from_json(record: &str) -> crate::error::Result<Self> {
        serde_json::from_str(record)
            .map_err(|e| crate::Error::InvalidArgument(format!("not a catalog table record: {e}")))
    }
}
