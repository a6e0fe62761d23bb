//! New content for an output folder, staged and then committed in one step: on a local
//! filesystem by exchanging two folders atomically, on S3 by the copy-then-manifest protocol.

use super::local_commit::StagedDir;
use super::objects::{self, FileEntry};
use super::s3_commit::{self, S3Staging};
use super::Location;
use crate::error::Result;

/// Files being written to replace the content of a folder; dropped without a commit, they are
/// removed and the folder stays as it was.
#[derive(Debug)]
pub enum StagedFolder {
    Local(StagedDir),
    S3(S3Staging),
}

impl StagedFolder {
    /// Start replacing the content of `target`.
    ///
    /// # Errors
    /// Storage errors naming the target.
    pub fn create(target: &Location) -> Result<Self> {
        Ok(match target {
            Location::Local(path) => StagedFolder::Local(StagedDir::create(path)?),
            Location::S3 { .. } => StagedFolder::S3(S3Staging::create(target)?),
        })
    }

    /// Where to write the new file `name`.
    #[must_use]
    pub fn file(&self, name: &str) -> Location {
        match self {
            StagedFolder::Local(dir) => Location::Local(dir.path().join(name)),
            StagedFolder::S3(staging) => staging.file(name),
        }
    }

    /// Make the staged files the folder's content.
    ///
    /// # Errors
    /// Storage errors; the folder then still holds its previous content.
    pub fn commit(self) -> Result<()> {
        match self {
            StagedFolder::Local(dir) => dir.commit(),
            StagedFolder::S3(staging) => staging.commit(),
        }
    }
}

/// The files of the last committed content of `folder` (on S3 those its manifest names).
///
/// # Errors
/// [`crate::Error::NotFound`] for a missing local folder or bucket; storage errors.
pub fn committed_files(folder: &Location) -> Result<Vec<FileEntry>> {
    match folder {
        Location::Local(_) => objects::list_files(folder),
        Location::S3 { .. } => s3_commit::committed_files(folder),
    }
}
