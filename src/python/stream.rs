//! `stream_aggregate` and `stream_rows`: run a streaming aggregation (the gold job or any other),
//! or a stream of rows (de-duplicated or not), with a trigger.
//! The GIL is released while batches run; between batches and while a processing-time trigger
//! waits, Python signals (Ctrl-C) are checked so the query stops cleanly between batches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;

use pyo3_arrow::PyTable;

use super::table::ArrowTable;
use crate::core::formats::FileFormat;
use crate::core::storage::Location;
use crate::core::storage::TableFormat;
use crate::core::text::{CsvOptions, ParseMode, SessionZone, TextFormat, TextOptions};
use crate::error::Error;
use crate::runtime::stream::engine::{BatchFunction, InputFunction};
use crate::runtime::stream::sink::{FileSink, StreamSink, TableSink};
use crate::runtime::stream::{
    ddl, duration, Aggregate, BatchReport, Deduplicate, OutputMode, QuerySpec, RowsSpec, SourceFormat, StreamConfig,
    StreamQuery, StreamSpec, Transforms, Trigger, Window,
};
use crate::stedi::generate::{generate_silver as generate, SilverSpec};
use crate::stedi::gold;

/// Run a streaming aggregation and return the reports of the batches it ran.
#[pyfunction]
#[pyo3(signature = (
    source, sink, *, event_time, watermark, window=None, slide=None, group_by=Vec::new(), aggregates=Vec::new(),
    output_mode="append", run=None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn stream_aggregate<'py>(
    py: Python<'py>,
    source: SourceArgs,
    sink: SinkArgs,
    event_time: String,
    watermark: &str,
    window: Option<&str>,
    slide: Option<&str>,
    group_by: Vec<String>,
    aggregates: Vec<String>,
    output_mode: &str,
    run: Option<RunArgs<'py>>,
) -> PyResult<Vec<BatchSummary>> {
    let spec = (|| {
        Ok::<_, Error>(QuerySpec {
            event_time,
            watermark_delay: duration::parse_micros(watermark)?,
            window: window.map(|w| Window::parse(w, slide)).transpose()?,
            group_by,
            aggregates: aggregates.iter().map(|a| Aggregate::parse(a)).collect::<Result<_, _>>()?,
            output_mode: OutputMode::parse(output_mode)?,
        })
    })()?;
    if slide.is_some() && window.is_none() {
        return Err(Error::InvalidArgument("a slide needs a window".into()).into());
    }
    start(py, spec.into(), &source, &sink, &run.unwrap_or_default())
}

/// Run a stream of rows — every row, or the first of each key (`dropDuplicates`,
/// `dropDuplicatesWithinWatermark`) — and return the reports of the batches it ran.
#[pyfunction]
#[pyo3(signature = (
    source, sink, *, event_time=None, watermark=None, deduplicate=None, within_watermark=false, output_mode="append",
    run=None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn stream_rows<'py>(
    py: Python<'py>,
    source: SourceArgs,
    sink: SinkArgs,
    event_time: Option<String>,
    watermark: Option<&str>,
    deduplicate: Option<Vec<String>>,
    within_watermark: bool,
    output_mode: &str,
    run: Option<RunArgs<'py>>,
) -> PyResult<Vec<BatchSummary>> {
    let spec = (|| {
        let watermark = match (event_time, watermark) {
            (Some(column), Some(delay)) => Some((column, duration::parse_micros(delay)?)),
            (None, None) => None,
            _ => return Err(Error::InvalidArgument("a watermark needs both event_time and watermark".into())),
        };
        Ok::<_, Error>(RowsSpec {
            watermark,
            deduplicate: deduplicate.map(|keys| Deduplicate { keys, within_watermark }),
            output_mode: OutputMode::parse(output_mode)?,
        })
    })()?;
    start(py, spec.into(), &source, &sink, &run.unwrap_or_default())
}

