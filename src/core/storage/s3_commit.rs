//! Replacing the content of an S3 folder, where there is no rename.
//!
//! 1. Every new file is written first under a hidden sibling prefix, `.NAME.staging-RUN/`, which
//!    no reader lists (a failed upload is aborted; a killed one leaves only hidden objects).
//! 2. At commit the staged files are copied, server-side and in parallel, into the folder under
//!    names unique to the run (`part-00000-RUN.parquet`), so no old file is overwritten.
//! 3. The manifest `_glueless_manifest.json` is replaced in one atomic put: the single step at
//!    which glueless readers switch from the old files to the new ones.
//!    The put is conditional on the manifest this run saw when it started (`If-Match`, or
//!    `If-None-Match: *` for a first run): of two runs of the same job, the later committer fails
//!    with a conflict, removes its copies and leaves the table as the other run wrote it.
//! 4. Every data file the new manifest does not name — the old output, and copies left by a run
//!    that was killed or lost a conflict — and the staging prefix are deleted in one bulk request.
//!
//! A reader that lists the folder (Athena, DuckDB, Spark) sees only old files before step 2 and
//! only new ones after step 4; between, for the time of the copies and one bulk delete, it can
//! see both. A run killed inside that window leaves extra files until the next run commits.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::ObjectStoreExt;

use super::objects::{self, is_hidden, store_error, FileEntry, CONCURRENCY};
use super::{failpoint, runtime, Location};
use crate::error::{Error, Result};

/// The manifest naming the files of the committed output.
pub(crate) const MANIFEST: &str = "_glueless_manifest.json";
const STAGING_MARK: &str = ".staging-";
/// A staging prefix this old belongs to a run that died: no job writes for an hour.
const STALE_AFTER: Duration = Duration::from_hours(1);

/// New content for an S3 folder, staged beside it; see the module documentation.
#[derive(Debug)]
pub(crate) struct S3Staging {
    target: Location,
    staging: Location,
    run: String,
    /// The manifest's version when this run started; the commit requires it unchanged.
    manifest_version: Option<object_store::UpdateVersion>,
    /// Committed files carried into the new content: (name, size).
    kept: Vec<(String, u64)>,
    committed: bool,
}

impl S3Staging {
    /// Prepare to replace `target`: note the manifest's version and remove stale staging
    /// prefixes beside it.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bucket root; storage errors (a missing bucket, denied access).
    pub(crate) fn create(target: &Location) -> Result<Self> {
        let parent = target
            .parent()
            .ok_or_else(|| Error::InvalidArgument(format!("{target}: a folder inside the bucket is needed")))?;
        let name = target.name().to_string();
        let manifest_version = objects::version_of(&target.join(MANIFEST))?;
        remove_stale_staging(&parent, &name)?;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let run = format!("{nanos:x}{:05x}", std::process::id() & 0xf_ffff);
        let staging = parent.join(&format!(".{name}{STAGING_MARK}{run}"));
        Ok(Self { target: target.clone(), staging, run, manifest_version, kept: Vec::new(), committed: false })
    }

    /// Take over the prefix `staging`, which another writer (a Spark job) filled, to replace
    /// `target`; its hidden files (`_SUCCESS`, checksums) are not copied.
    ///
    /// # Errors
    /// As [`Self::create`].
    pub(crate) fn adopt(target: &Location, staging: &Location) -> Result<Self> {
        let mut out = Self::create(target)?;
        out.staging = staging.clone();
        Ok(out)
    }

    /// The staged location of the file `name`.
    #[must_use]
    pub(crate) fn file(&self, name: &str) -> Location {
        self.staging.join(name)
    }

    /// Name `files` (committed files of the target) in the new manifest too: they stay where they
    /// are and stay part of the table.
    pub(crate) fn keep(&mut self, files: &[FileEntry]) {
        self.kept.extend(files.iter().map(|f| (f.name().to_string(), f.size)));
    }

    /// Make the staged files the content of the target, with `properties` inside the manifest;
    /// see the module documentation.
    ///
    /// # Errors
    /// Storage errors; before the manifest is replaced the previous output stays the table.
    pub(crate) fn commit(mut self, properties: Option<&serde_json::Value>) -> Result<()> {
        let staged = objects::list_objects(&self.staging)?;
        let target = objects::resolve(&self.target)?;
        let mut files: Vec<serde_json::Value> =
            self.kept.iter().map(|(name, size)| serde_json::json!({"name": name, "size": size})).collect();
        let mut copies = Vec::with_capacity(staged.len());
        for meta in staged.iter().filter(|m| !hidden(&m.location)) {
            let name = meta.location.filename().unwrap_or("part").to_string();
            let final_name = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}-{}.{ext}", self.run),
                None => format!("{name}-{}", self.run),
            };
            copies.push((meta.location.clone(), target.path.clone().join(final_name.as_str())));
            files.push(serde_json::json!({"name": final_name, "size": meta.size}));
        }
        let store = &target.store;
        runtime::block_on(
            futures::stream::iter(copies.iter().map(|(from, to)| store.copy(from, to)))
                .buffer_unordered(CONCURRENCY)
                .try_collect::<Vec<()>>(),
        )
        .map_err(|e| store_error("committing", &self.target, e))?;
        failpoint::hit("commit.before_swap");
        let mut manifest = serde_json::json!({"version": 1, "run": self.run, "files": files});
        if let Some(properties) = properties {
            manifest["properties"] = properties.clone();
        }
        let put = objects::put_if(
            &self.target.join(MANIFEST),
            Bytes::from(manifest.to_string()),
            self.manifest_version.take(),
        );
        if let Err(err) = put {
            // Lost to another run (or failed): our copies are not part of the table.
            let _ = objects::delete_all(&self.target, copies.into_iter().map(|(_, to)| to).collect());
            return Err(match err {
                Error::Conflict(_) => Error::Conflict(format!(
                    "{}: another run replaced it while this one ran; this run's output was discarded",
                    self.target
                )),
                other => other,
            });
        }
        failpoint::hit("commit.after_swap");
        self.committed = true;
        let named: Vec<String> = copies
            .iter()
            .filter_map(|(_, to)| to.filename().map(str::to_string))
            .chain(self.kept.iter().map(|(name, _)| name.clone()))
            .collect();
        let mut garbage: Vec<ObjectPath> = objects::list_objects(&self.target)?
            .into_iter()
            .map(|m| m.location)
            .filter(|p| !hidden(p) && p.filename().is_some_and(|n| !named.iter().any(|m| m == n)))
            .collect();
        garbage.extend(staged.into_iter().map(|m| m.location));
        objects::delete_all(&self.target, garbage)
    }
}

