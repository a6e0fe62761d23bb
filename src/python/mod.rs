//! The pyo3 bindings: one file per area, errors mapped to the glueless exception hierarchy, the
//! GIL released around every kernel and job.

mod athena;
mod broadcast;
mod catalog;
mod credentials;
mod errors;
mod formats;
mod frames;
mod generate;
mod jobs;
mod kernels;
mod landing;
mod landing_job;
mod parquet;
mod rows;
mod stream;
mod table;
mod table_formats;
mod types;
mod udf;
mod values;

use pyo3::prelude::*;

#[pymodule]
fn _glueless(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // `glueless/__init__.py` warns when the core was built without optimisations.
    m.add("_debug_build", cfg!(debug_assertions))?;
    m.add("_threads", crate::core::pool::thread_count())?;
    // Test builds only (`--features failpoints`): the crash tests skip without it.
    m.add("_failpoints", crate::core::storage::failpoint::ENABLED)?;
    m.add_class::<types::TypeNames>()?;
    m.add("TYPE_NAMES", types::type_names())?;
    m.add_function(wrap_pyfunction!(types::type_name, m)?)?;
    m.add_function(wrap_pyfunction!(stream::duration_micros, m)?)?;
    m.add("FILE_FORMATS", formats::file_formats())?;
    m.add("FILE_FORMAT_NAMES", formats::file_format_names())?;
    m.add("TABLE_FORMATS", formats::table_formats())?;
    m.add("OPEN_TABLE_FORMATS", formats::open_table_formats())?;
    m.add("UNREAD_FORMATS", formats::unread_formats())?;
    m.add("STREAM_SINK_FORMATS", formats::stream_sink_formats())?;
    m.add_function(wrap_pyfunction!(formats::file_format, m)?)?;
    m.add_function(wrap_pyfunction!(formats::spark_source_name, m)?)?;
    m.add_class::<table::ArrowTable>()?;
    m.add_class::<landing::LandingResult>()?;
    m.add_class::<frames::SqlSession>()?;
    m.add_class::<athena::AthenaSession>()?;
    m.add_class::<athena::AthenaResult>()?;
    m.add_class::<athena::AthenaWrite>()?;
    m.add_class::<frames::Frame>()?;
    m.add_function(wrap_pyfunction!(landing::read_landing, m)?)?;
    m.add_function(wrap_pyfunction!(parquet::read_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(parquet::write_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(parquet::parquet_rows, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::consent_filter, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::consent_dated_filter, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::semi_join, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::inner_join, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::distinct, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::drop_pii, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::run_job, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::job_plan, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::job_report, m)?)?;
    m.add_class::<landing_job::LandingJobRun>()?;
    m.add_class::<landing_job::JobLock>()?;
    m.add("STEDI_JOBS", crate::stedi::STEDI_JOBS.to_vec())?;
    m.add_function(wrap_pyfunction!(credentials::install_credential_chain, m)?)?;
    m.add_function(wrap_pyfunction!(table_formats::install_table_formats, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::catalog_ddl, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::parse_catalog_ddl, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::sql_statements, m)?)?;
    m.add_function(wrap_pyfunction!(generate::generate_stedi, m)?)?;
    m.add_function(wrap_pyfunction!(generate::replicate_stedi, m)?)?;
    m.add_function(wrap_pyfunction!(stream::stream_aggregate, m)?)?;
    m.add_function(wrap_pyfunction!(stream::stream_rows, m)?)?;
    m.add_function(wrap_pyfunction!(stream::stream_source_rows, m)?)?;
    m.add_function(wrap_pyfunction!(stream::generate_silver, m)?)?;
    m.add_function(wrap_pyfunction!(stream::gold_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(progress, m)?)?;
    m.add_class::<broadcast::BroadcastSemiJoin>()?;
    m.add_class::<broadcast::BroadcastInnerJoin>()?;
    m.add_class::<broadcast::BroadcastConsentDates>()?;
    m.add_function(wrap_pyfunction!(broadcast::landing_columns, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast::landing_arrow_schema, m)?)?;
    let rejected: Vec<String> =
        crate::core::json::rejected_schema().fields().iter().map(|f| f.name().clone()).collect();
    m.add("REJECTED_COLUMNS", rejected)?;
    m.add_function(wrap_pyfunction!(broadcast::decode_landing_file, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast::read_landing_file, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast::list_data_files, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast::commit_staged_folder, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast::commit_staged_table, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast::write_parquet_file, m)?)?;
    Ok(())
}

/// Landing bytes and records decoded so far in this process (for progress bars).
#[pyfunction]
fn progress() -> (u64, u64) {
    crate::core::progress::snapshot()
}