/// Where and how a stream reads (a dict from Python: `folder`, and optionally `format`,
/// `options`, `schema`, `max_files_per_trigger`, `max_bytes_per_trigger`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct SourceArgs {
    folder: String,
    #[pyo3(default = FileFormat::Parquet.name().to_string())]
    format: String,
    /// Spark's reader options for text files: header, sep, quote, escape, mode,
    /// columnNameOfCorruptRecord, and the session's timeZone.
    #[pyo3(default)]
    options: HashMap<String, String>,
    /// "silver" (the gold layer's declared silver schema) or a Spark DDL string.
    #[pyo3(default)]
    schema: Option<String>,
    #[pyo3(default)]
    max_files_per_trigger: Option<usize>,
    #[pyo3(default)]
    max_bytes_per_trigger: Option<u64>,
}

/// Where a stream writes and checkpoints (a dict from Python: `checkpoint`, and optionally
/// `folder` — none when `on_emit` takes the rows —, `format`, `partition_by`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct SinkArgs {
    #[pyo3(default)]
    folder: Option<String>,
    #[pyo3(default = FileFormat::Parquet.name().to_string())]
    format: String,
    #[pyo3(default)]
    partition_by: Vec<String>,
    checkpoint: String,
}

/// How a stream runs (a dict from Python: `trigger`, and optionally the others): its trigger
/// (`available-now`, `once`, `processing-time=…`) and timeout, and the
/// Python functions it calls — after each batch (`on_batch`), with each batch's emitted rows
/// (`on_emit`), between batches to ask whether to stop (`should_stop`, `StreamingQuery.stop()`
/// from another thread), and the program's stateless operations before and after its
/// `withWatermark` (`before_watermark`, `after_watermark`: functions of a table to a table).
#[derive(FromPyObject, Default)]
#[pyo3(from_item_all)]
pub(crate) struct RunArgs<'py> {
    trigger: String,
    #[pyo3(default)]
    timeout: Option<f64>,
    #[pyo3(default)]
    on_batch: Option<Bound<'py, PyAny>>,
    #[pyo3(default)]
    on_emit: Option<Bound<'py, PyAny>>,
    #[pyo3(default)]
    should_stop: Option<Bound<'py, PyAny>>,
    #[pyo3(default)]
    before_watermark: Option<Bound<'py, PyAny>>,
    #[pyo3(default)]
    after_watermark: Option<Bound<'py, PyAny>>,
}

fn source_format(format: &str, options: &HashMap<String, String>) -> Result<SourceFormat, Error> {
    let option = |key: &str| options.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
    let flag = |key: &str| option(key).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let byte = |key: &str, default: Option<u8>| -> Result<Option<u8>, Error> {
        match option(key) {
            None => Ok(default),
            Some("") => Ok(None),
            Some(text) if text.len() == 1 => Ok(Some(text.as_bytes()[0])),
            Some("\\t") => Ok(Some(b'\t')),
            Some(text) => Err(Error::Unsupported(format!("option {key}={text:?}: one ASCII character is supported"))),
        }
    };
    let text_format = match FileFormat::parse(format)? {
        FileFormat::Parquet => return Ok(SourceFormat::Parquet),
        FileFormat::Json => TextFormat::Json,
        FileFormat::Csv => TextFormat::Csv(CsvOptions {
            header: flag("header"),
            separator: byte("sep", Some(b','))?.or(byte("delimiter", Some(b','))?).unwrap_or(b','),
            quote: byte("quote", Some(b'"'))?,
            escape: byte("escape", Some(b'\\'))?,
        }),
    };
    let mut text = TextOptions::new(text_format);
    if let Some(mode) = option("mode") {
        text.mode = ParseMode::parse(mode)?;
    }
    if let Some(zone) = option("timeZone") {
        text.zone =
            SessionZone::parse(zone).ok_or_else(|| Error::InvalidArgument(format!("unknown time zone {zone:?}")))?;
    }
    if let Some(column) = option("columnNameOfCorruptRecord") {
        text.corrupt_column = column.to_string();
    }
    Ok(SourceFormat::Text(text))
}

