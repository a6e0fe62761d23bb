//! The checkpoint of a streaming query, laid out as Spark's: `metadata` (which query), `offsets/N`
//! (the files batch N takes and the watermark in force, written before the batch runs),
//! `state/N.parquet` (the open groups after batch N), `commits/N` (batch N is done) and
//! `input_schema.parquet` (the types of the columns the query reads, when it started). A restart
//! resumes after the last commit and replays an uncommitted batch with exactly its recorded files
//! and watermark. A file that cannot be read, or a checkpoint of another query, is an error:
//! the checkpoint is never reset silently.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::core::storage::{objects, parquet_file, FileEntry, Location};
use crate::error::{Error, Result};

/// The file of the checkpoint that records the input columns' types.
const INPUT_SCHEMA: &str = "input_schema.parquet";

/// Which query a checkpoint belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Metadata {
    pub(crate) version: u32,
    pub(crate) query: String,
    pub(crate) source: String,
    pub(crate) sink: String,
}

/// A source file taken by a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SourceFile {
    pub(crate) name: String,
    pub(crate) size: u64,
    pub(crate) modified_ms: i64,
}

/// What batch N takes: its files and its watermarks (microseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Offsets {
    pub(crate) batch: u64,
    /// The watermark in force: groups closing at or below it are written and leave the state.
    pub(crate) watermark: i64,
    /// The previous batch's watermark: rows whose window (or event time) closes at or below it
    /// are late (Spark ≥ 3.4 filters late rows with the previous batch's watermark).
    pub(crate) late_watermark: i64,
    pub(crate) files: Vec<SourceFile>,
}

/// Batch N is complete: its output is written and its state saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Commit {
    pub(crate) batch: u64,
    /// The watermark batch N ran with.
    pub(crate) watermark: i64,
    /// The watermark batch N+1 runs with.
    pub(crate) next_watermark: i64,
    pub(crate) rows_emitted: u64,
    pub(crate) open_groups: u64,
}

/// A checkpoint folder (local or S3).
#[derive(Debug, Clone)]
pub(crate) struct Checkpoint {
    root: Location,
}

impl Checkpoint {
    /// Open the checkpoint at `root` for the query described by `metadata`, creating it when new.
    ///
    /// # Errors
    /// [`Error::Checkpoint`] when it belongs to another query or cannot be read.
    pub(crate) fn open(root: &Location, metadata: &Metadata) -> Result<Self> {
        let checkpoint = Self { root: root.clone() };
        match checkpoint.read_json::<Metadata>("metadata")? {
            Some(found) if &found == metadata => {}
            Some(found) => {
                let what = if found.query != metadata.query {
                    format!("it belongs to a different query ({})", found.query)
                } else if found.source != metadata.source {
                    format!("it reads another source ({})", found.source)
                } else {
                    format!("it writes another sink ({})", found.sink)
                };
                return Err(checkpoint.error(&format!("{what}; use a new checkpoint for this query")));
            }
            None => checkpoint.create_json("metadata", metadata)?,
        }
        Ok(checkpoint)
    }

    fn error(&self, reason: &str) -> Error {
        Error::Checkpoint { path: self.root.to_string(), reason: reason.to_string() }
    }

