//! Storage: where lakes live and how bytes get in and out of them, local or on S3, through
//! object_store.
//!
//! This module knows locations, objects and atomic commits; it knows nothing of the jobs' tables.
//! Iceberg and Delta commits go through a committer the embedding installs (`table_format`).

pub(crate) mod credentials;
pub(crate) mod failpoint;
pub(crate) mod local_commit;
pub(crate) mod location;
pub(crate) mod lock;
pub(crate) mod objects;
pub(crate) mod parquet_file;
pub(crate) mod runtime;
pub(crate) mod s3;
pub(crate) mod s3_commit;
pub(crate) mod staged;
pub(crate) mod table_format;

pub(crate) use location::Location;
pub(crate) use objects::FileEntry;
pub(crate) use staged::{committed_files, StagedFolder};
pub(crate) use table_format::{TableFormat, WrittenFile};
