//! The STEDI jobs for Python: running one on the local engine, each job's description for the
//! Spark engine, and the run summary both engines return (one typed report, converted by
//! pyo3's derived `IntoPyObject` into the dict scripts and `--summary-json` read).

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict};

use super::landing_job::LandingJobRun;
use crate::core::storage::TableFormat;
use crate::error::{Error, Result};
use crate::stedi::{self, jobs, table_ddl, JobOptions, JobReport, Lake, OutputInfo, OutputRole};

/// Run one STEDI job on the lake at `lake` and return its run summary.
#[pyfunction]
#[pyo3(signature = (job, lake, *, strict=false, max_record_bytes=None, incremental=false, format=None))]
pub(crate) fn run_job(
    py: Python<'_>,
    job: String,
    lake: String,
    strict: bool,
    max_record_bytes: Option<usize>,
    incremental: bool,
    format: Option<String>,
) -> PyResult<Summary> {
    let format = format.map(|f| f.parse::<TableFormat>()).transpose()?;
    let mut options = JobOptions { strict, incremental, ..JobOptions::default() };
    if let Some(n) = max_record_bytes {
        options.landing.max_record_bytes = n;
    }
    let report = py.detach(|| stedi::run_job(&job, &Lake::open(&lake)?.with_format(format), &options))?;
    Ok(Summary::from(&report))
}

/// The description of STEDI job `job` as JSON: its source, steps (each filter with its reasons),
/// output and forbidden columns — what the Spark engine runs.
#[pyfunction]
#[pyo3(signature = (job, *, strict=false))]
pub(crate) fn job_plan(job: &str, strict: bool) -> PyResult<String> {
    let plan = jobs::plan(job, strict)?;
    serde_json::to_string(&plan).map_err(|e| Error::InvalidArgument(format!("{job}: {e}")).into())
}

/// What another engine counted while running job `job`'s plan, made into the same run summary
/// as the local engine's: `left_out` holds the rows each of the plan's reasons left out, in
/// plan order; `outputs` the tables written (`table`, `location`, `rows`, `table_rows`, and
/// `role` "output" or "quarantine"); `landing` the landing sizes (`bytes` decoded, `stored_bytes`,
/// `compressed_files`; none for a job without landing data) and `run` the landing run (whether it
/// appended, files skipped, schema version and change). The catalog DDL of what the job wrote is
/// regenerated.
#[pyfunction]
#[pyo3(signature = (job, lake, *, engine, strict, read, quarantined, left_out, outputs, matched=None, landing=None, run=None, seconds=0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn job_report(
    py: Python<'_>,
    job: &str,
    lake: &str,
    engine: String,
    strict: bool,
    read: u64,
    quarantined: u64,
    left_out: Vec<u64>,
    outputs: Vec<OutputArg>,
    matched: Option<u64>,
    landing: Option<LandingSizes>,
    run: Option<PyRef<'_, LandingJobRun>>,
    seconds: f64,
) -> PyResult<Summary> {
    let plan = jobs::plan(job, strict)?;
    let landing = landing.unwrap_or_default();
    let mut facts = JobReport::default();
    if let Some(run) = &run {
        run.annotate(&mut facts);
    }
    let reasons = plan.reasons(facts.incremental);
    if reasons.len() != left_out.len() {
        return Err(Error::InvalidArgument(format!(
            "{job}: {} counts for the reasons {}",
            left_out.len(),
            reasons.join(", ")
        ))
        .into());
    }
    let outputs = outputs.into_iter().map(OutputArg::into_info).collect::<Result<Vec<_>>>()?;
    let written = outputs.iter().find(|o| o.role == OutputRole::Output).map_or(0, |o| o.rows);
    let report = JobReport {
        job: plan.job.to_string(),
        engine: if engine == "spark" { "spark" } else { "local" },
        read,
        quarantined,
        filtered: reasons.into_iter().map(String::from).zip(left_out).collect(),
        matched,
        written,
        bytes_read: landing.bytes,
        stored_bytes_read: landing.stored_bytes,
        compressed_files: landing.compressed_files,
        outputs,
        seconds,
        incremental: facts.incremental,
        files_skipped: facts.files_skipped,
        landing_table: plan.landing_table().map(String::from),
        schema_version: facts.schema_version,
        schema_change: facts.schema_change,
        ..JobReport::default()
    };
    let lake = Lake::open(lake)?;
    py.detach(|| table_ddl::write_job_ddl(&lake, &report, table_ddl::STEDI_DATABASE))?;
    Ok(Summary::from(&report))
}

