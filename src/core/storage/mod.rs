//! Storage: where lakes live and how bytes get in and out of them, local or on S3, through
//! object_store.
//!
//! This module knows locations, objects and atomic commits; it knows nothing of the jobs' tables.
//! Iceberg and Delta commits go through a committer the embedding installs (`table_format`).

pub mod credentials;
pub mod failpoint;
pub mod local_commit;
pub mod location;
pub mod lock;
pub mod objects;
pub mod parquet_file;
pub mod runtime;
pub mod s3;
pub mod s3_commit;
pub mod staged;
pub mod table_format;

pub use location::Location;
pub use objects::FileEntry;
pub use staged::{committed_files, StagedFolder};
pub use table_format::{TableFormat, WrittenFile};
