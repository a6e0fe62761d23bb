//! Local filesystem: listing a folder of data files and reading them.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A data file found in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub path: PathBuf,
    pub size: u64,
}

/// True for names that Hadoop, Spark, Athena and DuckDB treat as hidden (`.staging`, `_SUCCESS`).
fn is_hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

/// The data files directly inside `dir`, sorted by name; hidden files and sub-folders are skipped.
///
/// # Errors
/// [`Error::NotFound`] when `dir` does not exist; [`Error::Io`] when it cannot be read or is a file.
pub fn list_files(dir: &Path) -> Result<Vec<FileEntry>> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { what: "folder", path: dir.display().to_string() },
        _ => Error::io("listing", dir, e),
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("listing", dir, e))?;
        let name = entry.file_name();
        if is_hidden(&name.to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        // Follows symlinks, so a link to a data file counts and a broken link is reported.
        let meta = std::fs::metadata(&path).map_err(|e| Error::io("reading", &path, e))?;
        if meta.is_file() {
            files.push(FileEntry { path, size: meta.len() });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The whole content of a file.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Io`] naming the file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io("reading", path, e))
}

/// True when `path` is an existing folder.
#[must_use]
pub fn is_dir(path: &Path) -> bool {
    path.is_dir()
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
        let names: Vec<_> = list_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.json", "b.json"]);
    }

    #[test]
    fn a_missing_folder_is_not_found() {
        let err = list_files(Path::new("/nonexistent/glueless")).unwrap_err();
        assert!(matches!(err, Error::NotFound { what: "folder", .. }), "{err}");
    }
}
