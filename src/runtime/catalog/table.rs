//! A Data Catalog table in the shape Glue's GetTable returns (PascalCase JSON), so the local
//! catalog's files, `glueless catalog list` and the AWS Glue API exchange the same records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A column: name, Hive type name and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CatalogColumn {
    pub name: String,
    #[serde(rename = "Type")]
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// SerDe library and its properties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SerdeInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serialization_library: Option<String>,
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

/// Where the files are and how they are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StorageDescriptor {
    pub columns: Vec<CatalogColumn>,
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
    #[serde(default)]
    pub serde_info: SerdeInfo,
}

/// A table of the Data Catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CatalogTable {
    pub name: String,
    pub database_name: String,
    #[serde(default)]
    pub table_type: String,
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub partition_keys: Vec<CatalogColumn>,
    pub storage_descriptor: StorageDescriptor,
}
