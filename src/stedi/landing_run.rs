//! What the three landing → trusted jobs share: which landing files to take (all, or with
//! `--incremental` those the table's bookmark does not name), decoding them with the table's
//! current schema version (evolving it when files bring new keys), the quarantine, and writing
//! the trusted table with its bookmark in one commit (replaced, or appended to).

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::bookmark::Bookmark;
use super::output::{self, Commit};
use super::schema_history::SchemaHistory;
use super::tables::{read_parquet_folder, Table};
use super::{JobOptions, JobReport, Lake, OutputInfo};
use crate::core::json::{self, rejected_schema, BatchFilter, LandingOutput, Unseen};
use crate::core::kernels::{conform, distinct, filter_by_text};
use crate::core::pool;
use crate::core::storage::{
    committed_files, objects, parquet_file, table_format, FileEntry, Location, StagedFolder, TableFormat,
};
use crate::error::{Error, Result};

/// A schema settles after at most this many decodes (a type widens at most twice).
const MAX_DECODES: usize = 4;

/// One run of a landing → trusted job.
pub(crate) struct LandingRun {
    lake: Lake,
    job: &'static str,
    table: &'static str,
    trusted: Location,
    incremental: bool,
    history: SchemaHistory,
    /// The files this run takes.
    files: Vec<FileEntry>,
    /// The bookmark the trusted table had (empty for a full run).
    bookmark: Bookmark,
    /// Files skipped because the bookmark names them.
    skipped: usize,
    schema_change: Option<String>,
}

impl LandingRun {
    /// Plan the run of `job`, which reads `table`'s landing zone and writes `table/trusted`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing landing folder; [`Error::Conflict`] when an incremental
    /// run finds a taken file changed; storage errors.
    pub(crate) fn start(lake: &Lake, job: &'static str, table: &'static str, options: &JobOptions) -> Result<Self> {
        let landing = lake.landing(table)?;
        let trusted = lake.zone(table, "trusted");
        let history = SchemaHistory::load(lake, table)?;
        let all = objects::list_files(&landing)?;
        let previous = if options.incremental { Bookmark::committed(&trusted)? } else { None };
        let previous_exists = previous.is_some();
        let (files, skipped, bookmark) = match previous {
            Some(bookmark) => {
                let (new, skipped) = bookmark.new_files(all)?;
                (new, skipped, bookmark)
            }
            None => (all, 0, Bookmark::default()),
        };
        let incremental = options.incremental && previous_exists;
        Ok(Self {
            lake: lake.clone(),
            job,
            table,
            trusted,
            incremental,
            history,
            files,
            bookmark,
            skipped,
            schema_change: None,
        })
    }

    /// Decode this run's landing files with the table's current schema, passing each batch
    /// through `keep` (which counts what it drops). When the files bring keys the schema lacks,
    /// or values an evolved column cannot hold, a new schema version is stored and the files are
    /// decoded again (`restart` is called before every decode, so `keep`'s counts start over).
    /// The quarantine (`table/rejected`) gets the records that could not be read.
    ///
    /// # Errors
    /// Storage errors; whatever `keep` returns.
    pub(crate) fn read(
        &mut self,
        options: &JobOptions,
        restart: &dyn Fn(),
        keep: &BatchFilter<'_>,
    ) -> Result<(LandingOutput, OutputInfo)> {
        let mut landed = None;
        for _ in 0..MAX_DECODES {
            let schema = self.history.landing_schema();
            restart();
            let out = json::read_files_filtered(&self.files, Some(&schema), &options.landing, keep)?;
            if out.unseen.is_empty() {
                landed = Some(out);
                break;
            }
            self.evolve(&out.unseen)?;
        }
        let landed = landed.ok_or_else(|| {
            Error::Unsupported(format!("{}: the landing schema did not settle after {MAX_DECODES} decodes", self.table))
        })?;
        let rejected = self.write_rejected(&landed.rejected)?;
        Ok((landed, rejected))
    }

    /// Store a new schema version that holds what `unseen` found in this run's files.
    fn evolve(&mut self, unseen: &Unseen) -> Result<()> {
        let names: Vec<&str> = self.files.iter().map(FileEntry::name).collect();
        let Some(change) = self.history.evolve(unseen, &summarise(&names))? else {
            // Nothing to add or widen although values did not fit: never store them as nulls.
            return Err(Error::Unsupported(format!("{}: landing values fit no column type", self.table)));
        };
        self.history.save()?;
        self.schema_change = Some(match self.schema_change.take() {
            Some(earlier) => format!("{earlier}; {change}"),
            None => change,
        });
        Ok(())
    }

