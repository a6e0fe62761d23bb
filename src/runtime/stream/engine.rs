//! The micro-batch engine: plan a batch (files and watermark) in the checkpoint, read its files,
//! run the caller's stateless operations on them (observing the event time where the program
//! put its watermark), fold the rows into the query's state — an aggregation emits the groups its
//! output mode says (append: those the watermark closed; update: those it changed; complete:
//! all), a query without aggregation the rows that pass (de-duplicated or not) — hand them to the
//! batch function and the sink, save the state, commit.
//! Triggers as in Spark: "available now" (every pending file in batches within
//! `max_files_per_trigger` / `max_bytes_per_trigger`, then one batch without data when the
//! watermark moved), "once" (one batch of everything pending) and a processing-time interval that
//! polls until stopped.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::RecordBatch;
use arrow_cast::cast;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use rayon::prelude::*;
use serde::Serialize;

use super::checkpoint::{Checkpoint, Commit, Metadata, Offsets, SourceFile};
use super::duration;
use super::input::{FilePlan, InputSchema, Origin};
use super::operator::Operator;
use super::rows::RowsState;
use super::sink::StreamSink;
use super::source::{FileSource, SourceFormat};
use super::spec::{OutputMode, StreamSpec};
use super::state::AggState;
use crate::core::pool;
use crate::core::storage::parquet_file::{self, ParquetSource};
use crate::core::storage::{failpoint, objects, FileEntry, Location};
use crate::core::text;
use crate::error::{Error, Result};

/// When micro-batches run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    AvailableNow,
    Once,
    /// Poll every interval (microseconds) until stopped.
    ProcessingTime(i64),
}

impl Trigger {
    /// Parse `available-now`, `once` or `processing-time=5 seconds`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "available-now" | "availablenow" => Ok(Trigger::AvailableNow),
            "once" => Ok(Trigger::Once),
            other => match other.strip_prefix("processing-time").map(|r| r.trim_start_matches(['=', ' ', ':'])) {
                Some(interval) => Ok(Trigger::ProcessingTime(duration::parse_micros(interval)?)),
                None => Err(Error::InvalidArgument(format!(
                    "bad trigger {text:?}: use available-now, once or \"processing-time=5 seconds\""
                ))),
            },
        }
    }
}

/// What one micro-batch did. `rows == dropped_malformed + filtered + aggregated + passed +
/// duplicates + late + null_time`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct BatchReport {
    pub(crate) batch: u64,
    pub(crate) files: Vec<String>,
    /// Records read from the batch's files.
    pub(crate) rows: u64,
    /// Malformed text records kept with nulls (PERMISSIVE), and dropped (DROPMALFORMED).
    pub(crate) malformed: u64,
    pub(crate) dropped_malformed: u64,
    /// Rows the program's own stateless operations (`filter`, `where`) removed.
    pub(crate) filtered: u64,
    pub(crate) aggregated: u64,
    pub(crate) passed: u64,
    pub(crate) duplicates: u64,
    pub(crate) late: u64,
    pub(crate) null_time: u64,
    pub(crate) emitted: u64,
    pub(crate) open_groups: u64,
    /// Watermark in force (microseconds) and the one the next batch gets.
    pub(crate) watermark: i64,
    pub(crate) next_watermark: i64,
    /// The files the batch wrote to the sink (relative to its folder).
    pub(crate) output: Vec<String>,
    pub(crate) replayed: bool,
    pub(crate) micros: u64,
    /// Of `micros`, the time spent folding rows into groups (reading and writing excluded).
    pub(crate) aggregate_micros: u64,
}