fn start(
    py: Python<'_>,
    spec: StreamSpec,
    source: &SourceArgs,
    sink: &SinkArgs,
    run_args: &RunArgs<'_>,
) -> PyResult<Vec<BatchSummary>> {
    let callbacks = Callbacks {
        on_batch: run_args.on_batch.as_ref(),
        on_emit: run_args.on_emit.as_ref(),
        should_stop: run_args.should_stop.as_ref(),
        before_watermark: run_args.before_watermark.as_ref(),
        after_watermark: run_args.after_watermark.as_ref(),
    };
    if sink.folder.is_none() && callbacks.on_emit.is_none() {
        return Err(Error::InvalidArgument("a stream needs a sink folder or on_emit".into()).into());
    }
    // No `run` at all: every batch available now, as Spark's `trigger(availableNow=True)`.
    let trigger = if run_args.trigger.is_empty() { "available-now" } else { run_args.trigger.as_str() };
    let trigger = Trigger::parse(trigger)?;
    let config = (|| {
        // Iceberg and Delta sinks write Parquet files and commit them as the table's snapshots.
        let table = sink.format.parse::<TableFormat>().ok().filter(|f| *f != TableFormat::Parquet);
        let stream_sink: Option<Arc<dyn StreamSink>> = match (&sink.folder, table) {
            (None, _) => None,
            (Some(folder), Some(format)) => {
                if !sink.partition_by.is_empty() {
                    return Err(Error::Unsupported(format!("partitionBy on a {format} stream sink")));
                }
                Some(Arc::new(TableSink { folder: Location::parse(folder)?, format }))
            }
            (Some(folder), None) => {
                let format = FileFormat::parse(&sink.format)?;
                if !format.stream_sink() {
                    return Err(Error::Unsupported(format!("a {} stream sink (parquet and json are)", format.name())));
                }
                let partition_by = sink.partition_by.clone();
                Some(Arc::new(FileSink { folder: Location::parse(folder)?, format, partition_by }))
            }
        };
        Ok::<_, Error>(StreamConfig {
            source: Location::parse(&source.folder)?,
            sink: stream_sink,
            checkpoint: Location::parse(&sink.checkpoint)?,
            format: source_format(&source.format, &source.options)?,
            schema: match source.schema.as_deref() {
                Some(name) if name.trim().eq_ignore_ascii_case("silver") => Some(gold::silver_schema()),
                Some(ddl) => Some(ddl::parse_schema(ddl)?),
                None => None,
            },
            max_files_per_trigger: source.max_files_per_trigger,
            max_bytes_per_trigger: source.max_bytes_per_trigger,
        })
    })()?;
    let reports = run(py, spec, config, trigger, run_args.timeout, &callbacks)?;
    Ok(reports.iter().map(BatchSummary::from).collect())
}

/// The Python functions a stream calls (see [`RunArgs`]).
struct Callbacks<'a, 'py> {
    on_batch: Option<&'a Bound<'py, PyAny>>,
    on_emit: Option<&'a Bound<'py, PyAny>>,
    should_stop: Option<&'a Bound<'py, PyAny>>,
    /// The program's stateless operations before and after its `withWatermark`, each a
    /// function of a table to a table.
    before_watermark: Option<&'a Bound<'py, PyAny>>,
    after_watermark: Option<&'a Bound<'py, PyAny>>,
}

/// The first exception a Python callback (or Ctrl-C) raised: it stops the query and is re-raised.
type Failure = Arc<Mutex<Option<PyErr>>>;

fn fail(failure: &Failure, err: PyErr) {
    failure.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(err);
}

