//! The type vocabulary for Python: every simple type's names ([`TYPE_NAMES`]) and the name of
//! any type in any dialect ([`type_name`]), so the shims spell no type themselves.

use pyo3::prelude::*;
use pyo3_arrow::PyDataType;

use crate::core::types::{self, Dialect, SimpleType, SIMPLE_TYPES};

/// One simple type's names: PySpark's class, Spark's simple string, DDL and tree words, Glue's,
/// Hive's (Athena DDL) and Trino's names, the further names it is read by, whether it is a
/// number, and whether a JSON scalar reads back as it (string, bigint, double, boolean).
#[pyclass(frozen, get_all, module = "glueless._glueless")]
pub(crate) struct TypeNames {
    spark_class: &'static str,
    spark: &'static str,
    spark_ddl: String,
    spark_tree: &'static str,
    glue: &'static str,
    hive: &'static str,
    trino: &'static str,
    aliases: Vec<&'static str>,
    numeric: bool,
    json_native: bool,
}

impl From<&SimpleType> for TypeNames {
    fn from(t: &SimpleType) -> Self {
        Self {
            spark_class: t.spark_class,
            spark: t.spark,
            spark_ddl: t.name(Dialect::SparkDdl).into_owned(),
            spark_tree: t.spark_tree,
            glue: t.glue,
            hive: t.hive,
            trino: t.trino,
            aliases: t.aliases.to_vec(),
            numeric: t.numeric,
            json_native: t.json_native(),
        }
    }
}

#[pymethods]
impl TypeNames {
    fn __repr__(&self) -> String {
        format!("TypeNames({})", self.spark)
    }
}

/// Every simple type's names, in `pyspark.sql.types`' order.
pub(crate) fn type_names() -> Vec<TypeNames> {
    SIMPLE_TYPES.iter().map(TypeNames::from).collect()
}

/// A type given by any of its names (`"long"`, `"decimal(10,2)"`) or as an Arrow type.
#[derive(FromPyObject)]
pub(crate) enum TypeArg {
    Name(String),
    Arrow(PyDataType),
}

/// The name of `data_type` in `dialect` (`spark`, `spark_ddl`, `spark_tree`, `glue`, `hive`,
/// `trino`).
#[pyfunction]
pub(crate) fn type_name(data_type: TypeArg, dialect: &str) -> PyResult<String> {
    let dialect = Dialect::named(dialect)?;
    let arrow = match data_type {
        TypeArg::Name(name) => types::parse_type(&name)?,
        TypeArg::Arrow(arrow) => arrow.into_inner(),
    };
    Ok(types::type_name(&arrow, dialect)?)
}
