//! Objects in a lake, local or on S3, through object_store: listing a folder, reading (large
//! objects in parallel ranges), writing and deleting. Errors name the URL, never a secret.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload};

use super::location::Location;
use super::{runtime, s3};
use crate::error::{Error, Result};

/// Objects larger than this are read in ranges of this size, several at once.
const RANGE_BYTES: u64 = 8 << 20;
const RANGE_STEP: usize = 8 << 20;
/// Ranged reads (and copies, deletes) in flight at once.
pub(crate) const CONCURRENCY: usize = 8;

/// A data file found in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub location: Location,
    pub size: u64,
    /// Last modification, milliseconds since the epoch.
    pub modified_ms: i64,
}

impl FileEntry {
    /// The file's name (the last part of its location).
    #[must_use]
    pub(crate) fn name(&self) -> &str {
        self.location.name()
    }
}

/// An object store and the path of a location inside it.
pub(crate) struct Resolved {
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) path: ObjectPath,
}

/// The store holding `location` and its path there.
pub(crate) fn resolve(location: &Location) -> Result<Resolved> {
    match location {
        Location::Local(path) => {
            let absolute = super::location::absolute(path)
                .map_err(|e| Error::InvalidArgument(format!("bad path {}: {e}", path.display())))?;
            let object_path = ObjectPath::from_absolute_path(&absolute)
                .map_err(|e| Error::InvalidArgument(format!("bad path {}: {e}", path.display())))?;
            Ok(Resolved { store: local_fs().clone(), path: object_path })
        }
        Location::S3 { bucket, key } => {
            Ok(Resolved { store: s3::store(bucket)?, path: ObjectPath::from(key.as_str()) })
        }
    }
}

/// The local filesystem as an object store (rooted at `/`).
fn local_fs() -> &'static Arc<LocalFileSystem> {
    static LOCAL: OnceLock<Arc<LocalFileSystem>> = OnceLock::new();
    LOCAL.get_or_init(|| Arc::new(LocalFileSystem::new()))
}

/// The location of an object listed in the store of `base`.
pub(crate) fn location_of(base: &Location, path: &ObjectPath) -> Location {
    match base {
        Location::Local(_) => {
            Location::Local(local_fs().path_to_filesystem(path).unwrap_or_else(|_| format!("/{path}").into()))
        }
        Location::S3 { bucket, .. } => Location::S3 { bucket: bucket.clone(), key: path.to_string() },
    }
}

/// Turn an object_store error on `location` into a glueless error naming it.
pub(crate) fn store_error(op: &'static str, location: &Location, err: object_store::Error) -> Error {
    let url = location.to_string();
    match err {
        object_store::Error::NotFound { .. } => Error::NotFound { what: "path", path: url },
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => {
            Error::AccessDenied { op, url, reason: s3::reason(&err) }
        }
        _ => {
            let reason = s3::reason(&err);
            if reason.starts_with("NoSuchBucket") {
                return Error::NotFound { what: "bucket", path: location.bucket_url() };
            }
            if reason.starts_with("AccessDenied")
                || reason.starts_with("InvalidAccessKeyId")
                || reason.starts_with("SignatureDoesNotMatch")
                || reason.starts_with("ExpiredToken")
                || reason.starts_with("InvalidToken")
            {
                return Error::AccessDenied { op, url, reason };
            }
            Error::Storage { op, url, reason }
        }
    }
}

/// True for names that Hadoop, Spark, Athena and DuckDB treat as hidden (`.staging`, `_SUCCESS`).
#[must_use]
pub(crate) fn is_hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

/// The data files directly inside `folder`, sorted by name; hidden files and sub-folders are skipped.
///
/// # Errors
/// [`Error::NotFound`] when a local folder or a bucket does not exist (an S3 prefix without
/// objects is an empty folder); storage errors naming the folder.
pub fn list_files(folder: &Location) -> Result<Vec<FileEntry>> {
    let mut files = match folder {
        Location::Local(path) => list_local(path)?,
        Location::S3 { .. } => list_objects(folder)?
            .into_iter()
            .filter(|meta| meta.location.filename().is_some_and(|n| !is_hidden(n)))
            .map(|meta| FileEntry {
                location: location_of(folder, &meta.location),
                size: meta.size,
                modified_ms: meta.last_modified.timestamp_millis(),
            })
            .collect(),
    };
    files.sort_by_key(|f| f.location.to_string());
    Ok(files)
}

/// A local folder is listed with std::fs rather than object_store's LocalFileSystem, which skips
/// broken links and `name#3`-style names without a word: a landing file must never vanish silently.
fn list_local(dir: &std::path::Path) -> Result<Vec<FileEntry>> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { what: "folder", path: dir.display().to_string() },
        _ => Error::io("listing", dir, e),
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("listing", dir, e))?;
        if is_hidden(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        // Follows symlinks, so a link to a data file counts and a broken link is reported.
        let meta = std::fs::metadata(&path).map_err(|e| Error::io("reading", &path, e))?;
        if meta.is_file() {
            let modified_ms = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            files.push(FileEntry { location: Location::Local(path), size: meta.len(), modified_ms });
        }
    }
    Ok(files)
}

