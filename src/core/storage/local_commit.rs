//! Atomic replacement of an output folder on a local filesystem.
//!
//! A table is a folder of Parquet files. A job writes its new files into a hidden staging folder
//! beside the target (same filesystem, so renames are atomic) and then swaps the two folders with
//! one `renameat2(RENAME_EXCHANGE)`: a reader lists either the complete old set of files or the
//! complete new one, never a mix and never a partial file. The old files are deleted afterwards.
//! A crash before the swap leaves the previous output untouched and a stale staging folder, which
//! the next run removes.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::core::storage::{failpoint, FileEntry, Location};
use crate::error::{Error, Result};

const STAGING_MARK: &str = ".staging-";
/// The file inside a committed folder holding the properties committed with it (hidden from
/// readers that list the folder: Spark, Athena and DuckDB skip names starting with `_`).
pub(crate) const PROPERTIES: &str = "_glueless_commit.json";

/// A staging folder whose content replaces `target` on [`StagedDir::commit`]; dropped without a
/// commit, it is removed and the target stays as it was.
#[derive(Debug)]
pub(crate) struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Create an empty staging folder for `target`, removing stale ones of dead processes.
    ///
    /// # Errors
    /// [`Error::Io`] when the parent folder cannot be created or written.
    pub(crate) fn create(target: &Path) -> Result<Self> {
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .ok_or_else(|| Error::InvalidArgument(format!("bad output folder {}", target.display())))?
            .to_string_lossy()
            .into_owned();
        std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        remove_stale_staging(parent, &name);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let staging = parent.join(format!(".{name}{STAGING_MARK}{}-{nanos}", std::process::id()));
        std::fs::create_dir(&staging).map_err(|e| Error::io("creating", &staging, e))?;
        Ok(Self { staging, target: target.to_path_buf(), committed: false })
    }

    /// Take over `staging`, a folder another writer (a Spark job) filled, to replace `target`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `staging` is a folder beside `target` (an atomic rename
    /// needs the same filesystem and parent).
    pub(crate) fn adopt(target: &Path, staging: &Path) -> Result<Self> {
        if !staging.is_dir() || staging.parent() != target.parent() {
            return Err(Error::InvalidArgument(format!(
                "{}: a staged folder must be a folder beside {}",
                staging.display(),
                target.display()
            )));
        }
        Ok(Self { staging: staging.to_path_buf(), target: target.to_path_buf(), committed: false })
    }

    /// The folder to write the new files into.
    #[must_use]
    pub(crate) fn path(&self) -> &Path {
        &self.staging
    }

    /// Carry committed files of the target into the new content: hard links, so nothing is
    /// copied and the old folder can still be deleted whole after the swap.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub(crate) fn keep(&self, files: &[FileEntry]) -> Result<()> {
        for file in files {
            let Location::Local(from) = &file.location else {
                return Err(Error::InvalidArgument(format!("{}: not a local file", file.location)));
            };
            let to = self.staging.join(file.name());
            if std::fs::hard_link(from, &to).is_err() {
                // Filesystems without hard links: a copy is as good, only slower.
                std::fs::copy(from, &to).map_err(|e| Error::io("keeping", from, e))?;
            }
        }
        Ok(())
    }

    /// Make the staged files the content of the target, atomically, and delete the old files.
    /// `properties` go into [`PROPERTIES`] inside the folder, so they swap in with the files.
    ///
    /// # Errors
    /// [`Error::Io`] when the swap fails; the target then still holds the previous output.
    pub(crate) fn commit(mut self, properties: Option<&serde_json::Value>) -> Result<()> {
        if let Some(properties) = properties {
            let path = self.staging.join(PROPERTIES);
            let write = || -> std::io::Result<()> {
                let mut file = std::fs::File::create(&path)?;
                std::io::Write::write_all(&mut file, properties.to_string().as_bytes())?;
                file.sync_all()
            };
            write().map_err(|e| Error::io("writing", &path, e))?;
        }
        sync_dir(&self.staging)?;
        failpoint::hit("commit.before_swap");
        if self.target.exists() {
            swap(&self.staging, &self.target)?;
            failpoint::hit("commit.after_swap");
            // `staging` now holds the previous output; it is garbage.
            let _ = std::fs::remove_dir_all(&self.staging);
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(|e| Error::io("committing", &self.target, e))?;
        }
        if let Some(parent) = self.target.parent() {
            let _ = sync_dir(parent);
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// The properties committed with the local folder `folder`'s content.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Storage`] when it is not JSON.
pub(crate) fn properties(folder: &Location) -> Result<Option<serde_json::Value>> {
    let Location::Local(dir) = folder else { return Ok(None) };
    let path = dir.join(PROPERTIES);
    let content = match std::fs::read(&path) {
        Ok(content) => content,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("reading", &path, e)),
    };
    serde_json::from_slice(&content).map(Some).map_err(|e| Error::Storage {
        op: "reading",
        url: path.display().to_string(),
        reason: format!("not valid JSON ({e}); re-run the job without --incremental"),
    })
}

/// Exchange two folders in one step; where the filesystem cannot, rename the old one away first
/// (a reader may then briefly find no folder, but never a mix of old and new files).
fn swap(staging: &Path, target: &Path) -> Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(err) if err == rustix::io::Errno::INVAL || err == rustix::io::Errno::NOSYS => {
            let old = staging.with_extension("old");
            std::fs::rename(target, &old).map_err(|e| Error::io("committing", target, e))?;
            std::fs::rename(staging, target).map_err(|e| Error::io("committing", target, e))?;
            std::fs::rename(&old, staging).map_err(|e| Error::io("committing", target, e))
        }
        Err(err) => Err(Error::io("committing", target, err.into())),
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(|e| Error::io("syncing", dir, e))
}

/// Remove staging folders of `name` left by processes that no longer run (crashed runs).
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}{STAGING_MARK}");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.split(['-', '.']).next().and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<_> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn commit_creates_then_replaces_the_target() {
        let root = crate::testing::tempdir();
        let target = root.path().join("trusted");
        let staged = StagedDir::create(&target).unwrap();
        std::fs::write(staged.path().join("part-0.parquet"), "one").unwrap();
        staged.commit(None).unwrap();
        assert_eq!(names(&target), ["part-0.parquet"]);

        let staged = StagedDir::create(&target).unwrap();
        std::fs::write(staged.path().join("part-1.parquet"), "two").unwrap();
        staged.commit(None).unwrap();
        assert_eq!(names(&target), ["part-1.parquet"]);
        assert_eq!(names(root.path()), ["trusted"], "no staging folder is left behind");
    }

    #[test]
    fn dropping_without_commit_keeps_the_previous_output() {
        let root = crate::testing::tempdir();
        let target = root.path().join("trusted");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.parquet"), "old").unwrap();
        {
            let staged = StagedDir::create(&target).unwrap();
            std::fs::write(staged.path().join("new.parquet"), "new").unwrap();
        }
        assert_eq!(names(&target), ["old.parquet"]);
        assert_eq!(names(root.path()), ["trusted"]);
    }

    #[test]
    fn stale_staging_of_a_dead_process_is_removed() {
        let root = crate::testing::tempdir();
        let stale = root.path().join(".trusted.staging-4294967295-1");
        std::fs::create_dir(&stale).unwrap();
        let staged = StagedDir::create(&root.path().join("trusted")).unwrap();
        assert!(!stale.exists());
        drop(staged);
    }
}
