//! The core: what every way into glueless stands on, and nothing above it. Storage (local folders
//! and S3, atomic commits, Parquet files, table formats), the readers of text files (the JSON
//! reader of landing files and users' sources; Spark's JSON and CSV parse modes), the generic
//! table kernels (DISTINCT, joins, projection), and the named thread pool. The core knows no Spark
//! API, no Glue transform and no STEDI table.

pub(crate) mod formats;
pub(crate) mod json;
pub(crate) mod kernels;
pub(crate) mod pool;
pub(crate) mod progress;
pub(crate) mod storage;
pub(crate) mod text;
pub(crate) mod types;
