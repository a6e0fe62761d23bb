//! `AthenaSession`: Athena's queries over catalog tables (`glueless athena`).

use pyo3::prelude::*;

use crate::core::formats::FileFormat;
use crate::core::storage::Location;
use crate::error::Error;
use crate::runtime::athena::write::TableWrite;
use crate::runtime::athena::{render, session::QueryOutput, AthenaSession as Session};
use crate::runtime::catalog::table::CatalogTable;

/// An Athena session: catalog tables registered by their Glue records, queries in Trino's SQL.
#[pyclass(module = "glueless._glueless", frozen)]
pub(crate) struct AthenaSession {
    inner: Session,
}

/// A query's result as Athena shows it: column names, Athena's type names, what each column's
/// values are for output formats (`render::value_kind`), and each row's values as Trino's text
/// (`None` for NULL).
#[pyclass(module = "glueless._glueless", frozen, get_all)]
pub(crate) struct AthenaResult {
    columns: Vec<String>,
    types: Vec<String>,
    kinds: Vec<&'static str>,
    rows: Vec<Vec<Option<String>>>,
}

/// What a `CREATE TABLE … AS SELECT` or `INSERT INTO` wrote: rows, files, and the columns it
/// wrote (name, Hive type; partition keys last).
#[pyclass(module = "glueless._glueless", frozen, get_all)]
pub(crate) struct AthenaWrite {
    rows: u64,
    files: u64,
    columns: Vec<(String, String)>,
}

impl From<TableWrite> for AthenaWrite {
    fn from(w: TableWrite) -> Self {
        Self { rows: w.rows, files: w.files, columns: w.columns }
    }
}

impl AthenaResult {
    fn of(output: &QueryOutput) -> Result<Self, Error> {
        let columns = output.schema.fields().iter().map(|f| f.name().clone()).collect();
        let types = output.schema.fields().iter().map(|f| render::type_name(f.data_type())).collect();
        let kinds = output.schema.fields().iter().map(|f| render::value_kind(f.data_type())).collect();
        let mut rows = Vec::new();
        for batch in &output.batches {
            let texts = batch.columns().iter().map(|c| render::texts(c.as_ref())).collect::<Result<Vec<_>, _>>()?;
            for row in 0..batch.num_rows() {
                rows.push(texts.iter().map(|column| column[row].clone()).collect());
            }
        }
        Ok(Self { columns, types, kinds, rows })
    }
}

#[pymethods]
impl AthenaSession {
    #[new]
    #[pyo3(signature = (database = "default"))]
    fn new(database: &str) -> PyResult<Self> {
        crate::runtime::memory::runtime_env()?;
        Ok(Self { inner: Session::new(database) })
    }

    /// Make a catalog table (its Glue `GetTable` record as JSON) known to queries; its files are
    /// at `location` (the record's location, mapped).
    fn register_table(&self, table: &str, location: &str) -> PyResult<()> {
        self.inner.register_table(CatalogTable::from_json(table)?, Location::parse(location)?)?;
        Ok(())
    }

    /// `USE database`.
    fn use_database(&self, database: &str) -> PyResult<()> {
        Ok(self.inner.use_database(database)?)
    }

    /// Run one query and return its rows.
    fn query(&self, py: Python<'_>, sql: &str) -> PyResult<AthenaResult> {
        Ok(py.detach(|| self.inner.query(sql).and_then(|output| AthenaResult::of(&output)))?)
    }

    /// `CREATE TABLE name WITH (…) AS query`: the rows written under `location` (which must
    /// hold no files) in `format`, `partition_keys` (the query's last columns) as folders.
    #[pyo3(signature = (name, query, location, format = "parquet", compression = None, partition_keys = Vec::new()))]
    #[allow(clippy::too_many_arguments)] // the CTAS properties, as Athena names them
    fn create_table_as(
        &self,
        py: Python<'_>,
        name: &str,
        query: &str,
        location: &str,
        format: &str,
        compression: Option<&str>,
        partition_keys: Vec<String>,
    ) -> PyResult<AthenaWrite> {
        let (location, format) = (Location::parse(location)?, FileFormat::parse(format)?);
        let written =
            py.detach(|| self.inner.create_table_as(name, query, &location, format, compression, &partition_keys))?;
        Ok(written.into())
    }

    /// `INSERT INTO table query`: the rows appended to the table (its record as JSON) at
    /// `location` (mapped), in its format.
    fn insert_into(&self, py: Python<'_>, query: &str, table: &str, location: &str) -> PyResult<AthenaWrite> {
        let (table, location) = (CatalogTable::from_json(table)?, Location::parse(location)?);
        Ok(py.detach(|| self.inner.insert_into(query, &table, &location))?.into())
    }
}