/// Every object directly inside `folder`, hidden ones included.
pub(crate) fn list_objects(folder: &Location) -> Result<Vec<ObjectMeta>> {
    Ok(list_level(folder)?.objects)
}

/// One level of `folder`: the objects directly in it and its sub-folders.
fn list_level(folder: &Location) -> Result<object_store::ListResult> {
    let resolved = resolve(folder)?;
    runtime::block_on(resolved.store.list_with_delimiter(Some(&resolved.path)))
        .map_err(|e| store_error("listing", folder, e))
}

/// Every object below `prefix`, at any depth (for removing a staging folder).
pub(crate) fn list_recursive(prefix: &Location) -> Result<Vec<ObjectMeta>> {
    let resolved = resolve(prefix)?;
    runtime::block_on(resolved.store.list(Some(&resolved.path)).try_collect())
        .map_err(|e| store_error("listing", prefix, e))
}

/// The sub-folders directly inside `folder` (their full locations).
pub(crate) fn list_folders(folder: &Location) -> Result<Vec<Location>> {
    Ok(list_level(folder)?.common_prefixes.iter().map(|p| location_of(folder, p)).collect())
}

/// True when `folder` exists: a local folder, or an S3 prefix holding at least one object.
///
/// # Errors
/// Storage errors (a missing bucket is [`Error::NotFound`]).
pub(crate) fn folder_exists(folder: &Location) -> Result<bool> {
    match folder {
        Location::Local(path) => Ok(path.is_dir()),
        Location::S3 { .. } => {
            let listing = list_level(folder)?;
            Ok(!listing.objects.is_empty() || !listing.common_prefixes.is_empty())
        }
    }
}

/// The file at `location`, or `None` when there is no such object (or it is a folder).
///
/// # Errors
/// Storage errors other than not-found.
pub(crate) fn file_info(location: &Location) -> Result<Option<FileEntry>> {
    if let Location::Local(path) = location {
        if !path.is_file() {
            return Ok(None);
        }
    }
    let resolved = resolve(location)?;
    match runtime::block_on(resolved.store.head(&resolved.path)) {
        Ok(meta) => Ok(Some(FileEntry {
            location: location.clone(),
            size: meta.size,
            modified_ms: meta.last_modified.timestamp_millis(),
        })),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(store_error("reading", location, e)),
    }
}

/// The whole content of a file; large S3 objects are fetched as parallel ranged reads.
///
/// # Errors
/// [`Error::NotFound`] or storage errors naming the file.
pub(crate) fn read(file: &FileEntry) -> Result<Bytes> {
    read_range(file, 0..file.size)
}

/// The bytes `range` of a file (a large file's window); large ranges of S3 objects are fetched
/// as parallel ranged reads.
///
/// # Errors
/// [`Error::NotFound`] or storage errors naming the file; a file shorter than `range` (it changed
/// while it was read).
pub(crate) fn read_range(file: &FileEntry, range: Range<u64>) -> Result<Bytes> {
    // Tests kill the process here: "while reading input".
    super::failpoint::hit("input.read");
    let expected = range.end.saturating_sub(range.start);
    let content = if let Location::Local(path) = &file.location {
        // On the calling (pool) thread: handing a local read to the I/O runtime only adds a
        // thread hop per file, during which the pool thread waits instead of decoding.
        let io = |e| Error::io("reading", path, e);
        if range.start == 0 && range.end == file.size {
            std::fs::read(path).map_err(io)?
        } else {
            use std::io::{Read, Seek, SeekFrom};
            let mut handle = std::fs::File::open(path).map_err(io)?;
            handle.seek(SeekFrom::Start(range.start)).map_err(io)?;
            let mut content = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
            handle.take(expected).read_to_end(&mut content).map_err(io)?;
            content
        }
    } else {
        let resolved = resolve(&file.location)?;
        let fail = |e| store_error("reading", &file.location, e);
        if range.start == 0 && range.end == file.size && file.size <= RANGE_BYTES {
            return runtime::block_on(async { resolved.store.get(&resolved.path).await?.bytes().await }).map_err(fail);
        }
        let ranges: Vec<Range<u64>> = (range.start..range.end)
            .step_by(RANGE_STEP)
            .map(|start| start..(start + RANGE_BYTES).min(range.end))
            .collect();
        let parts: Vec<Bytes> = runtime::block_on(
            futures::stream::iter(ranges.into_iter().map(|range| resolved.store.get_range(&resolved.path, range)))
                .buffered(CONCURRENCY)
                .try_collect(),
        )
        .map_err(fail)?;
        // A capacity hint only: a size beyond memory fails in the reads above first.
        let mut content = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        for part in parts {
            content.extend_from_slice(&part);
        }
        content
    };
    // A local file is read to its end (its size as listed is checked only for ranges).
    let whole_local = matches!(file.location, Location::Local(_)) && range.start == 0 && range.end == file.size;
    if content.len() as u64 != expected && !whole_local {
        return Err(Error::Storage {
            op: "reading",
            url: file.location.to_string(),
            reason: format!("got {} bytes of {expected} (the object changed while it was read)", content.len()),
        });
    }
    Ok(Bytes::from(content))
}