fn run(
    py: Python<'_>,
    spec: StreamSpec,
    config: StreamConfig,
    trigger: Trigger,
    timeout: Option<f64>,
    callbacks: &Callbacks<'_, '_>,
) -> PyResult<Vec<BatchReport>> {
    let deadline = timeout.map(|t| std::time::Instant::now() + std::time::Duration::from_secs_f64(t.max(0.0)));
    let interrupted = AtomicBool::new(false);
    let callback = callbacks.on_batch.cloned().map(pyo3::Bound::unbind);
    let emit = callbacks.on_emit.cloned().map(pyo3::Bound::unbind);
    let stop = callbacks.should_stop.cloned().map(pyo3::Bound::unbind);
    let failure: Failure = Arc::default();
    let transforms = Transforms {
        before_watermark: callbacks.before_watermark.map(|f| input_function(f.clone().unbind(), failure.clone())),
        after_watermark: callbacks.after_watermark.map(|f| input_function(f.clone().unbind(), failure.clone())),
    };
    let result = py.detach(|| {
        let mut query = StreamQuery::open_with(spec, config, transforms)?;
        if let Some(emit) = emit {
            query = query.with_batch_function(batch_function(emit, failure.clone()));
        }
        // Asked between batches: a deadline, Ctrl-C, or an exception raised by the callback.
        let should_stop = || {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return true;
            }
            Python::attach(|py| {
                let asked = match &stop {
                    Some(stop) => stop.call0(py).and_then(|answer| answer.is_truthy(py)),
                    None => Ok(false),
                };
                match py.check_signals().and(asked) {
                    Ok(asked) => asked,
                    Err(err) => {
                        interrupted.store(true, Ordering::Relaxed);
                        fail(&failure, err);
                        true
                    }
                }
            }) || interrupted.load(Ordering::Relaxed)
        };
        let mut notify = |report: &BatchReport| {
            if let Some(callback) = &callback {
                Python::attach(|py| {
                    let outcome = callback.call1(py, (BatchSummary::from(report),));
                    if let Err(err) = outcome {
                        interrupted.store(true, Ordering::Relaxed);
                        fail(&failure, err);
                    }
                });
            }
        };
        query.run(trigger, &should_stop, &mut notify)
    });
    if let Some(err) = failure.lock().unwrap_or_else(PoisonError::into_inner).take() {
        return Err(err);
    }
    result.map_err(PyErr::from)
}

/// `on_emit(batch_id, table)` as the engine's batch function: its result (a table, or `None` when
/// it consumed the rows) is what the sink appends. An exception stops the batch before it commits.
fn batch_function(emit: Py<PyAny>, failure: Failure) -> Box<BatchFunction> {
    Box::new(move |batch, rows| {
        Python::attach(|py| {
            let table = ArrowTable::new(rows.schema(), vec![rows]);
            let outcome = emit.call1(py, (batch, table)).and_then(|out| {
                if out.is_none(py) {
                    return Ok(None);
                }
                let (batches, schema) = out.extract::<PyTable>(py)?.into_inner();
                arrow_select::concat::concat_batches(&schema, &batches)
                    .map_err(Error::from)
                    .map_err(PyErr::from)
                    .map(Some)
            });
            outcome.map_err(|err: PyErr| {
                fail(&failure, err);
                Error::InvalidArgument(format!("batch {batch}: the batch function raised an exception"))
            })
        })
    })
}

/// `function(table)` as an operation on a batch's rows; an exception stops the batch before it
/// commits.
fn input_function(function: Py<PyAny>, failure: Failure) -> Box<InputFunction> {
    Box::new(move |rows| {
        Python::attach(|py| {
            let table = ArrowTable::new(rows.schema(), vec![rows]);
            let outcome = function.call1(py, (table,)).and_then(|out| {
                let (batches, schema) = out.extract::<PyTable>(py)?.into_inner();
                arrow_select::concat::concat_batches(&schema, &batches).map_err(Error::from).map_err(PyErr::from)
            });
            outcome.map_err(|err: PyErr| {
                fail(&failure, err);
                Error::InvalidArgument("the stream's operations raised an exception".into())
            })
        })
    })
}

