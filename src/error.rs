//! The one error type of the core. The Python bindings map each variant to an exception class.

use std::path::Path;

/// Everything that can stop a glueless operation. Messages are one readable line and never carry
/// secrets.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A path, table or folder that should exist does not.
    #[error("{what} not found: {path}")]
    NotFound { what: &'static str, path: String },

    /// A job's input table is missing because the job that writes it has not run.
    #[error("input table {table} not found at {path}: run {job} first")]
    MissingInput { table: String, path: String, job: String },

    /// A caller passed something that cannot be used (bad URL, unknown table, bad option).
    #[error("{0}")]
    InvalidArgument(String),

    /// Reading or writing a file failed.
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// An object store (S3, or the local filesystem through object_store) refused or failed a request.
    #[error("{op} {url}: {reason}")]
    Storage { op: &'static str, url: String, reason: String },

    /// The credentials were rejected or lack a permission.
    #[error("access denied {op} {url}: {reason}")]
    AccessDenied { op: &'static str, url: String, reason: String },

    /// Another run changed the same output (or holds its lock): this run wrote nothing visible.
    #[error("{0}")]
    Conflict(String),

    /// A streaming checkpoint is unreadable or belongs to another query: never silently reset.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint { path: String, reason: String },

    /// An Arrow operation failed (schema mismatch between batches, for example).
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),

    /// Encoding or decoding Parquet failed.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),

    /// A Spark SQL query or DataFrame expression that does not parse or resolve.
    #[error("{0}")]
    Sql(String),

    /// A query outgrew `GLUELESS_MEMORY_LIMIT` where it cannot spill to disk.
    #[error("{0}")]
    MemoryLimit(String),

    /// The operation is valid but this build cannot do it yet.
    #[error("{0}")]
    Unsupported(String),
}

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`, with a not-found error turned into [`Error::NotFound`].
    #[must_use]
    pub fn io(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { what: "path", path: path.display().to_string() }
        } else {
            Error::Io { op, path: path.display().to_string(), source }
        }
    }
}
