//! Kernels for tasks of a distributed engine (Spark's `mapInArrow`): a landing file decoded in one
//! call, and joins and filters built once from a broadcast table, then applied batch by batch.
//! Every call releases the GIL.

use std::sync::Arc;

use arrow_schema::{Field, Schema};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_arrow::PyTable;

use super::table::ArrowTable;
use crate::core::json::{self, rejected_schema, ColumnType, LandingOptions, LandingSchema};
use crate::core::kernels::{InnerJoinBuild, JoinInput, SemiJoinFilter};
use crate::core::storage::{objects, parquet_file, table_format, Location, StagedFolder, TableFormat};
use crate::error::{Error, Result};
use crate::stedi::consent::ConsentDates;
use crate::stedi::schema_history::SchemaHistory;
use crate::stedi::{table_ddl, Lake};

/// A landing column as the driver ships it to tasks: (name, Athena type, declared).
type ColumnSpec = (String, String, bool);

/// The current landing columns of `table` in the lake at `lake` (its schema history's last
/// version), to pass to [`decode_landing_file`] in every task.
#[pyfunction]
pub(crate) fn landing_columns(py: Python<'_>, lake: &str, table: &str) -> PyResult<Vec<ColumnSpec>> {
    py.detach(|| {
        let history = SchemaHistory::load(&Lake::open(lake)?, table)?;
        Ok::<_, crate::Error>(
            history.current().columns.iter().map(|c| (c.name.clone(), c.kind.to_string(), c.declared)).collect(),
        )
    })
    .map_err(PyErr::from)
}

fn landing_schema(columns: &[ColumnSpec]) -> Result<LandingSchema> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, column_type, _)| Ok(Field::new(name, column_type.parse::<ColumnType>()?.arrow(), true)))
        .collect::<Result<_>>()?;
    let declared = columns.iter().take_while(|c| c.2).count();
    Ok(LandingSchema::with_evolved(Arc::new(Schema::new(fields)), declared))
}

/// An empty table with the Arrow schema of rows decoded with `columns` (then the quarantine's
/// columns when `quarantine`), for an engine that declares the schema of its tasks' output.
#[pyfunction]
#[pyo3(signature = (columns, *, quarantine=false))]
pub(crate) fn landing_arrow_schema(columns: Vec<ColumnSpec>, quarantine: bool) -> PyResult<ArrowTable> {
    let mut fields: Vec<Field> =
        landing_schema(&columns)?.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    if quarantine {
        fields.extend(rejected_schema().fields().iter().map(|f| f.as_ref().clone()));
    }
    Ok(ArrowTable::new(Arc::new(Schema::new(fields)), Vec::new()))
}

/// Decode one landing file's bytes (as stored: decompressed first when `source` names a
/// compressed file) with `columns`: the accepted rows, the quarantined records (`source_file` =
/// `source`, with line numbers) and the keys no column holds (a schema change the caller must not
/// ignore).
#[pyfunction]
#[pyo3(signature = (content, source, columns, *, max_record_bytes=None))]
pub(crate) fn decode_landing_file(
    py: Python<'_>,
    content: &Bound<'_, PyBytes>,
    source: &str,
    columns: Vec<ColumnSpec>,
    max_record_bytes: Option<usize>,
) -> PyResult<(ArrowTable, ArrowTable, Vec<String>)> {
    let bytes = content.as_bytes();
    let (schema, decoded) = py.detach(|| decode(bytes, source, &columns, max_record_bytes))?;
    Ok((
        ArrowTable::new(schema, decoded.accepted),
        ArrowTable::new(rejected_schema(), decoded.rejected),
        decoded.unseen,
    ))
}

/// The data files of the folder `folder` (local or S3) as (location, size), for a driver that
/// hands files out to tasks.
#[pyfunction]
pub(crate) fn list_data_files(py: Python<'_>, folder: &str) -> PyResult<Vec<(String, u64)>> {
    py.detach(|| {
        let files = objects::list_files(&Location::parse(folder)?)?;
        Ok::<_, crate::Error>(files.into_iter().map(|f| (f.location.to_string(), f.size)).collect())
    })
    .map_err(PyErr::from)
}

/// A landing file's sizes: text bytes decoded, bytes as stored, whether it was compressed.
type FileSizes = (u64, u64, bool);