impl Drop for S3Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_prefix(&self.staging);
        }
    }
}

fn hidden(path: &ObjectPath) -> bool {
    path.filename().is_none_or(is_hidden)
}

/// The folder's manifest, or `None` when it has none (not written by glueless).
fn manifest(folder: &Location) -> Result<Option<serde_json::Value>> {
    let location = folder.join(MANIFEST);
    let Some(entry) = objects::file_info(&location)? else { return Ok(None) };
    let content = objects::read(&entry)?;
    serde_json::from_slice(&content).map(Some).map_err(|_| not_a_manifest(&location))
}

fn not_a_manifest(location: &Location) -> Error {
    Error::Storage {
        op: "reading",
        url: location.to_string(),
        reason: "not a glueless manifest (remove it to read the folder's files as they are)".into(),
    }
}

/// The properties committed with the folder's content (inside its manifest).
///
/// # Errors
/// Storage errors; [`Error::Storage`] for a manifest that is not JSON.
pub(crate) fn properties(folder: &Location) -> Result<Option<serde_json::Value>> {
    Ok(manifest(folder)?.and_then(|mut m| m.get_mut("properties").map(serde_json::Value::take)))
}

/// The names in the folder's manifest, or `None` when it has none (not written by glueless).
fn manifest_names(folder: &Location) -> Result<Option<Vec<String>>> {
    let Some(value) = manifest(folder)? else { return Ok(None) };
    let location = folder.join(MANIFEST);
    let bad = || not_a_manifest(&location);
    let files = value.get("files").and_then(|f| f.as_array()).ok_or_else(bad)?;
    files
        .iter()
        .map(|f| f.get("name").and_then(|n| n.as_str()).map(str::to_string).ok_or_else(bad))
        .collect::<Result<_>>()
        .map(Some)
}

/// The committed files of an S3 folder: those its manifest names, or every data file when it has
/// no manifest. A commit that replaces the folder while it is read is waited out and read again.
///
/// # Errors
/// Storage errors; [`Error::Storage`] when a file named by the manifest stays missing.
pub(crate) fn committed_files(folder: &Location) -> Result<Vec<FileEntry>> {
    let mut attempt = 0;
    loop {
        let listed = objects::list_files(folder)?;
        let Some(names) = manifest_names(folder)? else { return Ok(listed) };
        let mut files = Vec::with_capacity(names.len());
        let mut missing = None;
        for name in &names {
            match listed.iter().find(|f| f.name() == name) {
                Some(file) => files.push(file.clone()),
                None => missing = Some(name.clone()),
            }
        }
        match missing {
            None => return Ok(files),
            Some(name) if attempt >= 3 => {
                return Err(Error::Storage {
                    op: "reading",
                    url: folder.to_string(),
                    reason: format!("{name}, named by its manifest, is missing; re-run the job that writes it"),
                })
            }
            Some(_) => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(200 * attempt));
            }
        }
    }
}

/// Remove `.NAME.staging-*` prefixes beside the target whose newest object is older than
/// [`STALE_AFTER`] (a run that is still writing touches its prefix far more often).
fn remove_stale_staging(parent: &Location, name: &str) -> Result<()> {
    let mark = format!(".{name}{STAGING_MARK}");
    let now_ms =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    for folder in objects::list_folders(parent)? {
        if !folder.name().starts_with(&mark) {
            continue;
        }
        let objects = objects::list_recursive(&folder)?;
        let newest = objects.iter().map(|m| m.last_modified.timestamp_millis()).max().unwrap_or(0);
        if now_ms - newest > i64::try_from(STALE_AFTER.as_millis()).unwrap_or(i64::MAX) {
            objects::delete_all(&folder, objects.into_iter().map(|m| m.location).collect())?;
        }
    }
    Ok(())
}

fn remove_prefix(prefix: &Location) -> Result<()> {
    let objects = objects::list_recursive(prefix)?;
    objects::delete_all(prefix, objects.into_iter().map(|m| m.location).collect())
}