/// Where a streaming aggregation reads, writes and checkpoints, and how much a batch takes.
#[derive(Debug, Clone)]
pub(crate) struct StreamConfig {
    pub(crate) source: Location,
    /// The folder the emitted rows are appended to; `None` when a batch function takes them
    /// (see [`StreamQuery::with_batch_function`]).
    pub(crate) sink: Option<Arc<dyn StreamSink>>,
    pub(crate) checkpoint: Location,
    pub(crate) format: SourceFormat,
    /// The declared source schema (Spark's `readStream.schema(...)`): the columns the query uses
    /// must have these types in every file (a file may lack one: it reads as null). Without it,
    /// the types are the first file's. Columns the query does not use are never checked.
    pub(crate) schema: Option<SchemaRef>,
    pub(crate) max_files_per_trigger: Option<usize>,
    /// Spark's `maxBytesPerTrigger`: files up to this total size per batch (at least one).
    pub(crate) max_bytes_per_trigger: Option<u64>,
}

/// What a query does with the rows a batch emits before they reach the sink: given the batch id
/// and the rows, it returns the rows to append, or `None` when it consumed them (Spark's
/// `foreachBatch`, the console and memory sinks). It runs before the batch commits, so a batch
/// replayed after a crash calls it again with the same id and the same rows.
pub(crate) type BatchFunction = dyn FnMut(u64, RecordBatch) -> Result<Option<RecordBatch>> + Send;

/// A program's stateless operations on the rows it reads (`select`, `filter`, `withColumn`):
/// deterministic, so that a replayed batch gives the same rows.
pub(crate) type InputFunction = dyn FnMut(RecordBatch) -> Result<RecordBatch> + Send;

/// The stateless operations before the query's state, split where the program put its
/// `withWatermark` (Spark observes the event time there).
#[derive(Default)]
pub(crate) struct Transforms {
    pub(crate) before_watermark: Option<Box<InputFunction>>,
    pub(crate) after_watermark: Option<Box<InputFunction>>,
}

impl Transforms {
    fn is_empty(&self) -> bool {
        self.before_watermark.is_none() && self.after_watermark.is_none()
    }
}

/// Apply `function` (if any) to `batch`.
fn apply(function: &mut Option<Box<InputFunction>>, batch: RecordBatch) -> Result<RecordBatch> {
    match function {
        Some(function) => function(batch),
        None => Ok(batch),
    }
}

/// The largest value (microseconds) of the event-time column `name` of `batch`.
fn max_event_time_of(batch: &RecordBatch, name: &str) -> Result<Option<i64>> {
    let schema = batch.schema();
    let field = schema
        .fields()
        .iter()
        .find(|f| f.name() == name)
        .or_else(|| schema.fields().iter().find(|f| f.name().eq_ignore_ascii_case(name)))
        .ok_or_else(|| Error::InvalidArgument(format!("the stream has no event-time column {name}")))?;
    let column = batch.column_by_name(field.name()).expect("the field is the batch's");
    if !matches!(column.data_type(), DataType::Timestamp(..)) {
        return Err(Error::InvalidArgument(format!(
            "the event-time column {name} is {}, not a timestamp",
            crate::core::types::display_name(column.data_type(), crate::core::types::Dialect::SparkDdl)
        )));
    }
    let utc = cast(column, &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())))?;
    let micros = cast(&utc, &DataType::Int64)?;
    Ok(micros.as_primitive::<Int64Type>().iter().flatten().max())
}

/// The input columns a query reads: those its spec names, or all of `available` when rows pass
/// through or the program's own operations come first (they may use any column).
fn used_columns<'a>(spec: &'a StreamSpec, transformed: bool, available: &'a Schema) -> Vec<&'a str> {
    match spec.input_columns() {
        Some(columns) if !transformed => columns,
        _ => available.fields().iter().map(|f| f.name().as_str()).collect(),
    }
}