    /// For an engine whose tasks decode the files ([`Self::files`]) themselves and found keys
    /// or values the current schema has no place for in the files at `locations`: decode those
    /// files here and store the schema version that holds them, so the tasks can decode again.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a file that is not one of this run's; storage errors.
    pub(crate) fn evolve_from(&mut self, locations: &[String], options: &JobOptions) -> Result<()> {
        let files: Vec<FileEntry> = locations
            .iter()
            .map(|l| {
                self.files.iter().find(|f| f.location.to_string() == *l).cloned().ok_or_else(|| {
                    Error::InvalidArgument(format!("{l} is not a landing file of this {} run", self.job))
                })
            })
            .collect::<Result<_>>()?;
        let schema = self.history.landing_schema();
        let out = json::read_files_filtered(&files, Some(&schema), &options.landing, &|b| Ok(b.clone()))?;
        if out.unseen.is_empty() {
            return Ok(());
        }
        self.evolve(&out.unseen)
    }

    /// The landing files this run takes.
    #[must_use]
    pub(crate) fn files(&self) -> &[FileEntry] {
        &self.files
    }

    /// The landing schema the run decodes with now.
    #[must_use]
    pub(crate) fn schema_version(&self) -> &super::schema_history::SchemaVersion {
        self.history.current()
    }

    /// Replace the quarantine; an incremental run keeps the records of files it did not take.
    ///
    /// # Errors
    /// Storage errors; the quarantine then stays as it was.
    pub(crate) fn write_rejected(&self, rejected: &[RecordBatch]) -> Result<OutputInfo> {
        let target = self.lake.output(self.table, "rejected");
        let location = &target.location;
        let mut batches = Vec::new();
        if self.incremental {
            // Records of this run's files are dropped first: a re-run after a crash must not
            // quarantine them twice.
            let taken: std::collections::HashSet<String> = self.files.iter().map(|f| f.location.to_string()).collect();
            if let Some(old) = read_existing(location)? {
                for batch in &old.batches {
                    batches.push(filter_by_text(batch, "source_file", |s| !taken.contains(s))?);
                }
            }
        }
        batches.extend(rejected.iter().cloned());
        output::replace_table(&target, &rejected_schema(), &batches)
    }

    /// Write the job's rows to `table/trusted` with the bookmark of every file taken so far. A
    /// full run replaces the table; an incremental run appends, first dropping rows the table
    /// already has when `distinct` (the DISTINCT jobs). Returns the output and the rows dropped
    /// as already present.
    ///
    /// # Errors
    /// Storage errors; the table then stays as it was.
    pub(crate) fn write_trusted(
        &self,
        schema: &SchemaRef,
        rows: Vec<RecordBatch>,
        distinct_rows: bool,
    ) -> Result<(OutputInfo, u64)> {
        let target = self.lake.output(self.table, "trusted");
        let bookmark = self.bookmark.clone().with(self.job, &self.files);
        let mut commit = Commit { properties: Some(bookmark.properties()), ..Commit::default() };
        if !self.incremental {
            return Ok((output::write_table(&target, schema, &rows, commit)?, 0));
        }
        let old_files: Vec<FileEntry> =
            committed_files(&self.trusted)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
        let same_schema = match old_files.first() {
            Some(first) => parquet_file::read_schema(first)?.fields() == schema.fields(),
            None => false,
        };
        let needs_old_rows = distinct_rows || !same_schema;
        let old = if needs_old_rows { read_existing(&self.trusted)? } else { None };
        let old_batches: Vec<RecordBatch> = match &old {
            Some(old) => pool::install(|| old.batches.iter().map(|b| conform(b, schema)).collect::<Result<_>>())?,
            None => Vec::new(),
        };
        let (new_rows, already) = if distinct_rows {
            let all: Vec<RecordBatch> = old_batches.iter().chain(&rows).cloned().collect();
            let (firsts, _) = pool::install(|| distinct(schema, &all))?;
            let new_rows: Vec<RecordBatch> = firsts[old_batches.len()..].to_vec();
            let before: usize = rows.iter().map(RecordBatch::num_rows).sum();
            let after: usize = new_rows.iter().map(RecordBatch::num_rows).sum();
            (new_rows, (before - after) as u64)
        } else {
            (rows, 0)
        };
        if same_schema {
            commit.kept_rows = match &old {
                Some(old) => old.rows(),
                None => parquet_rows(&old_files)?,
            };
            commit.keep = old_files;
            Ok((output::write_table(&target, schema, &new_rows, commit)?, already))
        } else {
            // The schema evolved: the old rows are rewritten with the new columns (null) and
            // widened types, then the new rows follow.
            let appended: usize = new_rows.iter().map(RecordBatch::num_rows).sum();
            let all: Vec<RecordBatch> = old_batches.into_iter().chain(new_rows).collect();
            let mut out = output::write_table(&target, schema, &all, commit)?;
            out.rows = appended as u64;
            Ok((out, already))
        }
    }

