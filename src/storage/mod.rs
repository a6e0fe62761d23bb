//! Storage: where lakes live and how bytes get in and out of them, local or on S3, through
//! object_store.
//!
//! This module knows locations, objects and atomic commits; it knows nothing of tables or schemas.

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

pub use location::Location;
pub use objects::FileEntry;
pub use staged::{committed_files, StagedFolder};