/// A running streaming aggregation.
pub(crate) struct StreamQuery {
    spec: StreamSpec,
    transforms: Transforms,
    config: StreamConfig,
    source: FileSource,
    sink: Option<Arc<dyn StreamSink>>,
    batch_function: Option<Box<BatchFunction>>,
    checkpoint: Checkpoint,
    state: Option<Box<dyn Operator>>,
    /// The types of the columns the query reads (once known) and whether the checkpoint has them.
    input: Option<InputSchema>,
    input_recorded: bool,
    /// The watermark the next batch runs with, and the one the last batch ran with.
    watermark: i64,
    last_watermark: Option<i64>,
    next_batch: u64,
    seen: HashSet<String>,
}

impl StreamQuery {
    /// Open the query: check it, open (or create) its checkpoint and resume from its last commit.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad query; [`Error::Checkpoint`] for a checkpoint of
    /// another query or an unreadable one; storage errors.
    #[cfg(test)]
    pub(crate) fn open(spec: impl Into<StreamSpec>, config: StreamConfig) -> Result<Self> {
        Self::open_with(spec.into(), config, Transforms::default())
    }

    /// As [`Self::open`], the program's stateless operations running on every batch's rows
    /// before the query's state.
    ///
    /// # Errors
    /// As [`Self::open`]; [`Error::InvalidArgument`] for a text source without a declared schema.
    pub(crate) fn open_with(spec: StreamSpec, config: StreamConfig, transforms: Transforms) -> Result<Self> {
        spec.validate()?;
        if matches!(config.format, SourceFormat::Text(_)) && config.schema.is_none() {
            return Err(Error::InvalidArgument(
                "Schema must be specified when creating a streaming source DataFrame from JSON or CSV files".into(),
            ));
        }
        let metadata = Metadata {
            version: 1,
            query: spec.fingerprint(),
            source: config.source.to_string(),
            sink: config.sink.as_ref().map_or_else(|| "(a batch function)".to_string(), |s| s.describe()),
        };
        let checkpoint = Checkpoint::open(&config.checkpoint, &metadata)?;
        let source = FileSource { folder: config.source.clone() };
        let sink = config.sink.clone();
        let declared = match &config.schema {
            Some(schema) => Some(InputSchema::declared(schema, &used_columns(&spec, !transforms.is_empty(), schema))?),
            None => None,
        };
        let last_commit = checkpoint.last_commit()?;
        // The types are recorded with the first commit; a record without a commit (a run killed
        // between the two) binds nothing yet.
        let recorded = match last_commit {
            Some(_) => checkpoint.input_schema()?.map(|schema| InputSchema { schema, origin: Origin::Checkpoint }),
            None => None,
        };
        if let (Some(recorded), Some(declared)) = (&recorded, &declared) {
            recorded
                .check_same(declared)
                .map_err(|e| Error::Checkpoint { path: config.checkpoint.to_string(), reason: e.to_string() })?;
        }
        let input_recorded = recorded.is_some();
        let mut query = Self {
            // A declaration equal to the record (checked above) keeps Spark's reading of it: a
            // declared column that a file lacks is null.
            input: declared.or(recorded),
            input_recorded,
            state: None,
            spec,
            transforms,
            config,
            source,
            sink,
            batch_function: None,
            checkpoint,
            watermark: 0,
            last_watermark: None,
            next_batch: 0,
            seen: HashSet::new(),
        };
        if let Some(commit) = last_commit {
            query.next_batch = commit.batch + 1;
            query.watermark = commit.next_watermark;
            query.last_watermark = Some(commit.watermark);
            let snapshot = query.checkpoint.read_state(commit.batch)?;
            if query.input.is_none() {
                // A checkpoint from before input types were recorded: its first file's.
                query.input = Some(query.first_input_schema()?);
            }
            query.start_state(None)?;
            query
                .state
                .as_mut()
                .expect("state was just set")
                .restore(&snapshot)
                .map_err(|e| Error::Checkpoint { path: query.config.checkpoint.to_string(), reason: e.to_string() })?;
        } else if query.input.is_some() {
            query.start_state(None)?;
        }
        query.seen = query.checkpoint.seen_files()?;
        Ok(query)
    }