    /// Commit what another engine's tasks wrote for this run: `trusted`, a folder beside the
    /// trusted table holding the run's rows (DISTINCT among themselves when `distinct_rows`), and
    /// `rejected`, a folder of quarantine parts. A full run makes `trusted` the table, with the
    /// bookmark, in one step; an incremental run appends its rows as [`Self::write_trusted`] does
    /// (read here, so the driver holds the new rows, not the table). Both folders are removed.
    /// Returns the trusted and quarantine outputs and the rows left out as already present.
    ///
    /// # Errors
    /// Storage errors; the tables then stay as they were.
    pub(crate) fn commit_staged(
        &self,
        trusted: &Location,
        rejected: &Location,
        distinct_rows: bool,
    ) -> Result<(OutputInfo, OutputInfo, u64)> {
        let rejected = self.commit_quarantine(rejected)?;
        if self.incremental {
            let staged = StagedFolder::adopt(&self.trusted, trusted)?;
            let rows = read_staged(trusted)?
                .ok_or_else(|| Error::NotFound { what: "staged rows", path: trusted.to_string() })?;
            drop(staged);
            let (out, already) = self.write_trusted(&rows.schema, rows.batches, distinct_rows)?;
            return Ok((out, rejected, already));
        }
        // In the lake's table format: an Iceberg or Delta table gets the files as a snapshot.
        let target = self.lake.output(self.table, "trusted");
        let staged = StagedFolder::adopt_table(&target.location, trusted, target.format, &target.catalog_name())?;
        let bookmark = self.bookmark.clone().with(self.job, &self.files);
        staged.commit(&[], Some(&bookmark.properties()))?;
        let (schema, files) = super::tables::committed_table_shape(&self.trusted)?;
        let rows = parquet_rows(&files)?;
        let out = OutputInfo {
            role: super::OutputRole::Output,
            schema,
            table: format!("{}/trusted", self.table),
            location: self.trusted.to_string(),
            rows,
            table_rows: rows,
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.size).sum(),
        };
        Ok((out, rejected, 0))
    }

    /// Append what another engine's tasks wrote for an incremental run whose schema did not
    /// change, the engine having left out itself the rows the table already has: the files of
    /// `trusted` join the table's, with the new bookmark, in one step, and no row passes through
    /// here (a Spark driver holds none). `distinct_rows`: the run's rows after DISTINCT among
    /// themselves, before those of the table were left out (`None`: the job has no DISTINCT).
    /// `rejected` is committed as [`Self::commit_staged`] does. Returns the trusted and
    /// quarantine outputs and the rows left out as already present.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a run that does not append, staged rows whose columns are
    /// not the table's, or more staged rows than `distinct_rows`; storage errors (the tables then
    /// stay as they were).
    pub(crate) fn append_staged(
        &self,
        trusted: &Location,
        rejected: &Location,
        distinct_rows: Option<u64>,
    ) -> Result<(OutputInfo, OutputInfo, u64)> {
        if !self.incremental {
            return Err(Error::InvalidArgument(format!("{}: only an incremental run appends", self.job)));
        }
        let (schema, old_files) = super::tables::committed_table_shape(&self.trusted)?;
        let staged: Vec<FileEntry> =
            objects::list_files(trusted)?.into_iter().filter(|f| f.name().ends_with(".parquet")).collect();
        let mut new_files = Vec::new();
        let mut empty_files = Vec::new();
        for file in staged {
            let (file_schema, rows) = parquet_file::footer(&file)?;
            if file_schema.fields() != schema.fields() {
                return Err(Error::InvalidArgument(format!(
                    "{}: the staged rows' columns are not those of {}",
                    file.location, self.trusted
                )));
            }
            match rows {
                0 => empty_files.push(objects::resolve(&file.location)?.path),
                rows => new_files.push((file, rows)),
            }
        }
        let new_rows: u64 = new_files.iter().map(|(_, rows)| rows).sum();
        let already = match distinct_rows {
            Some(d) if d < new_rows => {
                return Err(Error::InvalidArgument(format!(
                    "{trusted}: {new_rows} staged rows, more than the run's {d} distinct rows"
                )))
            }
            Some(d) => d - new_rows,
            None => 0,
        };
        let rejected = self.commit_quarantine(rejected)?;
        let target = self.lake.output(self.table, "trusted");
        let kept_rows = parquet_rows(&old_files)?;
        let bookmark = self.bookmark.clone().with(self.job, &self.files);
        let commit = Commit { keep: old_files, kept_rows, properties: Some(bookmark.properties()) };
        if new_files.is_empty() {
            // Nothing new: the table keeps its files (no empty one is added) and gains the bookmark.
            drop(StagedFolder::adopt(&self.trusted, trusted)?);
            return Ok((output::write_table(&target, &schema, &[], commit)?, rejected, already));
        }
        // An empty file adds nothing; a Parquet table keeps its files under their names, so the
        // new ones get names unique to the run (a table format's adoption gives them such names).
        objects::delete_all(trusted, empty_files)?;
        let format = table_format::resolve(&target.location, target.format)?;
        if format == TableFormat::Parquet {
            let run = table_format::run_suffix(true);
            for (file, _) in &new_files {
                objects::rename(&file.location, &trusted.join(&table_format::run_file_name(file.name(), &run)))?;
            }
        }
        let mut staged = StagedFolder::adopt_table(&target.location, trusted, Some(format), &target.catalog_name())?;
        staged.keep(&commit.keep)?;
        staged.commit(&[], commit.properties.as_ref())?;
        let files = (commit.keep.len() + new_files.len()) as u64;
        let bytes = commit.keep.iter().chain(new_files.iter().map(|(f, _)| f)).map(|f| f.size).sum();
        let out = OutputInfo {
            role: super::OutputRole::Output,
            schema,
            table: target.table,
            location: self.trusted.to_string(),
            rows: new_rows,
            table_rows: kept_rows + new_rows,
            files,
            bytes,
        };
        Ok((out, rejected, already))
    }

    /// Commit the quarantine parts another engine's tasks wrote into `rejected` (a folder
    /// beside the quarantine), as [`Self::write_rejected`] writes the local engine's.
    fn commit_quarantine(&self, rejected: &Location) -> Result<OutputInfo> {
        let quarantined = read_staged(rejected)?.map_or_else(Vec::new, |t| t.batches);
        drop(StagedFolder::adopt(&self.lake.zone(self.table, "rejected"), rejected)?);
        self.write_rejected(&quarantined)
    }

    /// Remove folders another engine's tasks wrote for this run without committing them.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a folder is not beside its table.
    pub(crate) fn discard_staged(&self, trusted: &Location, rejected: &Location) -> Result<()> {
        drop(StagedFolder::adopt(&self.trusted, trusted)?);
        drop(StagedFolder::adopt(&self.lake.zone(self.table, "rejected"), rejected)?);
        Ok(())
    }

    /// Whether this run appends to the table (an incremental run with a bookmark to go on).
    #[must_use]
    pub(crate) fn is_incremental(&self) -> bool {
        self.incremental
    }

    /// Put what the run did with its files and schema into `report`.
    pub(crate) fn annotate(&self, report: &mut JobReport) {
        report.incremental = self.incremental;
        report.landing_table = Some(self.table.to_string());
        report.files_skipped = self.skipped as u64;
        report.schema_version = self.history.current().version;
        report.schema_change.clone_from(&self.schema_change);
    }
}

fn read_existing(location: &Location) -> Result<Option<Table>> {
    if !objects::folder_exists(location)? {
        return Ok(None);
    }
    read_parquet_folder(location, None)
}

/// The Parquet files another engine wrote into the folder `staged`, as one table.
fn read_staged(staged: &Location) -> Result<Option<Table>> {
    let files: Vec<FileEntry> = match objects::list_files(staged) {
        Ok(files) => files.into_iter().filter(|f| f.name().ends_with(".parquet")).collect(),
        Err(Error::NotFound { .. }) => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut table: Option<Table> = None;
    for file in &files {
        let (schema, batches) = parquet_file::read(file, None)?;
        match &mut table {
            Some(t) => t.batches.extend(batches.iter().map(|b| conform(b, &t.schema)).collect::<Result<Vec<_>>>()?),
            None => table = Some(Table { schema, batches }),
        }
    }
    Ok(table)
}

fn parquet_rows(files: &[FileEntry]) -> Result<u64> {
    files.iter().map(parquet_file::row_count).sum()
}

/// A file list for a message: the first few names and how many more.
fn summarise(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    if names.len() <= SHOWN {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..SHOWN].join(", "), names.len() - SHOWN)
    }
}
