//! `SqlSession` and `Frame`: the plan handles behind the awsglue / pyspark surface of
//! `glueless submit`. Every method that plans or runs releases the GIL.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3_arrow::PyTable;

use super::table::ArrowTable;
use crate::core::formats::FileFormat;
use crate::core::storage::{committed_files, table_format, Location, TableFormat};
use crate::core::types::{display_name, Dialect, SPARK_METADATA_KEY};
use crate::error::Result;
use crate::runtime::frames::glue::Mapping;
use crate::runtime::frames::sink::{self, Compression, SinkOptions};
use crate::runtime::frames::source::{self, CsvOptions, SourceFormat};
use crate::runtime::frames::{hive_result, show, Frame as CoreFrame, JoinHow};
use crate::runtime::sql::SqlSession as CoreSession;
use crate::stedi::output;

/// A Spark SQL session: temporary views, `sql()`, and the sources of its frames.
#[pyclass(module = "glueless", name = "SqlSession", frozen)]
pub(crate) struct SqlSession {
    inner: Arc<CoreSession>,
}

/// A lazy frame: a plan that runs on `collect`, `count`, `write` and friends.
#[pyclass(module = "glueless", name = "Frame", frozen)]
pub(crate) struct Frame {
    inner: CoreFrame,
}

fn wrap(inner: CoreFrame) -> Frame {
    Frame { inner }
}

fn csv_byte(text: Option<&str>, what: &str) -> Result<Option<u8>> {
    match text {
        None => Ok(None),
        Some(t) if t.len() == 1 => Ok(Some(t.as_bytes()[0])),
        Some(t) => Err(crate::Error::InvalidArgument(format!("{what} must be one character, got {t:?}"))),
    }
}

#[pymethods]
impl SqlSession {
    /// A session; a `GLUELESS_MEMORY_LIMIT` that is not a size is an `InvalidArgumentError`.
    #[new]
    fn new() -> PyResult<Self> {
        crate::runtime::memory::runtime_env()?;
        Ok(Self { inner: Arc::new(CoreSession::new()) })
    }

    /// Make a catalog table (its Glue `GetTable` record as JSON) readable as `database.table` in
    /// `sql()`, as Spark reads a metastore table; its files are at `location` (mapped).
    fn register_catalog_table(&self, table: &str, location: &str) -> PyResult<()> {
        let table = crate::runtime::catalog::table::CatalogTable::from_json(table)?;
        self.inner.register_catalog_table(table, Location::parse(location)?)?;
        Ok(())
    }

    /// After `USE database`: a catalog table of that database also readable by its bare name,
    /// unless a temporary view has it; true when registered.
    fn register_current_database_table(&self, table: &str, location: &str) -> PyResult<bool> {
        let table = crate::runtime::catalog::table::CatalogTable::from_json(table)?;
        Ok(self.inner.register_current_database_table(table, Location::parse(location)?)?)
    }

    /// A bare name registered for the previous current database, forgotten.
    fn forget_current_database_table(&self, name: &str) -> PyResult<()> {
        Ok(self.inner.forget_current_database_table(name)?)
    }

    /// A frame over an Arrow table (anything with `__arrow_c_stream__`).
    fn frame(&self, py: Python<'_>, table: PyTable) -> PyResult<Frame> {
        let (batches, schema) = table.into_inner();
        py.detach(|| CoreFrame::from_batches(&self.inner, schema, batches)).map_err(PyErr::from).map(wrap)
    }