    /// Build the empty state for the known input types. A type the query cannot use (an event
    /// time that is not a timestamp, a sum of strings) is an error naming `file` when the types
    /// came from it.
    fn start_state(&mut self, file: Option<&str>) -> Result<()> {
        let input = self.input.as_ref().expect("input types are known before the state starts");
        // What the program's operations make of the input: run them on no rows.
        let fields: Vec<Field> = input.schema.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
        let mut rows = RecordBatch::new_empty(Arc::new(Schema::new(fields)));
        rows = apply(&mut self.transforms.before_watermark, rows)?;
        rows = apply(&mut self.transforms.after_watermark, rows)?;
        let schema = rows.schema();
        let state: Result<Box<dyn Operator>> = match &self.spec {
            StreamSpec::Aggregate(spec) => AggState::new(spec, &schema).map(|s| Box::new(s) as Box<dyn Operator>),
            StreamSpec::Rows(spec) => RowsState::new(spec, &schema).map(|s| Box::new(s) as Box<dyn Operator>),
        };
        let state = state.map_err(|e| match (file, e) {
            (Some(file), Error::InvalidArgument(reason)) => Error::InvalidArgument(format!("{file}: {reason}")),
            (_, other) => other,
        })?;
        self.state = Some(state);
        Ok(())
    }

    /// Hand every batch's emitted rows to `function` (see [`BatchFunction`]) before the sink.
    #[must_use]
    pub(crate) fn with_batch_function(mut self, function: Box<BatchFunction>) -> Self {
        self.batch_function = Some(function);
        self
    }

    /// The query's state: open groups, remembered keys (none before the first batch).
    #[cfg(test)]
    #[must_use]
    pub(crate) fn state(&self) -> Option<&dyn Operator> {
        self.state.as_deref()
    }

    /// The used columns of the source's first file ever taken (checkpoints that predate the
    /// recorded input types).
    fn first_input_schema(&self) -> Result<InputSchema> {
        let first = self.checkpoint.offsets(0)?.and_then(|o| o.files.into_iter().next());
        let Some(file) = first else {
            return Err(Error::Checkpoint {
                path: self.config.checkpoint.to_string(),
                reason: "its state cannot be read back without the source schema".into(),
            });
        };
        let entry = self.source.entry(&file);
        let schema = parquet_file::read_schema(&entry)?;
        let columns = used_columns(&self.spec, !self.transforms.is_empty(), &schema);
        InputSchema::learned(&entry.location.to_string(), &schema, &columns)
    }

    /// Run with `trigger`; `should_stop` is asked between batches and while waiting; `on_batch` is
    /// told about each finished batch.
    ///
    /// # Errors
    /// Any error of a batch; the checkpoint then resumes at that batch on the next run.
    pub(crate) fn run(
        &mut self,
        trigger: Trigger,
        should_stop: &dyn Fn() -> bool,
        on_batch: &mut dyn FnMut(&BatchReport),
    ) -> Result<Vec<BatchReport>> {
        let mut reports = Vec::new();
        let mut done = |report: BatchReport, reports: &mut Vec<BatchReport>| {
            on_batch(&report);
            reports.push(report);
        };
        // A batch that was planned but not committed runs again with its recorded files and watermark.
        if let Some(offsets) = self.checkpoint.offsets(self.next_batch)? {
            let mut report = self.run_batch(&offsets, None)?;
            report.replayed = true;
            done(report, &mut reports);
        }
        match trigger {
            Trigger::Once => {
                // As Spark's Trigger.Once: one batch of everything pending, ignoring the file limit.
                if let Some(report) = self.step(false)? {
                    done(report, &mut reports);
                }
            }
            Trigger::AvailableNow => {
                // Only files present now: a steady stream of new files cannot keep this running.
                let mut budget: HashSet<String> =
                    self.source.pending(&self.seen)?.into_iter().map(|f| f.name).collect();
                while !should_stop() {
                    let pending = self.source.pending(&self.seen)?;
                    let files = self.batch_files(pending.into_iter().filter(|f| budget.contains(&f.name)));
                    let report = if files.is_empty() { self.no_data_batch()? } else { self.data_batch(files)? };
                    let Some(report) = report else { break };
                    for file in &report.files {
                        budget.remove(file);
                    }
                    done(report, &mut reports);
                }
            }
            Trigger::ProcessingTime(interval) => {
                let interval = Duration::from_micros(interval as u64);
                while !should_stop() {
                    let started = Instant::now();
                    if let Some(report) = self.step(true)? {
                        done(report, &mut reports);
                    }
                    while started.elapsed() < interval && !should_stop() {
                        std::thread::sleep((interval.saturating_sub(started.elapsed())).min(Duration::from_millis(50)));
                    }
                }
            }
        }
        Ok(reports)
    }

