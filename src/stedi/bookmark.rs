//! Job bookmarks, as Glue keeps them: which landing files a trusted table already holds. The
//! bookmark is committed in the same atomic step as the table's files (see
//! [`crate::core::storage::StagedFolder::commit`]), so a crash can neither skip a file nor take one twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::core::storage::{staged::committed_properties, FileEntry, Location};
use crate::error::{Error, Result};

/// What identifies a landing file's content: its size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileMark {
    pub(crate) size: u64,
    pub(crate) modified_ms: i64,
}

/// The landing files whose records a table holds, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Bookmark {
    pub(crate) job: String,
    pub(crate) files: BTreeMap<String, FileMark>,
}

impl Bookmark {
    /// The bookmark committed with the table at `table`, if the last run that wrote it kept one.
    ///
    /// # Errors
    /// Storage errors; [`Error::Storage`] when the committed properties hold no readable bookmark.
    pub(crate) fn committed(table: &Location) -> Result<Option<Self>> {
        let Some(mut properties) = committed_properties(table)? else { return Ok(None) };
        let Some(value) = properties.get_mut("bookmark").map(serde_json::Value::take) else { return Ok(None) };
        serde_json::from_value(value).map(Some).map_err(|e| Error::Storage {
            op: "reading",
            url: table.to_string(),
            reason: format!("unreadable job bookmark ({e}); run the job without --incremental to rebuild it"),
        })
    }

    /// Split `files` into those not yet taken and the number already taken.
    ///
    /// # Errors
    /// [`Error::Conflict`] for a file taken before whose size or time has changed since: its
    /// old records are in the table and cannot be told apart, so only a full run can take it.
    pub(crate) fn new_files(&self, files: Vec<FileEntry>) -> Result<(Vec<FileEntry>, usize)> {
        let mut new = Vec::new();
        let mut taken = 0;
        for file in files {
            match self.files.get(file.name()) {
                None => new.push(file),
                Some(mark) if *mark == mark_of(&file) => taken += 1,
                Some(mark) => {
                    return Err(Error::Conflict(format!(
                        "landing file {} changed since a run took it ({} bytes at {} ms, now {} bytes at {} ms); \
                         run the job without --incremental to rebuild the table",
                        file.location, mark.size, mark.modified_ms, file.size, file.modified_ms
                    )))
                }
            }
        }
        Ok((new, taken))
    }

    /// This bookmark with `files` taken too.
    #[must_use]
    pub(crate) fn with(mut self, job: &str, files: &[FileEntry]) -> Self {
        job.clone_into(&mut self.job);
        self.files.extend(files.iter().map(|f| (f.name().to_string(), mark_of(f))));
        self
    }

    /// The commit properties that carry this bookmark.
    #[must_use]
    pub(crate) fn properties(&self) -> serde_json::Value {
        serde_json::json!({ "bookmark": self })
    }
}

fn mark_of(file: &FileEntry) -> FileMark {
    FileMark { size: file.size, modified_ms: file.modified_ms }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64, modified_ms: i64) -> FileEntry {
        FileEntry { location: Location::Local(format!("/l/{name}").into()), size, modified_ms }
    }

    #[test]
    fn takes_each_file_once_and_refuses_a_changed_one() {
        let bookmark = Bookmark::default().with("j", &[file("a.json", 10, 1)]);
        let (new, taken) = bookmark.new_files(vec![file("a.json", 10, 1), file("b.json", 5, 2)]).unwrap();
        assert_eq!((new.len(), new[0].name(), taken), (1, "b.json", 1));
        let err = bookmark.new_files(vec![file("a.json", 12, 3)]).unwrap_err().to_string();
        assert!(err.contains("a.json changed since a run took it") && err.contains("without --incremental"), "{err}");
        let round: Bookmark = serde_json::from_value(bookmark.properties()["bookmark"].clone()).unwrap();
        assert_eq!(round, bookmark);
    }
}