    /// A frame of Python rows (`createDataFrame`): each row a sequence of values in the order of
    /// `fields` (name, Spark type, nullable), converted as PySpark converts them.
    fn frame_of_rows(
        &self,
        py: Python<'_>,
        rows: Vec<Vec<Bound<'_, PyAny>>>,
        fields: Vec<(String, String, bool)>,
    ) -> PyResult<Frame> {
        let mut arrow_fields = Vec::with_capacity(fields.len());
        let mut columns = Vec::with_capacity(fields.len());
        for (i, (name, type_name, nullable)) in fields.iter().enumerate() {
            let mut data_type = crate::core::types::parse_type(type_name)?;
            // An instant column is in the session's zone, as Spark shows and extracts it.
            if let arrow_schema::DataType::Timestamp(unit, Some(_)) = &data_type {
                data_type = arrow_schema::DataType::Timestamp(*unit, Some(self.inner.time_zone().into()));
            }
            let values: Vec<Bound<'_, PyAny>> =
                rows.iter().map(|r| r.get(i).cloned().unwrap_or_else(|| py.None().into_bound(py))).collect();
            let array = super::values::column(py, name, &values, &data_type)?;
            if !nullable && array.null_count() > 0 {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "[FIELD_NOT_NULLABLE] field `{name}`: this field is not nullable, but got None."
                )));
            }
            arrow_fields.push(arrow_schema::Field::new(name, data_type, *nullable));
            columns.push(array);
        }
        let schema = Arc::new(arrow_schema::Schema::new(arrow_fields));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows.len()));
        let batch = arrow_array::RecordBatch::try_new_with_options(schema.clone(), columns, &options)
            .map_err(crate::Error::from)?;
        py.detach(|| CoreFrame::from_batches(&self.inner, schema, vec![batch])).map_err(PyErr::from).map(wrap)
    }

    /// Register a Python function as the SQL function `name` returning `return_type` (a Spark
    /// type name); `row` builds the `Row`s its struct arguments arrive as.
    fn register_python_udf(&self, name: &str, function: Py<PyAny>, row: Py<PyAny>, return_type: &str) -> PyResult<()> {
        Ok(super::udf::register(&self.inner, name, function, row, return_type)?)
    }

    /// `query` with each of `frames` readable under its name while it plans (no view is left).
    fn sql_over(&self, py: Python<'_>, query: &str, frames: Vec<(String, Py<Frame>)>) -> PyResult<Frame> {
        let session = Arc::clone(&self.inner);
        let frames: Vec<(String, CoreFrame)> =
            frames.into_iter().map(|(name, f)| (name, f.get().inner.clone())).collect();
        py.detach(|| {
            let named: Vec<(&str, &datafusion::dataframe::DataFrame)> =
                frames.iter().map(|(name, f)| (name.as_str(), f.dataframe())).collect();
            session.sql_over(query, &named).map(|df| CoreFrame::new(Arc::clone(&session), df))
        })
        .map_err(PyErr::from)
        .map(wrap)
    }

    /// A frame with no columns and no rows (what Glue reads from an empty prefix).
    fn empty(&self, py: Python<'_>) -> PyResult<Frame> {
        let schema = Arc::new(arrow_schema::Schema::empty());
        py.detach(|| CoreFrame::from_batches(&self.inner, schema, Vec::new())).map_err(PyErr::from).map(wrap)
    }

    /// A frame of JSON lines built in memory (`Map.apply`'s returned records), with structs and
    /// arrays inferred from every record.
    fn read_json_lines(&self, py: Python<'_>, text: &str) -> PyResult<Frame> {
        py.detach(|| {
            let (schema, batches) = crate::core::formats::json::read_lines(text)?;
            CoreFrame::from_batches(&self.inner, schema, batches)
        })
        .map_err(PyErr::from)
        .map(wrap)
    }

    /// `createOrReplaceTempView(name)`.
    fn register_view(&self, py: Python<'_>, name: &str, frame: &Frame) -> PyResult<()> {
        py.detach(|| self.inner.register_view(name, frame.inner.dataframe())).map_err(PyErr::from)
    }

    /// Drop a temporary view; True when there was one.
    fn drop_view(&self, name: &str) -> PyResult<bool> {
        self.inner.drop_view(name).map_err(PyErr::from)
    }

    /// The temporary views' names.
    fn view_names(&self) -> Vec<String> {
        self.inner.view_names()
    }

    /// `spark.sql(query)`: a lazy frame with Spark's column names.
    fn sql(&self, py: Python<'_>, query: &str) -> PyResult<Frame> {
        let session = Arc::clone(&self.inner);
        py.detach(|| session.sql(query).map(|df| CoreFrame::new(Arc::clone(&session), df)))
            .map_err(PyErr::from)
            .map(wrap)
    }

    /// The tables `CREATE TABLE` made in this session (lower case, sorted).
    fn table_names(&self) -> Vec<String> {
        self.inner.table_names()
    }

    /// `spark.conf.set(key, value)` / `SET key=value`.
    fn set_conf(&self, key: &str, value: &str) -> PyResult<()> {
        self.inner.set_conf(key, value).map_err(PyErr::from)
    }

    /// A setting's value, if set.
    fn conf(&self, key: &str) -> Option<String> {
        self.inner.conf(key)
    }

    /// The data files at `paths` (files, or folders; sub-folders too with `recurse`) as
    /// (location, size, modified epoch ms).
    #[staticmethod]
    #[pyo3(signature = (paths, recurse=false))]
    fn list_files(py: Python<'_>, paths: Vec<String>, recurse: bool) -> PyResult<Vec<(String, u64, i64)>> {
        py.detach(|| {
            let paths = paths.iter().map(|p| Location::parse(p)).collect::<Result<Vec<_>>>()?;
            let files = source::list(&paths, recurse)?;
            Ok::<_, crate::Error>(files.into_iter().map(|f| (f.location.to_string(), f.size, f.modified_ms)).collect())
        })
        .map_err(PyErr::from)
    }

    /// The data files of the current snapshot of the table at `location` (a Parquet folder's
    /// committed files; an Iceberg or Delta table's snapshot), as `list_files` gives them.
    #[staticmethod]
    fn table_files(py: Python<'_>, location: &str) -> PyResult<Vec<(String, u64, i64)>> {
        py.detach(|| {
            let files = committed_files(&Location::parse(location)?)?;
            Ok::<_, crate::Error>(
                files
                    .into_iter()
                    .filter(|f| f.name().ends_with(".parquet"))
                    .map(|f| (f.location.to_string(), f.size, f.modified_ms))
                    .collect(),
            )
        })
        .map_err(PyErr::from)
    }

    /// Delete every object under `location`; returns how many there were.
    #[staticmethod]
    fn purge(py: Python<'_>, location: &str) -> PyResult<u64> {
        py.detach(|| sink::purge(&Location::parse(location)?)).map_err(PyErr::from)
    }

    /// Read files (locations as `list_files` gives them) in `format` (json, csv, parquet): the
    /// frame and what was read (files, bytes, records, rows, quarantined, rejected table).
    #[pyo3(signature = (files, format, *, header=false, separator=",", quote=Some("\""), escape=None))]
    #[allow(clippy::too_many_arguments)]
    fn read_files(
        &self,
        py: Python<'_>,
        files: Vec<(String, u64, i64)>,
        format: &str,
        header: bool,
        separator: &str,
        quote: Option<&str>,
        escape: Option<&str>,
    ) -> PyResult<(Frame, SourceSummary)> {
        let format = match FileFormat::parse(format)? {
            FileFormat::Json => SourceFormat::Json,
            FileFormat::Parquet => SourceFormat::Parquet,
            FileFormat::Csv => SourceFormat::Csv(CsvOptions {
                header,
                separator: csv_byte(Some(separator), "separator")?.unwrap_or(b','),
                quote: csv_byte(quote, "quoteChar")?,
                escape: csv_byte(escape, "escaper")?,
            }),
        };
        let (frame, data) = py.detach(|| {
            let entries = files
                .iter()
                .map(|(location, size, modified_ms)| {
                    Ok(crate::core::storage::objects::FileEntry {
                        location: Location::parse(location)?,
                        size: *size,
                        modified_ms: *modified_ms,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let data = source::read(&entries, &format)?;
            let frame = CoreFrame::from_table(&self.inner, Arc::clone(&data.table))?;
            Ok::<_, crate::Error>((frame, data))
        })?;
        let summary = SourceSummary {
            files: data.files,
            bytes: data.bytes,
            records: data.records,
            rows: data.rows,
            quarantined: data.quarantined,
            rejected: ArrowTable::new(crate::core::json::quarantine::rejected_schema(), data.rejected),
        };
        Ok((wrap(frame), summary))
    }
}

#[pymethods]
impl Frame {
    /// The column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.column_names()
    }

    /// Each column as (name, Spark type, Glue type, nullable).
    fn fields(&self) -> Vec<(String, String, String, bool)> {
        self.inner
            .schema()
            .fields()
            .iter()
            .map(|f| {
                let (spark, glue) =
                    (display_name(f.data_type(), Dialect::Spark), display_name(f.data_type(), Dialect::Glue));
                (f.name().clone(), spark, glue, f.is_nullable())
            })
            .collect()
    }

    /// The rows in Spark's shuffle order of their first `keys` columns (the order of an
    /// aggregation's output: set operations, `groupBy`).
    fn in_shuffle_order(&self, py: Python<'_>, keys: usize) -> Frame {
        wrap(py.detach(|| self.inner.clone().in_shuffle_order(keys)))
    }

    /// Each column's Spark metadata (JSON text; `{}` for none).
    fn metadata(&self) -> Vec<String> {
        let schema = self.inner.schema();
        schema
            .fields()
            .iter()
            .map(|f| f.metadata().get(SPARK_METADATA_KEY).cloned().unwrap_or_else(|| "{}".to_string()))
            .collect()
    }

    /// `withMetadata(name, metadata)`: `metadata` is JSON text.
    fn with_metadata(&self, py: Python<'_>, name: &str, metadata: &str) -> PyResult<Frame> {
        py.detach(|| self.inner.with_metadata(name, metadata)).map_err(PyErr::from).map(wrap)
    }

    /// The one column named `name` (exactly, else ignoring case), or an error.
    fn resolve(&self, name: &str) -> PyResult<String> {
        self.inner.resolve(name).map_err(PyErr::from)
    }

    fn select(&self, py: Python<'_>, exprs: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.select(&exprs)).map_err(PyErr::from).map(wrap)
    }

    fn select_positions(&self, py: Python<'_>, positions: Vec<usize>) -> PyResult<Frame> {
        py.detach(|| self.inner.select_positions(&positions)).map_err(PyErr::from).map(wrap)
    }

    fn filter(&self, py: Python<'_>, condition: &str) -> PyResult<Frame> {
        py.detach(|| self.inner.filter(condition)).map_err(PyErr::from).map(wrap)
    }

    fn with_column(&self, py: Python<'_>, name: &str, expr: &str) -> PyResult<Frame> {
        py.detach(|| self.inner.with_column(name, expr)).map_err(PyErr::from).map(wrap)
    }

    fn rename(&self, py: Python<'_>, old: &str, new: &str) -> PyResult<Frame> {
        py.detach(|| self.inner.rename(old, new)).map_err(PyErr::from).map(wrap)
    }

    fn drop(&self, py: Python<'_>, names: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.drop(&names)).map_err(PyErr::from).map(wrap)
    }

    fn distinct(&self, py: Python<'_>) -> PyResult<Frame> {
        py.detach(|| self.inner.distinct()).map_err(PyErr::from).map(wrap)
    }

    fn drop_duplicates(&self, py: Python<'_>, subset: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.drop_duplicates(&subset)).map_err(PyErr::from).map(wrap)
    }

    /// `join(other, [names], how)`.
    fn join_using(&self, py: Python<'_>, other: &Frame, keys: Vec<String>, how: &str) -> PyResult<Frame> {
        let how = JoinHow::parse(how)?;
        py.detach(|| self.inner.join_using(&other.inner, &keys, how)).map_err(PyErr::from).map(wrap)
    }

    /// `join(other, condition, how)`; the condition names this frame `left_view`, the other
    /// `right_view`. `select`: the join's output columns (default: both sides').
    #[pyo3(signature = (other, condition, how, left_view, right_view, select=None))]
    #[allow(clippy::too_many_arguments)] // the join's parts, as the DataFrame API passes them
    fn join_on(
        &self,
        py: Python<'_>,
        other: &Frame,
        condition: Option<&str>,
        how: &str,
        left_view: &str,
        right_view: &str,
        select: Option<Vec<String>>,
    ) -> PyResult<Frame> {
        let how = JoinHow::parse(how)?;
        py.detach(|| self.inner.join_on(&other.inner, condition, how, (left_view, right_view), select.as_deref()))
            .map_err(PyErr::from)
            .map(wrap)
    }

    fn aggregate(&self, py: Python<'_>, keys: Vec<String>, aggregates: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.aggregate(&keys, &aggregates)).map_err(PyErr::from).map(wrap)
    }

    fn order_by(&self, py: Python<'_>, exprs: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.order_by(&exprs)).map_err(PyErr::from).map(wrap)
    }

    fn limit(&self, py: Python<'_>, n: usize) -> PyResult<Frame> {
        py.detach(|| self.inner.limit(n)).map_err(PyErr::from).map(wrap)
    }

    #[pyo3(signature = (other, by_name=false))]
    fn union(&self, py: Python<'_>, other: &Frame, by_name: bool) -> PyResult<Frame> {
        py.detach(|| self.inner.union(&other.inner, by_name)).map_err(PyErr::from).map(wrap)
    }

    fn glue_join(&self, py: Python<'_>, other: &Frame, keys1: Vec<String>, keys2: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.glue_join(&other.inner, &keys1, &keys2)).map_err(PyErr::from).map(wrap)
    }

    fn case_near_misses(&self, paths: Vec<String>) -> Vec<(String, String)> {
        self.inner.case_near_misses(&paths)
    }

    fn drop_fields(&self, py: Python<'_>, paths: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.drop_fields(&paths)).map_err(PyErr::from).map(wrap)
    }

    fn select_fields(&self, py: Python<'_>, paths: Vec<String>) -> PyResult<Frame> {
        py.detach(|| self.inner.select_fields(&paths)).map_err(PyErr::from).map(wrap)
    }

    fn rename_field(&self, py: Python<'_>, old: &str, new: &str) -> PyResult<Frame> {
        py.detach(|| self.inner.rename_field(old, new)).map_err(PyErr::from).map(wrap)
    }

    /// `ApplyMapping`: (source, source type, target, target type) tuples.
    #[pyo3(signature = (mappings, case_sensitive=false))]
    fn apply_mapping(
        &self,
        py: Python<'_>,
        mappings: Vec<(String, String, String, String)>,
        case_sensitive: bool,
    ) -> PyResult<Frame> {
        let mappings: Vec<Mapping> = mappings
            .into_iter()
            .map(|(source, source_type, target, target_type)| Mapping { source, source_type, target, target_type })
            .collect();
        py.detach(|| self.inner.apply_mapping(&mappings, case_sensitive)).map_err(PyErr::from).map(wrap)
    }

    fn drop_null_fields(&self, py: Python<'_>) -> PyResult<Frame> {
        py.detach(|| self.inner.drop_null_fields()).map_err(PyErr::from).map(wrap)
    }

    fn cast_column(&self, py: Python<'_>, name: &str, type_name: &str) -> PyResult<Frame> {
        py.detach(|| self.inner.cast_column(name, type_name)).map_err(PyErr::from).map(wrap)
    }

    /// One column per name (the first), as a DynamicFrame holds its fields.
    fn first_of_each_name(&self, py: Python<'_>) -> PyResult<Frame> {
        py.detach(|| self.inner.first_of_each_name()).map_err(PyErr::from).map(wrap)
    }

    /// What `DataFrame.explain(mode)` prints (Spark's headings over DataFusion's plans).
    fn explain(&self, py: Python<'_>, mode: &str) -> PyResult<String> {
        py.detach(|| self.inner.explain(mode)).map_err(PyErr::from)
    }

    /// Run the plan once; the returned frame reuses the result.
    fn materialize(&self, py: Python<'_>) -> PyResult<Frame> {
        py.detach(|| self.inner.materialize()).map_err(PyErr::from).map(wrap)
    }

    /// Keep the rows whose entry in `mask` is true (rows in the order `json_records` gives them).
    fn take_mask(&self, py: Python<'_>, mask: Vec<bool>) -> PyResult<Frame> {
        py.detach(|| {
            let (schema, batches) = self.inner.collect()?;
            let mut kept = Vec::new();
            let mut offset = 0;
            for batch in batches {
                let n = batch.num_rows();
                let slice = mask.get(offset..offset + n).ok_or_else(|| {
                    crate::Error::InvalidArgument(format!(
                        "the mask has {} entries; the frame has more rows",
                        mask.len()
                    ))
                })?;
                offset += n;
                let predicate = arrow_array::BooleanArray::from(slice.to_vec());
                kept.push(arrow_select::filter::filter_record_batch(&batch, &predicate)?);
            }
            CoreFrame::from_batches(self.inner.session(), schema, kept)
        })
        .map_err(PyErr::from)
        .map(wrap)
    }

    /// Run the plan: an Arrow table.
    fn collect(&self, py: Python<'_>) -> PyResult<ArrowTable> {
        let (schema, batches) = py.detach(|| self.inner.collect())?;
        Ok(ArrowTable::new(schema, batches))
    }

    /// Run the plan: its rows as PySpark's `collect()` gives them, each (and each struct) built by
    /// `row(names, values)`; at most `limit` rows.
    #[pyo3(signature = (row, limit=None))]
    fn rows<'py>(
        &self,
        py: Python<'py>,
        row: Bound<'py, PyAny>,
        limit: Option<usize>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let (_, batches) = py.detach(|| match limit {
            Some(n) => self.inner.limit(n)?.collect(),
            None => self.inner.collect(),
        })?;
        super::rows::rows(py, &batches, row)
    }

    /// Run the plan: every row as one JSON object per line, without null fields (a DynamicRecord
    /// holds only its fields), at most `limit` rows.
    #[pyo3(signature = (limit=None))]
    fn json_records(&self, py: Python<'_>, limit: Option<usize>) -> PyResult<String> {
        py.detach(|| {
            let frame = match limit {
                Some(n) => self.inner.limit(n)?,
                None => self.inner.clone(),
            };
            let (_, batches) = frame.collect()?;
            show::glue_records(&batches, usize::MAX)
        })
        .map_err(PyErr::from)
    }

    fn count(&self, py: Python<'_>) -> PyResult<usize> {
        py.detach(|| self.inner.count()).map_err(PyErr::from)
    }

    /// Spark's `show(n, truncate, vertical)` text.
    #[pyo3(signature = (n=20, truncate=20, vertical=false))]
    fn show_table(&self, py: Python<'_>, n: usize, truncate: usize, vertical: bool) -> PyResult<String> {
        py.detach(|| {
            let (schema, batches) = self.inner.limit(n.saturating_add(1))?.collect()?;
            let (schema, batches) = show::in_zone(&schema, batches, &self.inner.session().time_zone())?;
            if vertical {
                show::spark_records(&schema, &batches, n, truncate)
            } else {
                show::spark_table(&schema, &batches, n, truncate)
            }
        })
        .map_err(PyErr::from)
    }

    /// Spark's `HiveResult` text of the whole answer (as `spark-sql` prints it and Spark's SQL
    /// golden files hold it): the schema's catalog string and one tab-separated line per row,
    /// instants shown in `zone`.
    fn hive_result(&self, py: Python<'_>, zone: &str) -> PyResult<(String, Vec<String>)> {
        py.detach(|| {
            let (schema, batches) = self.inner.collect()?;
            Ok::<_, crate::error::Error>((hive_result::schema_text(&schema), hive_result::rows(&batches, zone)?))
        })
        .map_err(PyErr::from)
    }

    /// Glue's `DynamicFrame.show(n)` text: JSON records.
    #[pyo3(signature = (n=20))]
    fn show_records(&self, py: Python<'_>, n: usize) -> PyResult<String> {
        py.detach(|| {
            let (_, batches) = self.inner.limit(n)?.collect()?;
            show::glue_records(&batches, n)
        })
        .map_err(PyErr::from)
    }

    /// `printSchema()` text: Spark's tree, or Glue's with `glue=True`.
    #[pyo3(signature = (glue=false))]
    fn schema_tree(&self, glue: bool) -> String {
        let schema = self.inner.schema();
        if glue {
            show::glue_tree(&schema)
        } else {
            show::spark_tree(&schema)
        }
    }

    /// Write the frame as new files under `location` (Glue's append): files, rows, bytes, partitions.
    /// `header`: whether CSV files begin with a header line.
    #[pyo3(signature = (location, format, compression=None, partition_keys=Vec::new(), header=true))]
    fn write(
        &self,
        py: Python<'_>,
        location: &str,
        format: &str,
        compression: Option<&str>,
        partition_keys: Vec<String>,
        header: bool,
    ) -> PyResult<WrittenSummary> {
        let written = py.detach(|| {
            let format = FileFormat::parse(format)?;
            let compression = Compression::parse(compression, format)?;
            let folder = Location::parse(location)?;
            if format == FileFormat::Parquet && partition_keys.is_empty() {
                // Streamed as computed: memory holds row groups, not the frame.
                return self.inner.write_parquet(&folder, compression.parquet_codec());
            }
            let options = SinkOptions { format, compression, partition_keys, header };
            // Every column: a DynamicFrame has one of a name, and of DataFrame writers only
            // Spark's CSV writer takes two (the others refuse them before, as Spark does).
            let (schema, batches) = self.inner.collect()?;
            sink::write(&folder, &schema, &batches, &options)
        })?;
        Ok(WrittenSummary {
            files: written.files,
            rows: written.rows,
            bytes: written.bytes,
            partitions: written.partitions,
        })
    }

    /// Write the frame as one snapshot of the Iceberg or Delta table at `location`:
    /// `mode="append"` adds to the table (creating it when there is none), `"overwrite"` replaces
    /// its rows (earlier snapshots stay for time travel). `name`: its catalog name (`db.table`),
    /// by default the folder's parent and name. Returns files, rows and bytes written.
    #[pyo3(signature = (location, format, mode, name=None))]
    fn write_table(
        &self,
        py: Python<'_>,
        location: &str,
        format: &str,
        mode: &str,
        name: Option<String>,
    ) -> PyResult<TableWritten> {
        let written = py.detach(|| {
            let format = format.parse::<TableFormat>()?;
            let folder = Location::parse(location)?;
            let keep = match mode {
                "overwrite" => Vec::new(),
                // The current snapshot's files stay: the commit is an append (a new table is
                // created by its first commit).
                "append" => match table_format::detect(&folder)? {
                    TableFormat::Parquet => Vec::new(),
                    _ => committed_files(&folder)?,
                },
                other => return Err(crate::Error::InvalidArgument(format!("unknown write mode {other}"))),
            };
            let (schema, batches) = self.inner.first_of_each_name()?.collect()?;
            let target = output::Target {
                table: name.unwrap_or_else(|| table_format::default_name(&folder)),
                location: folder,
                format: Some(format),
            };
            output::write_table(&target, &schema, &batches, output::Commit { keep, ..output::Commit::default() })
        })?;
        Ok(TableWritten { files: written.files, rows: written.rows, bytes: written.bytes })
    }

    fn __repr__(&self) -> String {
        format!("Frame(columns=[{}])", self.inner.column_names().join(", "))
    }
}

/// What a source read (a dict): files, bytes, records, rows, quarantined and the rejected records.
#[derive(IntoPyObject)]
pub(crate) struct SourceSummary {
    files: u64,
    bytes: u64,
    records: u64,
    rows: u64,
    quarantined: u64,
    rejected: ArrowTable,
}

/// What a sink wrote (a dict), with the partition folders it wrote into.
#[derive(IntoPyObject)]
pub(crate) struct WrittenSummary {
    files: u64,
    rows: u64,
    bytes: u64,
    partitions: Vec<String>,
}

/// What a table-format commit wrote (a dict).
#[derive(IntoPyObject)]
pub(crate) struct TableWritten {
    files: u64,
    rows: u64,
    bytes: u64,
}