    /// One trigger: a batch of pending files (within the limits when `limited`), else a batch
    /// without data when the watermark moved since the last batch, else nothing.
    fn step(&mut self, limited: bool) -> Result<Option<BatchReport>> {
        let pending = self.source.pending(&self.seen)?;
        if pending.is_empty() {
            self.no_data_batch()
        } else if limited {
            let files = self.batch_files(pending.into_iter());
            self.data_batch(files)
        } else {
            self.data_batch(pending)
        }
    }

    /// The next batch's files in arrival order: at most `max_files_per_trigger`, and files while
    /// their total stays within `max_bytes_per_trigger`; at least one file.
    fn batch_files(&self, pending: impl Iterator<Item = SourceFile>) -> Vec<SourceFile> {
        let max_files = self.config.max_files_per_trigger.unwrap_or(usize::MAX).max(1);
        let max_bytes = self.config.max_bytes_per_trigger.unwrap_or(u64::MAX);
        let mut bytes = 0u64;
        let mut files = Vec::new();
        for file in pending.take(max_files) {
            if !files.is_empty() && bytes.saturating_add(file.size) > max_bytes {
                break;
            }
            bytes = bytes.saturating_add(file.size);
            files.push(file);
        }
        files
    }

    fn data_batch(&mut self, files: Vec<SourceFile>) -> Result<Option<BatchReport>> {
        // Checked before the batch is planned: a file the query cannot read is refused while no
        // batch has taken it, so moving it out of the folder lets the stream go on.
        let opened = self.open_files(&files).map_err(|err| match err {
            Error::InvalidArgument(reason) => Error::InvalidArgument(format!(
                "{reason}; no batch has taken the file: move it out of {} to go on",
                self.config.source
            )),
            other => other,
        })?;
        let offsets = Offsets {
            batch: self.next_batch,
            watermark: self.watermark,
            late_watermark: self.last_watermark.unwrap_or(0),
            files,
        };
        self.checkpoint.write_offsets(&offsets)?;
        self.run_batch(&offsets, Some(opened)).map(Some)
    }

