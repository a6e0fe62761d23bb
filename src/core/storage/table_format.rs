//! Open table formats: Apache Iceberg and Delta Lake tables beside the plain Parquet folders.
//!
//! glueless writes a table's Parquet files itself; a [`TableCommitter`] that the embedding
//! installs (the Python module installs pyiceberg's catalog commit and delta-rs's log commit)
//! makes them one snapshot of the table. Readers of the format see whole snapshots only: a killed
//! run leaves files that no snapshot names, never a half-written table. Reading a table back (the
//! next job's input, a bookmark) asks the same committer for the current snapshot's files.

use std::sync::{Arc, Mutex, RwLock};

use arrow_schema::SchemaRef;

use super::failpoint;
use super::objects::{self, FileEntry};
use super::Location;
pub(crate) use crate::core::formats::TableFormat;
use crate::error::{Error, Result};

/// Whether a commit replaces the table's rows or adds to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommitMode {
    /// The new files are the table's whole content (Iceberg's OVERWRITE snapshot, Delta's
    /// `overwrite`); earlier snapshots stay readable by time travel.
    Overwrite,
    /// The new files are added to the current snapshot's.
    Append,
}

/// A Parquet file written for a commit.
#[derive(Debug, Clone)]
pub(crate) struct WrittenFile {
    pub(crate) location: Location,
    pub(crate) size: u64,
    pub(crate) rows: u64,
}

/// One commit of new files to a table.
#[derive(Debug)]
pub(crate) struct TableCommit<'a> {
    pub(crate) format: TableFormat,
    /// The table's folder.
    pub(crate) table: &'a Location,
    /// The table's name in the catalog (`customer_trusted`).
    pub(crate) name: &'a str,
    pub(crate) schema: &'a SchemaRef,
    pub(crate) files: &'a [WrittenFile],
    pub(crate) mode: CommitMode,
    /// Committed with the files (a job bookmark): Iceberg snapshot properties, Delta commit info.
    pub(crate) properties: Option<&'a serde_json::Value>,
}

/// The current snapshot of a table.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) files: Vec<FileEntry>,
    /// The properties committed with it, if any.
    pub(crate) properties: Option<serde_json::Value>,
}

/// Commits files to open-format tables and reads their current snapshot. Calls may block (a
/// catalog, a log on S3).
pub(crate) trait TableCommitter: Send + Sync {
    /// Make `commit.files` a new snapshot of the table, atomically.
    ///
    /// # Errors
    /// The format's package is missing, the catalog or log refused the commit (another writer
    /// committed first: [`Error::Conflict`]); the table then keeps its previous snapshot.
    fn commit(&self, commit: &TableCommit<'_>) -> Result<()>;

    /// The files and properties of the current snapshot of the `format` table at `table`.
    ///
    /// # Errors
    /// The table is not in the catalog, its log is unreadable, or the package is missing.
    fn snapshot(&self, format: TableFormat, table: &Location) -> Result<Snapshot>;
}

static COMMITTER: RwLock<Option<Arc<dyn TableCommitter>>> = RwLock::new(None);

/// Make `committer` the one every Iceberg and Delta table is committed and read through.
pub(crate) fn install(committer: Arc<dyn TableCommitter>) {
    *COMMITTER.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(committer);
}

/// The installed committer.
///
/// # Errors
/// [`Error::Unsupported`] when none is installed (the core used without the Python module).
pub(crate) fn committer(format: TableFormat) -> Result<Arc<dyn TableCommitter>> {
    COMMITTER
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .ok_or_else(|| Error::Unsupported(format!("{format} tables are committed through the glueless Python module")))
}

/// New files for a table in an open format, written straight into its data folder under names
/// unique to the run, and committed as one snapshot. Dropped without a commit, it deletes the
/// files it handed out; a killed run leaves them unreferenced (the formats' vacuum and
/// orphan-file removal clean them), and no snapshot names them.
#[derive(Debug)]
pub(crate) struct TableStaging {
    format: TableFormat,
    table: Location,
    name: String,
    schema: SchemaRef,
    mode: CommitMode,
    handed_out: Mutex<Vec<Location>>,
    /// Files another writer wrote, committed with the ones given to [`TableStaging::commit`].
    adopted: Vec<WrittenFile>,
    committed: bool,
}

impl TableStaging {
    /// Start a commit of new files to the `format` table `name` at `table`: an overwrite unless
    /// [`TableStaging::keep`] is given the current files.
    ///
    /// # Errors
    /// [`Error::Io`] when a local data folder cannot be created.
    pub(crate) fn create(format: TableFormat, table: &Location, name: &str, schema: &SchemaRef) -> Result<Self> {
        if let Location::Local(path) = format.data_folder(table) {
            std::fs::create_dir_all(&path).map_err(|e| Error::io("creating", &path, e))?;
        }
        Ok(Self {
            format,
            table: table.clone(),
            name: name.to_string(),
            schema: schema.clone(),
            mode: CommitMode::Overwrite,
            handed_out: Mutex::new(Vec::new()),
            adopted: Vec::new(),
            committed: false,
        })
    }

    /// Make the commit an append whatever [`TableStaging::keep`] is given (a stream's batches).
    #[must_use]
    pub(crate) fn appending(mut self) -> Self {
        self.mode = CommitMode::Append;
        self
    }

    /// Add `file`, written into the data folder by another writer and moved to a name from
    /// [`TableStaging::file`], to the files the commit makes the snapshot.
    pub(crate) fn adopt(&mut self, file: WrittenFile) {
        self.adopted.push(file);
    }

    /// Where to write the new data file `name` (which must be unique to the run).
    pub(crate) fn file(&self, name: &str) -> Location {
        let file = self.format.data_folder(&self.table).join(name);
        self.handed_out.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(file.clone());
        file
    }

