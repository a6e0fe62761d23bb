//! New content for an output folder, staged and then committed in one step: on a local
//! filesystem by exchanging two folders atomically, on S3 by the copy-then-manifest protocol, for
//! an Iceberg or Delta table by a snapshot of its format.

use super::local_commit::{self, StagedDir};
use super::objects::{self, FileEntry};
use super::parquet_file;
use super::s3_commit::{self, S3Staging};
use super::table_format::{self, TableFormat, TableStaging, WrittenFile};
use super::Location;
use crate::error::Result;

/// Files being written to replace the content of a folder; dropped without a commit, they are
/// removed and the folder stays as it was.
#[derive(Debug)]
pub(crate) enum StagedFolder {
    Local(StagedDir),
    S3(S3Staging),
    Table(TableStaging),
}

impl StagedFolder {
    /// Start replacing the content of `target`.
    ///
    /// # Errors
    /// Storage errors naming the target.
    pub(crate) fn create(target: &Location) -> Result<Self> {
        Ok(match target {
            Location::Local(path) => StagedFolder::Local(StagedDir::create(path)?),
            Location::S3 { .. } => StagedFolder::S3(S3Staging::create(target)?),
        })
    }

    /// Start replacing the content of the table `name` at `target`, in `format` (`None`: the
    /// format the table already has).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] when `target` holds a table of another format; storage
    /// errors naming the target.
    pub(crate) fn create_table(
        target: &Location,
        format: Option<TableFormat>,
        name: &str,
        schema: &arrow_schema::SchemaRef,
    ) -> Result<Self> {
        match table_format::resolve(target, format)? {
            TableFormat::Parquet => Self::create(target),
            format => Ok(StagedFolder::Table(TableStaging::create(format, target, name, schema)?)),
        }
    }

    /// Whether new files need names unique to the run (a table format keeps earlier snapshots'
    /// files for time travel).
    #[must_use]
    pub(crate) fn keeps_history(&self) -> bool {
        matches!(self, StagedFolder::Table(_))
    }

    /// Take over `staging`, a folder (or S3 prefix) beside `target` that another writer — a
    /// Spark job — filled, so that committing it replaces `target` as atomically as our own writes.
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] when `staging` is not beside `target` or on another store.
    pub(crate) fn adopt(target: &Location, staging: &Location) -> Result<Self> {
        Ok(match (target, staging) {
            (Location::Local(t), Location::Local(s)) => StagedFolder::Local(StagedDir::adopt(t, s)?),
            (Location::S3 { .. }, Location::S3 { .. }) if staging.parent() == target.parent() => {
                StagedFolder::S3(S3Staging::adopt(target, staging)?)
            }
            _ => {
                return Err(crate::Error::InvalidArgument(format!(
                    "{staging}: a staged folder must be beside {target} on the same store"
                )))
            }
        })
    }

    /// Take over `staging`, a folder beside the table `name` at `target` that another writer (a
    /// Spark job) filled with Parquet files, for a commit in the table's `format` (`None`: the
    /// format the table already has, Parquet for a new one). A Parquet table adopts the folder as
    /// [`StagedFolder::adopt`]; for an Iceberg or Delta table the files move into its data folder
    /// under names unique to the run, and the commit makes them one snapshot.
    ///
    /// # Errors
    /// As [`StagedFolder::adopt`]; [`crate::Error::InvalidArgument`] when `target` holds a table of
    /// another format; [`crate::Error::NotFound`] when `staging` holds no Parquet file.
    pub(crate) fn adopt_table(
        target: &Location,
        staging: &Location,
        format: Option<TableFormat>,
        name: &str,
    ) -> Result<Self> {
        let format = table_format::resolve(target, format)?;
        // Dropped below, the folder is removed (as every staged folder left uncommitted).
        let folder = Self::adopt(target, staging)?;
        if format == TableFormat::Parquet {
            return Ok(folder);
        }
        let files: Vec<FileEntry> =
            objects::list_files(staging)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
        let footers = files.iter().map(parquet_file::footer).collect::<Result<Vec<_>>>()?;
        let (schema, _) = footers
            .first()
            .ok_or_else(|| crate::Error::NotFound { what: "staged Parquet file", path: staging.to_string() })?;
        let mut table = TableStaging::create(format, target, name, schema)?;
        let run = table_format::run_suffix(true);
        for (file, &(_, rows)) in files.iter().zip(&footers) {
            let location = table.file(&table_format::run_file_name(file.name(), &run));
            objects::rename(&file.location, &location)?;
            table.adopt(WrittenFile { location, size: file.size, rows });
        }
        drop(folder);
        Ok(StagedFolder::Table(table))
    }

    /// Where to write the new file `name`.
    #[must_use]
    pub(crate) fn file(&self, name: &str) -> Location {
        match self {
            StagedFolder::Local(dir) => Location::Local(dir.path().join(name)),
            StagedFolder::S3(staging) => staging.file(name),
            StagedFolder::Table(table) => table.file(name),
        }
    }

    /// Carry `files` (committed files of the target) into the new content unchanged: an append
    /// keeps the old files and adds new ones.
    ///
    /// # Errors
    /// Storage errors naming the file.
    pub(crate) fn keep(&mut self, files: &[FileEntry]) -> Result<()> {
        match self {
            StagedFolder::Local(dir) => dir.keep(files),
            StagedFolder::S3(staging) => {
                staging.keep(files);
                Ok(())
            }
            StagedFolder::Table(table) => {
                table.keep(files);
                Ok(())
            }
        }
    }

    /// Make the staged files (`written`, as [`StagedFolder::file`] handed them out) the folder's
    /// content, with `properties` (e.g. a job bookmark) committed in the same step: a reader of
    /// [`committed_properties`] sees the ones that belong to the files it sees.
    ///
    /// # Errors
    /// Storage errors; the folder then still holds its previous content.
    pub(crate) fn commit(self, written: &[WrittenFile], properties: Option<&serde_json::Value>) -> Result<()> {
        match self {
            StagedFolder::Local(dir) => dir.commit(properties),
            StagedFolder::S3(staging) => staging.commit(properties),
            StagedFolder::Table(table) => table.commit(written, properties),
        }
    }
}

/// The properties committed with the folder's current content, or `None` (no glueless commit,
/// or one without properties).
///
/// # Errors
/// Storage errors; [`crate::Error::Storage`] when the stored properties are not JSON.
pub(crate) fn committed_properties(folder: &Location) -> Result<Option<serde_json::Value>> {
    if let Some(snapshot) = table_format::open_snapshot(folder)? {
        return Ok(snapshot.properties);
    }
    match folder {
        Location::Local(_) => local_commit::properties(folder),
        Location::S3 { .. } => s3_commit::properties(folder),
    }
}

/// The files of the last committed content of `folder` (on S3 those its manifest names, for an
/// Iceberg or Delta table those of its current snapshot).
///
/// # Errors
/// [`crate::Error::NotFound`] for a missing local folder or bucket; storage errors.
pub(crate) fn committed_files(folder: &Location) -> Result<Vec<FileEntry>> {
    if let Some(snapshot) = table_format::open_snapshot(folder)? {
        return Ok(snapshot.files);
    }
    match folder {
        Location::Local(_) => objects::list_files(folder),
        Location::S3 { .. } => s3_commit::committed_files(folder),
    }
}