/// Read the landing file at `location` (local or S3) and decode it as [`decode_landing_file`] does;
/// also its sizes: (text bytes decoded, bytes as stored, whether it was compressed).
#[pyfunction]
#[pyo3(signature = (location, columns, *, max_record_bytes=None))]
pub(crate) fn read_landing_file(
    py: Python<'_>,
    location: &str,
    columns: Vec<ColumnSpec>,
    max_record_bytes: Option<usize>,
) -> PyResult<(ArrowTable, ArrowTable, Vec<String>, FileSizes)> {
    let (schema, decoded, stored_bytes) = py.detach(|| -> Result<_> {
        let location = Location::parse(location)?;
        let file = objects::file_info(&location)?
            .ok_or_else(|| Error::NotFound { what: "landing file", path: location.to_string() })?;
        let content = objects::read(&file)?;
        let (schema, decoded) = decode(&content, &file.location.to_string(), &columns, max_record_bytes)?;
        Ok((schema, decoded, content.len() as u64))
    })?;
    let sizes = (decoded.text_bytes, stored_bytes, decoded.compressed);
    Ok((
        ArrowTable::new(schema, decoded.accepted),
        ArrowTable::new(rejected_schema(), decoded.rejected),
        decoded.unseen,
        sizes,
    ))
}

fn decode(
    content: &[u8],
    source: &str,
    columns: &[ColumnSpec],
    max_record_bytes: Option<usize>,
) -> Result<(arrow_schema::SchemaRef, json::StoredFileOutput)> {
    let schema = landing_schema(columns)?;
    let mut options = LandingOptions::default();
    if let Some(n) = max_record_bytes {
        options.max_record_bytes = n;
    }
    // A compressed file (by its name's extension) is decompressed first, as the local engine does.
    let decoded = json::decode_stored_unseen(content, source, &schema, &options)?;
    Ok((schema.schema().clone(), decoded))
}

/// A semi-join's key set, built once from a broadcast table.
#[pyclass(frozen, module = "glueless._glueless")]
pub(crate) struct BroadcastSemiJoin {
    inner: SemiJoinFilter,
    probe_keys: Vec<String>,
}

#[pymethods]
impl BroadcastSemiJoin {
    /// The keys `keys` of `build`; batches are probed on `probe_keys` (default the same names).
    #[new]
    #[pyo3(signature = (build, keys, probe_keys=None))]
    fn new(py: Python<'_>, build: PyTable, keys: Vec<String>, probe_keys: Option<Vec<String>>) -> PyResult<Self> {
        let (batches, schema) = build.into_inner();
        let names: Vec<&str> = keys.iter().map(String::as_str).collect();
        let inner =
            py.detach(|| SemiJoinFilter::new(JoinInput { schema: &schema, batches: &batches, keys: &names }))?;
        Ok(Self { inner, probe_keys: probe_keys.unwrap_or(keys) })
    }

    /// The rows of `batch` whose key is in the set, and the numbers of rows left out with a null
    /// key and without a partner.
    fn filter(&self, py: Python<'_>, batch: PyTable) -> PyResult<(ArrowTable, u64, u64)> {
        let (batches, schema) = batch.into_inner();
        let keys: Vec<&str> = self.probe_keys.iter().map(String::as_str).collect();
        let (out, nulls, misses) = py.detach(|| -> Result<_> {
            let mut out = Vec::with_capacity(batches.len());
            let (mut nulls, mut misses) = (0, 0);
            for batch in &batches {
                let (kept, n, m) = self.inner.filter(batch, &keys)?;
                out.push(kept);
                nulls += n;
                misses += m;
            }
            Ok((out, nulls, misses))
        })?;
        Ok((ArrowTable::new(schema, out), nulls, misses))
    }
}

/// An inner join's hash table, built once from a broadcast table; it remembers which build rows
/// found a partner.
#[pyclass(frozen, module = "glueless._glueless")]
pub(crate) struct BroadcastInnerJoin {
    inner: InnerJoinBuild,
    probe_keys: Vec<String>,
}

#[pymethods]
impl BroadcastInnerJoin {
    /// The hash table of `build` on `keys`; batches are probed on `probe_keys`.
    #[new]
    fn new(py: Python<'_>, build: PyTable, keys: Vec<String>, probe_keys: Vec<String>) -> PyResult<Self> {
        let (batches, schema) = build.into_inner();
        let names: Vec<&str> = keys.iter().map(String::as_str).collect();
        let inner =
            py.detach(|| InnerJoinBuild::new(JoinInput { schema: &schema, batches: &batches, keys: &names }))?;
        Ok(Self { inner, probe_keys })
    }

