//! A landing → trusted run for an engine whose tasks decode the landing files themselves
//! (Spark): the core picks the files (all, or those the table's bookmark does not name), keeps
//! the schema history (a new version when the tasks found keys it lacks) and commits what the
//! tasks wrote with the bookmark — the same run the local engine makes, decoded elsewhere.

use std::sync::Mutex;

use pyo3::prelude::*;

use super::jobs::OutputSummary;
use crate::core::storage::lock::LocalLock;
use crate::core::storage::{Location, TableFormat};
use crate::error::Error;
use crate::stedi::landing_run::LandingRun;
use crate::stedi::{job_lock, jobs, JobOptions, Lake};

/// One run of a landing → trusted job whose files another engine decodes.
#[pyclass(module = "glueless._glueless", frozen)]
pub(crate) struct LandingJobRun {
    run: Mutex<LandingRun>,
    options: JobOptions,
    _lock: Option<LocalLock>,
}

/// What the run did with its files and schema: (appended to the table, files skipped, schema
/// version, schema change).

#[pymethods]
impl LandingJobRun {
    /// Plan the run of the STEDI job `job` on the lake at `lake` (holding the job's lock),
    /// writing its tables in `format` (`None`: each table's own, Parquet for new ones).
    #[new]
    #[pyo3(signature = (lake, job, *, strict=false, incremental=false, max_record_bytes=None, format=None))]
    fn new(
        py: Python<'_>,
        lake: &str,
        job: &str,
        strict: bool,
        incremental: bool,
        max_record_bytes: Option<usize>,
        format: Option<&str>,
    ) -> PyResult<Self> {
        let plan = jobs::plan(job, strict)?;
        let table =
            plan.landing_table().ok_or_else(|| Error::InvalidArgument(format!("{job} reads no landing data")))?;
        let mut options = JobOptions { strict, incremental, ..JobOptions::default() };
        if let Some(n) = max_record_bytes {
            options.landing.max_record_bytes = n;
        }
        let format = format.map(str::parse::<TableFormat>).transpose()?;
        let lake = Lake::open(lake)?.with_format(format);
        let (lock, run) = py.detach(|| -> crate::Result<_> {
            let lock = job_lock(&lake, plan.job)?;
            Ok((lock, LandingRun::start(&lake, plan.job, table, &options)?))
        })?;
        Ok(Self { run: Mutex::new(run), options, _lock: lock })
    }

    /// The landing files this run takes, as (location, size).
    fn files(&self) -> Vec<(String, u64)> {
        self.locked().files().iter().map(|f| (f.location.to_string(), f.size)).collect()
    }

    /// The landing columns to decode with now, as (name, Athena type, declared).
    fn columns(&self) -> Vec<(String, String, bool)> {
        self.locked()
            .schema_version()
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.kind.to_string(), c.declared))
            .collect()
    }

    /// The tasks found keys or values the columns have no place for in the files at
    /// `locations`: store the schema version that holds them (decode again with [`Self::columns`]).
    fn evolve(&self, py: Python<'_>, locations: Vec<String>) -> PyResult<()> {
        py.detach(|| self.locked().evolve_from(&locations, &self.options))?;
        Ok(())
    }

    /// Commit the folders the tasks wrote (`trusted`: the run's rows, DISTINCT among themselves
    /// when `distinct`; `rejected`: quarantine parts). Returns the trusted and quarantine outputs
    /// and the rows left out because the table already had them (an incremental run).
    fn commit(
        &self,
        py: Python<'_>,
        trusted: &str,
        rejected: &str,
        distinct: bool,
    ) -> PyResult<(OutputSummary, OutputSummary, u64)> {
        let (trusted, rejected) = (Location::parse(trusted)?, Location::parse(rejected)?);
        let (out, quarantine, already) = py.detach(|| self.locked().commit_staged(&trusted, &rejected, distinct))?;
        let quarantine = crate::stedi::OutputInfo { role: crate::stedi::OutputRole::Quarantine, ..quarantine };
        Ok((OutputSummary::from(&out), OutputSummary::from(&quarantine), already))
    }

    /// Append the folder the tasks wrote (`trusted`: the run's rows without those the table
    /// already has; `rejected`: quarantine parts) to the table: an incremental run whose schema
    /// did not change, so no row passes through the driver. `distinct_rows`: the run's rows after
    /// DISTINCT among themselves, before the table's were left out (`None`: no DISTINCT).
    /// Returns as [`Self::commit`].
    #[pyo3(signature = (trusted, rejected, distinct_rows=None))]
    fn append(
        &self,
        py: Python<'_>,
        trusted: &str,
        rejected: &str,
        distinct_rows: Option<u64>,
    ) -> PyResult<(OutputSummary, OutputSummary, u64)> {
        let (trusted, rejected) = (Location::parse(trusted)?, Location::parse(rejected)?);
        let (out, quarantine, already) =
            py.detach(|| self.locked().append_staged(&trusted, &rejected, distinct_rows))?;
        let quarantine = crate::stedi::OutputInfo { role: crate::stedi::OutputRole::Quarantine, ..quarantine };
        Ok((OutputSummary::from(&out), OutputSummary::from(&quarantine), already))
    }

    /// Remove the folders an attempt's tasks wrote (`trusted`, `rejected`) without committing them.
    fn discard(&self, py: Python<'_>, trusted: &str, rejected: &str) -> PyResult<()> {
        let (trusted, rejected) = (Location::parse(trusted)?, Location::parse(rejected)?);
        py.detach(|| self.locked().discard_staged(&trusted, &rejected))?;
        Ok(())
    }

    /// Whether this run appends to the trusted table (`--incremental` with a table there).
    #[getter]
    fn appending(&self) -> bool {
        let mut report = crate::stedi::JobReport::default();
        self.locked().annotate(&mut report);
        report.incremental
    }
}

impl LandingJobRun {
    /// The run's facts in a report: whether it appended, files skipped, the schema version and
    /// its change.
    pub(crate) fn annotate(&self, report: &mut crate::stedi::JobReport) {
        self.locked().annotate(report);
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, LandingRun> {
        // A panic while holding the lock cannot leave the run half-changed in a way that matters
        // more than the panic itself; go on with its state.
        self.run.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The lock of one STEDI job on a local lake, for an engine that runs the job's steps itself
/// (Spark's table jobs): held from construction until `release` or the end of a `with` block,
/// so a second run of the job fails at once instead of interleaving its writes. Nothing is
/// locked on S3, where commits are optimistic.
#[pyclass(module = "glueless._glueless", frozen)]
pub(crate) struct JobLock {
    lock: Mutex<Option<LocalLock>>,
}

#[pymethods]
impl JobLock {
    /// Take the lock of STEDI job `job` on the lake at `lake`.
    #[new]
    fn new(py: Python<'_>, lake: &str, job: &str) -> PyResult<Self> {
        let plan = jobs::plan(job, false)?;
        let lake = Lake::open(lake)?;
        let lock = py.detach(|| job_lock(&lake, plan.job))?;
        Ok(Self { lock: Mutex::new(lock) })
    }

    /// Let the next run of the job start.
    fn release(&self) {
        self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, pyo3::types::PyTuple>) {
        self.release();
    }
}