    fn read_json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let location = self.root.join(name);
        let Some(entry) = objects::file_info(&location)? else { return Ok(None) };
        let content = objects::read(&entry)?;
        serde_json::from_slice(&content).map(Some).map_err(|e| {
            self.error(&format!("{name} is corrupt ({e}); it is not reset: move the checkpoint away to start over"))
        })
    }

    /// Write `name` only if it does not exist yet: of two runs of one query, the second to plan
    /// or commit a batch fails instead of mixing states.
    fn create_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_vec_pretty(value).map_err(|e| self.error(&e.to_string()))?;
        objects::put_if(&self.root.join(name), Bytes::from(text), None).map_err(|err| match err {
            Error::Conflict(_) => Error::Conflict(format!(
                "another run of this query wrote {name} in {} first; run one query per checkpoint",
                self.root
            )),
            other => other,
        })
    }

    /// Batch numbers found in the folder `kind` (offsets, commits), sorted.
    fn batches(&self, kind: &str) -> Result<Vec<u64>> {
        let folder = self.root.join(kind);
        if !objects::folder_exists(&folder)? {
            return Ok(Vec::new());
        }
        let mut numbers = Vec::new();
        for file in objects::list_files(&folder)? {
            let name = file.name().trim_end_matches(".parquet");
            let n = name.parse::<u64>().map_err(|_| self.error(&format!("unexpected file {kind}/{}", file.name())))?;
            numbers.push(n);
        }
        numbers.sort_unstable();
        Ok(numbers)
    }

    /// The last committed batch.
    ///
    /// # Errors
    /// [`Error::Checkpoint`] for an unreadable commit.
    pub(crate) fn last_commit(&self) -> Result<Option<Commit>> {
        match self.batches("commits")?.last() {
            Some(n) => self.read_json(&format!("commits/{n}")),
            None => Ok(None),
        }
    }

    /// The offsets of batch `n`, if it was planned.
    ///
    /// # Errors
    /// [`Error::Checkpoint`] for an unreadable file.
    pub(crate) fn offsets(&self, n: u64) -> Result<Option<Offsets>> {
        self.read_json(&format!("offsets/{n}"))
    }

    /// Names of every source file some planned batch took.
    ///
    /// # Errors
    /// [`Error::Checkpoint`] for an unreadable file.
    pub(crate) fn seen_files(&self) -> Result<std::collections::HashSet<String>> {
        let mut seen = std::collections::HashSet::new();
        for n in self.batches("offsets")? {
            let offsets: Offsets =
                self.read_json(&format!("offsets/{n}"))?.ok_or_else(|| self.error("offsets vanished"))?;
            seen.extend(offsets.files.into_iter().map(|f| f.name));
        }
        Ok(seen)
    }

    /// Record the plan of a batch (before it runs).
    ///
    /// # Errors
    /// [`Error::Conflict`] when another run planned it first; storage errors.
    pub(crate) fn write_offsets(&self, offsets: &Offsets) -> Result<()> {
        self.create_json(&format!("offsets/{}", offsets.batch), offsets)
    }

    /// Record that a batch is complete.
    ///
    /// # Errors
    /// [`Error::Conflict`] when another run committed it first; storage errors.
    pub(crate) fn write_commit(&self, commit: &Commit) -> Result<()> {
        self.create_json(&format!("commits/{}", commit.batch), commit)
    }

    /// Save the state after batch `n`.
    ///
    /// # Errors
    /// Storage or Parquet errors.
    pub(crate) fn write_state(&self, n: u64, state: &RecordBatch) -> Result<()> {
        let content = parquet_file::encode(&state.schema(), std::slice::from_ref(state))?;
        objects::put(&self.root.join(&format!("state/{n}.parquet")), content)
    }

    /// The types of the query's input columns recorded when it started (an empty Parquet file
    /// holds them exactly), if recorded.
    ///
    /// # Errors
    /// [`Error::Checkpoint`] when the file is unreadable.
    pub(crate) fn input_schema(&self) -> Result<Option<SchemaRef>> {
        let location = self.root.join(INPUT_SCHEMA);
        let Some(entry) = objects::file_info(&location)? else { return Ok(None) };
        let (schema, _) = parquet_file::read(&entry, None)
            .map_err(|e| self.error(&format!("{INPUT_SCHEMA} is unreadable ({e}); it is not reset")))?;
        Ok(Some(schema))
    }

    /// Record the types of the query's input columns, with the first commit (before it): a record
    /// left by a run killed before its first commit is replaced.
    ///
    /// # Errors
    /// Storage or Parquet errors.
    pub(crate) fn record_input_schema(&self, schema: &SchemaRef) -> Result<()> {
        let content = parquet_file::encode(schema, &[])?;
        objects::put(&self.root.join(INPUT_SCHEMA), content)
    }

    /// The state saved after batch `n`.
    ///
    /// # Errors
    /// [`Error::Checkpoint`] when it is missing or unreadable.
    pub(crate) fn read_state(&self, n: u64) -> Result<RecordBatch> {
        let location = self.root.join(&format!("state/{n}.parquet"));
        let entry = objects::file_info(&location)?
            .ok_or_else(|| self.error(&format!("state/{n}.parquet is missing though batch {n} committed")))?;
        let (schema, batches) = parquet_file::read(&FileEntry { ..entry }, None)
            .map_err(|e| self.error(&format!("state/{n}.parquet is unreadable ({e})")))?;
        Ok(arrow_select::concat::concat_batches(&schema, &batches)?)
    }
}