    /// Which build rows found a partner so far: a little-endian bitmap, bit i for build row i.
    fn build_hits<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes: Vec<u8> = self.inner.build_hits().into_iter().flat_map(u64::to_le_bytes).collect();
        PyBytes::new(py, &bytes)
    }

    /// Every pair of a row of `batch` and a build row with equal keys (the batch's columns, then
    /// the build's, `_right` added to a clashing name), and how many rows of `batch` matched and
    /// had a null key.
    fn probe(&self, py: Python<'_>, batch: PyTable) -> PyResult<(ArrowTable, u64, u64)> {
        let (batches, schema) = batch.into_inner();
        let keys: Vec<&str> = self.probe_keys.iter().map(String::as_str).collect();
        let out_schema = self.inner.output_schema(&schema);
        let (out, matched, nulls) = py.detach(|| -> Result<_> {
            let mut out = Vec::with_capacity(batches.len());
            let (mut matched, mut nulls) = (0, 0);
            for batch in &batches {
                let probed = self.inner.probe(batch, &keys)?;
                out.push(probed.batch);
                matched += probed.matched;
                nulls += probed.null_keys;
            }
            Ok((out, matched, nulls))
        })?;
        Ok((ArrowTable::new(out_schema, out), matched, nulls))
    }
}

/// Customers' consent times, built once from a broadcast customer table (strict mode).
#[pyclass(frozen, module = "glueless._glueless")]
pub(crate) struct BroadcastConsentDates {
    inner: ConsentDates,
}

#[pymethods]
impl BroadcastConsentDates {
    #[new]
    #[pyo3(signature = (customers, email="email", consent=None))]
    fn new(py: Python<'_>, customers: PyTable, email: &str, consent: Option<&str>) -> PyResult<Self> {
        let consent = consent.unwrap_or(crate::stedi::jobs::CONSENT_COLUMN);
        let (batches, _) = customers.into_inner();
        let inner = py.detach(|| ConsentDates::new(&batches, email, consent))?;
        Ok(Self { inner })
    }

    /// The readings of `batch` taken at or after their user's consent time, and the numbers left
    /// out: (null user or time, no consenting customer, before consent).
    #[pyo3(signature = (batch, user="user", time="timestamp"))]
    fn filter(&self, py: Python<'_>, batch: PyTable, user: &str, time: &str) -> PyResult<(ArrowTable, [u64; 3])> {
        let (batches, schema) = batch.into_inner();
        let (out, counts) = py.detach(|| -> Result<_> {
            let mut out = Vec::with_capacity(batches.len());
            let mut counts = [0u64; 3];
            for batch in &batches {
                let (kept, left_out) = self.inner.filter(batch, user, time)?;
                out.push(kept);
                for (total, n) in counts.iter_mut().zip(left_out) {
                    *total += n;
                }
            }
            Ok((out, counts))
        })?;
        Ok((ArrowTable::new(schema, out), counts))
    }
}

/// Make the folder `staging` (beside `target`, filled by another writer such as a Spark job) the
/// content of `target` in one atomic step, as glueless' own writes are committed.
#[pyfunction]
pub(crate) fn commit_staged_folder(py: Python<'_>, staging: &str, target: &str) -> PyResult<()> {
    py.detach(|| StagedFolder::adopt(&Location::parse(target)?, &Location::parse(staging)?)?.commit(&[], None))
        .map_err(PyErr::from)
}

/// Make the Parquet files of the folder `staging` (beside `target`, filled by another writer such
/// as a Spark job) the new content of the table at `target`, in one atomic step: in `format`
/// (`None`: the table's own, Parquet for a new one), an Iceberg or Delta table as one snapshot,
/// registered under the catalog name of the lake table `table` (`customer/trusted`; default: from
/// its folder).
#[pyfunction]
#[pyo3(signature = (staging, target, *, format=None, table=None))]
pub(crate) fn commit_staged_table(
    py: Python<'_>,
    staging: &str,
    target: &str,
    format: Option<&str>,
    table: Option<&str>,
) -> PyResult<()> {
    let format = format.map(str::parse::<TableFormat>).transpose()?;
    py.detach(|| {
        let target = Location::parse(target)?;
        let name = table.map_or_else(|| table_format::default_name(&target), table_ddl::catalog_name);
        StagedFolder::adopt_table(&target, &Location::parse(staging)?, format, &name)?.commit(&[], None)
    })
    .map_err(PyErr::from)
}

/// Write `table` as the one Parquet file `location` (zstd), atomically: a task attempt that runs
/// again (or twice) replaces the file whole. Returns the rows written.
#[pyfunction]
pub(crate) fn write_parquet_file(py: Python<'_>, location: &str, table: PyTable) -> PyResult<u64> {
    let (batches, schema) = table.into_inner();
    py.detach(|| -> Result<u64> {
        let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
        match Location::parse(location)? {
            Location::Local(path) => {
                let parent = path.parent().unwrap_or(std::path::Path::new("."));
                std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
                let nanos =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
                let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let temp = parent.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
                parquet_file::write(&Location::Local(temp.clone()), &schema, &batches)?;
                std::fs::rename(&temp, &path).map_err(|e| Error::io("writing", &path, e))?;
            }
            s3 @ Location::S3 { .. } => {
                parquet_file::write(&s3, &schema, &batches)?;
            }
        }
        Ok(rows)
    })
    .map_err(PyErr::from)
}