/// One micro-batch's report as Python sees it (a dict, as Spark's `lastProgress` is one).
#[derive(IntoPyObject)]
pub(crate) struct BatchSummary {
    batch: u64,
    files: Vec<String>,
    rows: u64,
    malformed: u64,
    dropped_malformed: u64,
    filtered: u64,
    aggregated: u64,
    passed: u64,
    duplicates: u64,
    late: u64,
    null_time: u64,
    emitted: u64,
    open_groups: u64,
    watermark_us: i64,
    next_watermark_us: i64,
    output: Option<String>,
    outputs: Vec<String>,
    replayed: bool,
    seconds: f64,
    aggregate_seconds: f64,
}

impl From<&BatchReport> for BatchSummary {
    fn from(report: &BatchReport) -> Self {
        Self {
            batch: report.batch,
            files: report.files.clone(),
            rows: report.rows,
            malformed: report.malformed,
            dropped_malformed: report.dropped_malformed,
            filtered: report.filtered,
            aggregated: report.aggregated,
            passed: report.passed,
            duplicates: report.duplicates,
            late: report.late,
            null_time: report.null_time,
            emitted: report.emitted,
            open_groups: report.open_groups,
            watermark_us: report.watermark,
            next_watermark_us: report.next_watermark,
            output: report.output.first().cloned(),
            outputs: report.output.clone(),
            replayed: report.replayed,
            seconds: report.micros as f64 / 1e6,
            aggregate_seconds: report.aggregate_micros as f64 / 1e6,
        }
    }
}

/// No rows of a declared stream schema (a Spark DDL string, or "silver"), every column nullable
/// as a file source reads it: the columns and types a streaming DataFrame starts with.
#[pyfunction]
pub(crate) fn stream_source_rows(schema: &str) -> PyResult<ArrowTable> {
    let declared =
        if schema.trim().eq_ignore_ascii_case("silver") { gold::silver_schema() } else { ddl::parse_schema(schema)? };
    let fields: Vec<arrow_schema::Field> = declared
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true).with_metadata(HashMap::new()))
        .collect();
    let schema = Arc::new(arrow_schema::Schema::new(fields));
    Ok(ArrowTable::new(schema.clone(), vec![arrow_array::RecordBatch::new_empty(schema)]))
}

/// Write a generated silver layer (reviews joined with customers) into the folder `silver`.
#[pyfunction]
#[pyo3(signature = (silver, *, files=20, rows_per_file=4500, seed=0, seconds_per_file=20, late_per_file=5))]
pub(crate) fn generate_silver(
    py: Python<'_>,
    silver: String,
    files: usize,
    rows_per_file: usize,
    seed: u64,
    seconds_per_file: i64,
    late_per_file: usize,
) -> PyResult<u64> {
    let spec = SilverSpec { files, rows_per_file, seed, seconds_per_file, late_per_file };
    py.detach(|| {
        let location = Location::parse(&silver)?;
        generate(location.local_path("the silver generator")?, &spec)
    })
    .map_err(PyErr::from)
}

/// The default gold query as driver arguments: event_time, watermark, window, group_by, aggregates.
#[pyfunction]
pub(crate) fn gold_defaults() -> PyResult<GoldDefaults> {
    let spec = gold::default_spec()?;
    Ok(GoldDefaults {
        event_time: spec.event_time.clone(),
        watermark: duration::describe(spec.watermark_delay),
        window: spec.window.map(|w| duration::describe(w.size)),
        group_by: spec.group_by.clone(),
        aggregates: spec.aggregates.iter().map(ToString::to_string).collect(),
    })
}

/// The gold query's defaults as the driver's arguments (a dict).
#[derive(IntoPyObject)]
pub(crate) struct GoldDefaults {
    event_time: String,
    watermark: String,
    window: Option<String>,
    group_by: Vec<String>,
    aggregates: Vec<String>,
}

/// A duration as Spark writes it (`"5 seconds"`, `"1 hour 30 minutes"`) in microseconds: what a
/// window's size and slide are, in a stream and in a batch `groupBy`.
#[pyfunction]
pub(crate) fn duration_micros(text: &str) -> PyResult<i64> {
    duration::parse_micros(text).map_err(PyErr::from)
}