    /// Keep the current snapshot's files (`files`, non-empty): the commit becomes an append.
    pub(crate) fn keep(&mut self, files: &[FileEntry]) {
        if !files.is_empty() {
            self.mode = CommitMode::Append;
        }
    }

    /// Commit `files` with `properties` as the table's new snapshot.
    ///
    /// # Errors
    /// As [`TableCommitter::commit`]; the table then keeps its previous snapshot.
    pub(crate) fn commit(mut self, files: &[WrittenFile], properties: Option<&serde_json::Value>) -> Result<()> {
        let committer = committer(self.format)?;
        // The crash tests' points, as for glueless's own commits.
        failpoint::hit("commit.before_swap");
        let files = [std::mem::take(&mut self.adopted), files.to_vec()].concat();
        committer.commit(&TableCommit {
            format: self.format,
            table: &self.table,
            name: &self.name,
            schema: &self.schema,
            files: &files,
            mode: self.mode,
            properties,
        })?;
        self.committed = true;
        failpoint::hit("commit.after_swap");
        Ok(())
    }
}

impl Drop for TableStaging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let files = std::mem::take(self.handed_out.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner));
        let paths = files.iter().filter_map(|f| objects::resolve(f).ok()).map(|r| r.path).collect();
        // Best effort: files left behind are unreferenced, never part of the table.
        let _ = objects::delete_all(&self.table, paths);
    }
}

/// `-<nanoseconds since the epoch, hex>` when file names must be unique to the run, else nothing.
#[must_use]
pub(crate) fn run_suffix(unique: bool) -> String {
    if !unique {
        return String::new();
    }
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("-{stamp:x}")
}

/// The Parquet file name `name` with the run's suffix `run` (from [`run_suffix`]) before its
/// extension: `part-00000.parquet` → `part-00000-18edb….parquet`.
#[must_use]
pub(crate) fn run_file_name(name: &str, run: &str) -> String {
    format!("{}{run}.parquet", name.trim_end_matches(".parquet"))
}

/// The format a write to `folder` uses: `requested`, or with `None` the format the table already
/// has (Parquet for a new one).
///
/// # Errors
/// [`Error::InvalidArgument`] when `folder` already holds a table of another format: replacing
/// it would drop its history (and its readers' catalog entry) silently.
pub(crate) fn resolve(folder: &Location, requested: Option<TableFormat>) -> Result<TableFormat> {
    let existing = detect(folder)?;
    let Some(requested) = requested else { return Ok(existing) };
    if requested == existing {
        return Ok(requested);
    }
    let occupied = match existing {
        TableFormat::Parquet => objects::folder_exists(folder)? && !objects::list_files(folder)?.is_empty(),
        TableFormat::Iceberg | TableFormat::Delta => true,
    };
    if occupied {
        return Err(occupied_error(folder, existing, requested));
    }
    Ok(requested)
}

/// The error for writing a `requested` table where a table of the `existing` format is.
#[must_use]
pub(crate) fn occupied_error(folder: &Location, existing: TableFormat, requested: TableFormat) -> Error {
    Error::InvalidArgument(format!(
        "{folder} holds a {existing} table; writing it as {requested} would drop it: remove the folder or keep --format {existing}"
    ))
}

/// The catalog name a table at `folder` gets when nothing names it: its parent folder is the
/// database, its own name the table (`…/gold/fact_review` → `gold.fact_review`).
#[must_use]
pub(crate) fn default_name(folder: &Location) -> String {
    match folder.parent().map(|p| p.name().to_string()).filter(|n| !n.is_empty()) {
        Some(database) => format!("{database}.{}", folder.name()),
        None => folder.name().to_string(),
    }
}

/// The format of the table at `folder`: Delta when it holds `_delta_log/`, Iceberg when it holds
/// `metadata/`, Parquet otherwise (also for a folder that does not exist).
///
/// # Errors
/// Storage errors.
pub(crate) fn detect(folder: &Location) -> Result<TableFormat> {
    if objects::folder_exists(&folder.join("_delta_log"))? {
        Ok(TableFormat::Delta)
    } else if objects::folder_exists(&folder.join("metadata"))? {
        Ok(TableFormat::Iceberg)
    } else {
        Ok(TableFormat::Parquet)
    }
}

/// The current snapshot of the open-format table at `folder`, `None` for a Parquet folder.
///
/// # Errors
/// As [`TableCommitter::snapshot`].
pub(crate) fn open_snapshot(folder: &Location) -> Result<Option<Snapshot>> {
    match detect(folder)? {
        TableFormat::Parquet => Ok(None),
        format => Ok(Some(committer(format)?.snapshot(format, folder)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_detect() {
        assert_eq!("Iceberg".parse::<TableFormat>().unwrap(), TableFormat::Iceberg);
        assert_eq!("delta".parse::<TableFormat>().unwrap().to_string(), "delta");
        assert!("orc".parse::<TableFormat>().unwrap_err().to_string().contains("parquet, iceberg or delta"));

        let dir = crate::testing::tempdir();
        let folder = Location::Local(dir.path().to_path_buf());
        assert_eq!(detect(&folder).unwrap(), TableFormat::Parquet);
        std::fs::create_dir(dir.path().join("metadata")).unwrap();
        assert_eq!(detect(&folder).unwrap(), TableFormat::Iceberg);
        std::fs::create_dir(dir.path().join("_delta_log")).unwrap();
        assert_eq!(detect(&folder).unwrap(), TableFormat::Delta);
        assert_eq!(TableFormat::Iceberg.data_folder(&folder), folder.join("data"));
    }
}
