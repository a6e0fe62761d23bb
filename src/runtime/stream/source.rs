//! The file source: a folder (local or S3) of Parquet, JSON-lines or CSV files; new files are
//! taken in modification-time order (then by name), each exactly once.

use std::collections::HashSet;

use super::checkpoint::SourceFile;
use crate::core::storage::{objects, FileEntry, Location};
use crate::error::Result;

/// The format of a stream's files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum SourceFormat {
    #[default]
    Parquet,
    /// JSON lines or CSV, read into the declared schema (see [`super::text`]).
    Text(crate::core::text::TextOptions),
}

/// A folder that new files arrive in.
#[derive(Debug, Clone)]
pub(crate) struct FileSource {
    pub(crate) folder: Location,
}

impl FileSource {
    /// Files not yet `seen`, oldest first.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for a missing folder or bucket; storage errors.
    pub(crate) fn pending(&self, seen: &HashSet<String>) -> Result<Vec<SourceFile>> {
        let mut files: Vec<FileEntry> =
            objects::list_files(&self.folder)?.into_iter().filter(|f| !seen.contains(f.name())).collect();
        files.sort_by(|a, b| (a.modified_ms, a.name()).cmp(&(b.modified_ms, b.name())));
        Ok(files
            .into_iter()
            .map(|f| SourceFile { name: f.name().to_string(), size: f.size, modified_ms: f.modified_ms })
            .collect())
    }

    /// The file `file` as a storage entry.
    #[must_use]
    pub(crate) fn entry(&self, file: &SourceFile) -> FileEntry {
        FileEntry { location: self.folder.join(&file.name), size: file.size, modified_ms: file.modified_ms }
    }
}
