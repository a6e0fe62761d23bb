//! Storage: where lakes live and how bytes get in and out of them.
//!
//! This module knows locations, files and atomic commits; it knows nothing of tables or schemas.

pub mod commit;
pub mod failpoint;
pub mod local;
pub mod location;
pub mod parquet_file;

pub use commit::StagedDir;
pub use location::Location;