/// The last `bytes` bytes of a file (all of it when it is smaller): a Parquet footer is read
/// without fetching the data before it.
///
/// # Errors
/// [`Error::NotFound`] or storage errors naming the file.
pub(crate) fn read_tail(file: &FileEntry, bytes: u64) -> Result<Bytes> {
    let start = file.size.saturating_sub(bytes);
    if let Location::Local(path) = &file.location {
        use std::io::{Read, Seek, SeekFrom};
        let io = |e| Error::io("reading", path, e);
        let mut handle = std::fs::File::open(path).map_err(io)?;
        handle.seek(SeekFrom::Start(start)).map_err(io)?;
        let mut content = Vec::with_capacity(usize::try_from(file.size - start).unwrap_or(0));
        handle.read_to_end(&mut content).map_err(io)?;
        return Ok(Bytes::from(content));
    }
    let resolved = resolve(&file.location)?;
    runtime::block_on(resolved.store.get_range(&resolved.path, start..file.size))
        .map_err(|e| store_error("reading", &file.location, e))
}

/// Write `content` as the object at `location`, replacing any object there, in one atomic put.
///
/// # Errors
/// Storage errors naming the location.
pub(crate) fn put(location: &Location, content: Bytes) -> Result<()> {
    let resolved = resolve(location)?;
    runtime::block_on(resolved.store.put(&resolved.path, PutPayload::from_bytes(content)))
        .map(|_| ())
        .map_err(|e| store_error("writing", location, e))
}

/// The version of the object at `location` to make a later [`put_if`] conditional on: `None`
/// when there is no object (the put then requires that there still is none).
///
/// # Errors
/// Storage errors other than not-found.
pub(crate) fn version_of(location: &Location) -> Result<Option<object_store::UpdateVersion>> {
    let resolved = resolve(location)?;
    match runtime::block_on(resolved.store.head(&resolved.path)) {
        Ok(meta) => Ok(Some(object_store::UpdateVersion { e_tag: meta.e_tag, version: meta.version })),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(store_error("reading", location, e)),
    }
}

/// Write `content` at `location` only if the object is still at `expected` (absent for `None`).
///
/// # Errors
/// [`Error::Conflict`] when another writer changed the object first; storage errors.
pub(crate) fn put_if(location: &Location, content: Bytes, expected: Option<object_store::UpdateVersion>) -> Result<()> {
    let resolved = resolve(location)?;
    let mode = match expected {
        Some(version) => object_store::PutMode::Update(version),
        None => object_store::PutMode::Create,
    };
    let options = object_store::PutOptions { mode, ..object_store::PutOptions::default() };
    match runtime::block_on(resolved.store.put_opts(&resolved.path, PutPayload::from_bytes(content), options)) {
        Ok(_) => Ok(()),
        Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => {
            Err(Error::Conflict(format!("{location} was changed by another run while this one ran")))
        }
        Err(e) => Err(store_error("writing", location, e)),
    }
}

/// Move the object at `from` to `to` (same store): a rename on a local filesystem, a copy and a
/// delete on S3.
///
/// # Errors
/// Storage errors naming `from`.
pub(crate) fn rename(from: &Location, to: &Location) -> Result<()> {
    let (source, target) = (resolve(from)?, resolve(to)?);
    if let Location::Local(path) = to {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
    }
    runtime::block_on(source.store.rename(&source.path, &target.path)).map_err(|e| store_error("moving", from, e))
}

/// Delete the objects at `locations` (all in the store of `base`), in bulk where the store can.
///
/// # Errors
/// Storage errors; objects already gone are not errors.
pub(crate) fn delete_all(base: &Location, paths: Vec<ObjectPath>) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let resolved = resolve(base)?;
    let stream = futures::stream::iter(paths.into_iter().map(Ok)).boxed();
    let results: Vec<_> = runtime::block_on(resolved.store.delete_stream(stream).collect());
    for result in results {
        match result {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(store_error("deleting in", base, e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_data_files_in_name_order_and_skips_hidden_ones() {
        let dir = crate::testing::tempdir();
        for name in ["b.json", "a.json", ".hidden", "_SUCCESS"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let folder = Location::Local(dir.path().to_path_buf());
        let names: Vec<_> = list_files(&folder).unwrap().iter().map(|f| f.name().to_string()).collect();
        assert_eq!(names, ["a.json", "b.json"]);
        let file = &list_files(&folder).unwrap()[0];
        assert_eq!(read(file).unwrap().as_ref(), b"{}");
        assert!(file.modified_ms > 0);
    }

    #[test]
    fn a_missing_folder_is_not_found() {
        let err = list_files(&Location::parse("/nonexistent/glueless").unwrap()).unwrap_err();
        assert!(matches!(err, Error::NotFound { what: "folder", .. }), "{err}");
    }

    #[test]
    fn relative_paths_and_dot_dot_resolve() {
        let dir = crate::testing::tempdir();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/f.json"), "{}").unwrap();
        let folder = Location::Local(dir.path().join("x/../x"));
        assert_eq!(list_files(&folder).unwrap().len(), 1);
    }
}