    /// Spark runs a batch without data when the watermark has moved past the one the last batch
    /// ran with, so that groups it closes are written without waiting for new files.
    fn no_data_batch(&mut self) -> Result<Option<BatchReport>> {
        if !self.spec.runs_no_data_batches() {
            return Ok(None); // nothing for a moved watermark to close or forget
        }
        match self.last_watermark {
            Some(last) if self.watermark > last => {
                let offsets = Offsets {
                    batch: self.next_batch,
                    watermark: self.watermark,
                    late_watermark: last,
                    files: Vec::new(),
                };
                self.checkpoint.write_offsets(&offsets)?;
                self.run_batch(&offsets, None).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Run a planned batch; `opened` holds its files when the planning step opened them already.
    fn run_batch(&mut self, offsets: &Offsets, opened: Option<Vec<OpenedFile>>) -> Result<BatchReport> {
        let started = Instant::now();
        failpoint::hit("stream.planned");
        let opened = match opened {
            Some(opened) => opened,
            None => self.open_files(&offsets.files)?,
        };
        let (inputs, malformed) = self.decode_files(opened)?;
        if self.state.is_none() {
            return Err(Error::InvalidArgument(format!("{}: no file to learn the schema from", self.config.source)));
        }
        let mut report = BatchReport {
            batch: offsets.batch,
            files: offsets.files.iter().map(|f| f.name.clone()).collect(),
            malformed: malformed.malformed,
            dropped_malformed: malformed.dropped,
            rows: malformed.dropped,
            watermark: offsets.watermark,
            ..BatchReport::default()
        };
        let mut max_event_time: Option<i64> = None;
        let folding = Instant::now();
        let mode = self.spec.output_mode();
        // Complete mode keeps every group: no row is late for it.
        let late_watermark = if mode == OutputMode::Complete { i64::MIN } else { offsets.late_watermark };
        let event_time = self.spec.watermark().map(|(column, _)| column.to_string());
        let state = self.state.as_mut().expect("state exists once a batch has input");
        for input in inputs {
            report.rows += input.num_rows() as u64;
            let mut rows = apply(&mut self.transforms.before_watermark, input)?;
            if let Some(column) = &event_time {
                max_event_time = max_event_time.max(max_event_time_of(&rows, column)?);
            }
            rows = apply(&mut self.transforms.after_watermark, rows)?;
            let counts = state.update(&rows, late_watermark)?;
            report.aggregated += counts.aggregated;
            report.passed += counts.passed;
            report.duplicates += counts.duplicates;
            report.late += counts.late;
            report.null_time += counts.null_time;
        }
        let kept = report.aggregated + report.passed + report.duplicates + report.late + report.null_time;
        report.filtered = report.rows.saturating_sub(report.dropped_malformed + kept);
        report.aggregate_micros = u64::try_from(folding.elapsed().as_micros()).unwrap_or(u64::MAX);
        let emitted = state.emit(mode, offsets.watermark)?;
        report.emitted = emitted.num_rows() as u64;
        report.open_groups = state.len() as u64;
        // Spark keeps the watermark in milliseconds: max event time (ms, truncated) minus the delay.
        report.next_watermark = match (self.spec.watermark(), max_event_time) {
            (Some((_, delay)), Some(max)) => offsets.watermark.max(((max / 1000) - delay / 1000) * 1000),
            _ => offsets.watermark,
        };
        failpoint::hit("stream.before_output");
        let output = match &mut self.batch_function {
            Some(function) => function(offsets.batch, emitted)?,
            None => Some(emitted),
        };
        if let (Some(rows), Some(sink)) = (output, &self.sink) {
            if rows.num_rows() > 0 {
                report.output = sink.append(offsets.batch, &rows)?;
            }
        }
        let snapshot = state.snapshot()?;
        self.checkpoint.write_state(offsets.batch, &snapshot)?;
        if !self.input_recorded {
            let input = self.input.as_ref().expect("a batch with state has input types");
            self.checkpoint.record_input_schema(&input.schema)?;
            self.input_recorded = true;
        }
        failpoint::hit("stream.before_commit");
        self.checkpoint.write_commit(&Commit {
            batch: offsets.batch,
            watermark: offsets.watermark,
            next_watermark: report.next_watermark,
            rows_emitted: report.emitted,
            open_groups: report.open_groups,
        })?;
        failpoint::hit("stream.after_commit");
        self.seen.extend(offsets.files.iter().map(|f| f.name.clone()));
        self.next_batch = offsets.batch + 1;
        self.last_watermark = Some(offsets.watermark);
        self.watermark = report.next_watermark;
        report.micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// Open a batch's files in parallel (Parquet: their footers) and check each against the
    /// input types, learning them from the first file when none are known yet.
    fn open_files(&mut self, files: &[SourceFile]) -> Result<Vec<OpenedFile>> {
        if let SourceFormat::Text(_) = &self.config.format {
            return Ok(files.iter().map(|file| OpenedFile::Text(self.source.entry(file))).collect());
        }
        let sources: Vec<(String, ParquetSource)> = pool::install(|| {
            files
                .par_iter()
                .map(|file| {
                    let entry = self.source.entry(file);
                    Ok((entry.location.to_string(), ParquetSource::open(&entry)?))
                })
                .collect::<Result<_>>()
        })?;
        if self.input.is_none() {
            let Some((name, first)) = sources.first() else { return Ok(Vec::new()) };
            let columns = used_columns(&self.spec, !self.transforms.is_empty(), first.schema());
            self.input = Some(InputSchema::learned(name, first.schema(), &columns)?);
            self.start_state(Some(name))?;
        }
        let input = self.input.as_ref().expect("input types are known");
        sources
            .into_iter()
            .map(|(name, source)| {
                let plan = input.plan(&name, source.schema())?;
                Ok(OpenedFile::Parquet { source, plan })
            })
            .collect()
    }

    /// Decode opened files in parallel, only the columns the query reads, conformed to the input
    /// types; and the malformed records of text files.
    fn decode_files(&self, opened: Vec<OpenedFile>) -> Result<(Vec<RecordBatch>, Malformed)> {
        let Some(input) = self.input.as_ref() else { return Ok((Vec::new(), Malformed::default())) };
        let config = &self.config;
        let parts: Vec<(Vec<RecordBatch>, Malformed)> = pool::install(|| {
            opened.into_par_iter().map(|file| decode_file(config, input, file)).collect::<Result<_>>()
        })?;
        let mut malformed = Malformed::default();
        let mut batches = Vec::new();
        for (part, counts) in parts {
            batches.extend(part.into_iter().filter(|b| b.num_rows() > 0));
            malformed.malformed += counts.malformed;
            malformed.dropped += counts.dropped;
        }
        Ok((batches, malformed))
    }
}

/// One opened file's rows, conformed to the input types, and its malformed records.
fn decode_file(config: &StreamConfig, input: &InputSchema, file: OpenedFile) -> Result<(Vec<RecordBatch>, Malformed)> {
    match file {
        OpenedFile::Parquet { source, plan } => {
            let present: Vec<&str> = plan.present.iter().map(String::as_str).collect();
            let mut batches = Vec::new();
            source.read(None, Some(&present), |batch| {
                batches.push(input.conform(&plan, &batch)?);
                Ok(())
            })?;
            Ok((batches, Malformed::default()))
        }
        OpenedFile::Text(entry) => {
            let (SourceFormat::Text(options), Some(declared)) = (&config.format, &config.schema) else {
                unreachable!("text files are opened for a text source with a declared schema");
            };
            let name = entry.location.to_string();
            let stored = objects::read(&entry)?;
            let content = match crate::core::formats::codec::decompress_named(&name, &stored) {
                crate::core::formats::codec::Content::Plain => stored.to_vec(),
                crate::core::formats::codec::Content::Decompressed(text) => text,
                crate::core::formats::codec::Content::Corrupt(reason) => {
                    return Err(Error::InvalidArgument(format!("{name}: {reason}")))
                }
            };
            let fields: Vec<Field> = declared.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
            let decoded = text::decode(&content, &name, &Arc::new(Schema::new(fields)), options)?;
            let counts = Malformed { malformed: decoded.malformed, dropped: decoded.dropped };
            Ok((vec![input.select(&decoded.batch)?], counts))
        }
    }
}

/// Malformed records of a batch's text files.
#[derive(Debug, Default, Clone, Copy)]
struct Malformed {
    malformed: u64,
    dropped: u64,
}

/// A file of a batch: a Parquet file's footer read and its columns checked, or a text file.
enum OpenedFile {
    Parquet { source: ParquetSource, plan: FilePlan },
    Text(FileEntry),
}