/// The landing data another engine read for a job (a dict with these keys).
#[derive(FromPyObject, Default)]
#[pyo3(from_item_all)]
pub(crate) struct LandingSizes {
    bytes: u64,
    stored_bytes: u64,
    compressed_files: u64,
}

/// A table another engine wrote for a job (a dict with these keys; `role` is `output` unless
/// `quarantine`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct OutputArg {
    #[pyo3(default)]
    role: Option<String>,
    table: String,
    location: String,
    rows: u64,
    table_rows: u64,
}

impl OutputArg {
    fn into_info(self) -> Result<OutputInfo> {
        let role = if self.role.as_deref() == Some(OutputRole::Quarantine.as_str()) {
            OutputRole::Quarantine
        } else {
            OutputRole::Output
        };
        let (schema, files) =
            stedi::tables::committed_table_shape(&crate::core::storage::Location::parse(&self.location)?)?;
        Ok(OutputInfo {
            role,
            schema,
            table: self.table,
            location: self.location,
            rows: self.rows,
            table_rows: self.table_rows,
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.size).sum(),
        })
    }
}

/// A job's run summary as Python sees it (a dict).
#[derive(IntoPyObject)]
pub(crate) struct Summary {
    job: String,
    engine: &'static str,
    read: u64,
    quarantined: u64,
    filtered: Reasons,
    matched: Option<u64>,
    written: u64,
    bytes_read: u64,
    stored_bytes_read: u64,
    compressed_files: u64,
    empty_files: u64,
    outputs: Vec<OutputSummary>,
    seconds: f64,
    incremental: bool,
    files_skipped: u64,
    schema_version: u32,
    schema_change: Option<String>,
    balanced: bool,
}

/// One table a job wrote, as Python sees it.
#[derive(IntoPyObject)]
pub(crate) struct OutputSummary {
    role: &'static str,
    table: String,
    location: String,
    rows: u64,
    table_rows: u64,
    files: u64,
    bytes: u64,
}

/// The rows each documented filter left out: a dict from reason to count, in the plan's order.
pub(crate) struct Reasons(Vec<(String, u64)>);

impl<'py> IntoPyObject<'py> for Reasons {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.0.into_py_dict(py)
    }
}

impl From<&JobReport> for Summary {
    fn from(report: &JobReport) -> Self {
        Summary {
            job: report.job.clone(),
            engine: report.engine,
            read: report.read,
            quarantined: report.quarantined,
            filtered: Reasons(report.filtered.clone()),
            matched: report.matched,
            written: report.written,
            bytes_read: report.bytes_read,
            stored_bytes_read: report.stored_bytes_read,
            compressed_files: report.compressed_files,
            empty_files: report.empty_files,
            outputs: report.outputs.iter().map(OutputSummary::from).collect(),
            seconds: report.seconds,
            incremental: report.incremental,
            files_skipped: report.files_skipped,
            schema_version: report.schema_version,
            schema_change: report.schema_change.clone(),
            balanced: report.balanced(),
        }
    }
}

impl From<&OutputInfo> for OutputSummary {
    fn from(o: &OutputInfo) -> Self {
        OutputSummary {
            role: o.role.as_str(),
            table: o.table.clone(),
            location: o.location.clone(),
            rows: o.rows,
            table_rows: o.table_rows,
            files: o.files,
            bytes: o.bytes,
        }
    }
}
