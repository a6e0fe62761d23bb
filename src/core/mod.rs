//! The core: what every way into glueless stands on, and nothing above it. Storage (local folders
//! and S3, atomic commits, Parquet files, table formats), the readers of text files (the JSON
//! reader of landing files and users' sources; Spark's JSON and CSV parse modes), the generic
//! table kernels (DISTINCT, joins, projection), and the named thread pool. The core knows no Spark
//! API, no Glue transform and no STEDI table.

pub mod formats;
pub mod json;
pub mod kernels;
pub mod pool;
pub(crate) mod progress;
pub mod storage;
pub mod text;
pub mod types;
