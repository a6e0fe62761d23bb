//! Athena / Glue Data Catalog DDL for the tables of a STEDI lake: landing tables over the JSON
//! (OpenX JsonSerDe, case-insensitive keys, every declared field typed), and the Parquet tables of
//! the other zones with the columns their files really have. Landing tables follow the schema
//! versions of [`SchemaHistory`].

use arrow_schema::{DataType, Schema};

use bytes::Bytes;

use super::schema_history::SchemaHistory;
use super::{JobReport, Lake};
use crate::core::formats::FileFormat;
use crate::core::json::{LandingSchema, KNOWN_TABLES};
use crate::core::storage::{committed_files, objects, parquet_file, table_format, Location, TableFormat};
use crate::core::types::{type_name, Dialect};
use crate::error::{Error, Result};

/// One table's DDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableDdl {
    pub(crate) name: String,
    pub(crate) location: String,
    pub(crate) sql: String,
    /// How an output table is stored; `None` for a landing table (JSON files).
    pub(crate) format: Option<TableFormat>,
    /// Column names and Athena types.
    pub(crate) columns: Vec<(String, String)>,
}

/// The Parquet zones of a STEDI lake and their catalog names (as in the original project).
const PARQUET_TABLES: [(&str, &str); 8] = [
    ("customer/trusted", "customer_trusted"),
    ("customer/curated", "customer_curated"),
    ("accelerometer/trusted", "accelerometer_trusted"),
    ("step_trainer/trusted", "step_trainer_trusted"),
    ("step_trainer/curated", "machine_learning_curated"),
    ("customer/rejected", "customer_rejected"),
    ("accelerometer/rejected", "accelerometer_rejected"),
    ("step_trainer/rejected", "step_trainer_rejected"),
];

/// The database the STEDI tables are registered in.
pub(crate) const STEDI_DATABASE: &str = "stedi";

/// The qualified catalog name of the table `table/zone` (`step_trainer/curated` →
/// `stedi.machine_learning_curated`); a table the STEDI lake does not name gets `table_zone`
/// (the catalog's default database).
#[must_use]
pub(crate) fn catalog_name(table: &str) -> String {
    PARQUET_TABLES
        .iter()
        .find(|(zone, _)| *zone == table)
        .map_or_else(|| table.replace('/', "_"), |(_, name)| format!("{STEDI_DATABASE}.{name}"))
}

/// Which tables [`lake_ddl`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DdlScope {
    /// The landing tables (current schema versions) and every Parquet zone that exists.
    All,
    /// The landing tables only, with their current schema versions.
    Landing,
    /// The landing tables with their declared schemas, without touching storage.
    Declared,
}

/// DDL for the tables of `lake` that `scope` names.
///
/// # Errors
/// Storage errors; [`Error::Unsupported`] for a column type Athena cannot declare.
pub(crate) fn lake_ddl(lake: &Lake, database: &str, scope: DdlScope) -> Result<Vec<TableDdl>> {
    let mut out = Vec::new();
    for table in KNOWN_TABLES {
        let location = lake.zone(table, "landing");
        out.push(if scope == DdlScope::Declared {
            let schema = LandingSchema::known(table).expect("the STEDI landing tables are declared");
            landing_ddl(database, table, &location, schema.schema(), None)?
        } else {
            let history = SchemaHistory::load(lake, table)?;
            let schema = history.landing_schema();
            landing_ddl(database, table, &location, schema.schema(), Some(history.current().version))?
        });
    }
    if scope != DdlScope::All {
        return Ok(out);
    }
    for (zone, name) in PARQUET_TABLES {
        let (table, zone_name) = zone.split_once('/').expect("zones are table/zone");
        let folder = lake.zone(table, zone_name);
        if !objects::folder_exists(&folder)? {
            continue;
        }
        let files = committed_files(&folder)?;
        let Some(first) = files.iter().find(|f| f.name().ends_with(".parquet")) else { continue };
        let schema = parquet_file::read_schema(first)?;
        out.push(table_ddl(database, name, &folder, &schema, table_format::detect(&folder)?)?);
    }
    Ok(out)
}

/// Regenerate, under `ROOT/_glueless/catalog/ddl/`, the DDL of the tables a job just wrote and of
/// the landing table it read (its schema version may have changed), so that the stored DDL always
/// matches the data.
///
/// # Errors
/// Storage errors.
pub(crate) fn write_job_ddl(lake: &Lake, report: &JobReport, database: &str) -> Result<()> {
    let mut tables = Vec::new();
    if let Some(table) = &report.landing_table {
        let history = SchemaHistory::load(lake, table)?;
        let schema = history.landing_schema();
        let location = lake.zone(table, "landing");
        tables.push(landing_ddl(database, table, &location, schema.schema(), Some(history.current().version))?);
    }
    for output in &report.outputs {
        let Some((_, name)) = PARQUET_TABLES.iter().find(|(zone, _)| *zone == output.table) else { continue };
        let (table, zone) = output.table.split_once('/').expect("outputs are table/zone");
        let folder = lake.zone(table, zone);
        let format = table_format::detect(&folder)?;
        tables.push(table_ddl(database, name, &folder, &output.schema, format)?);
    }
    let folder = lake.root().join("_glueless").join("catalog").join("ddl");
    for table in tables {
        objects::put(&folder.join(&format!("{}_table.sql", table.name)), Bytes::from(table.sql))?;
    }
    Ok(())
}

fn landing_ddl(
    database: &str,
    table: &str,
    folder: &Location,
    schema: &Schema,
    version: Option<u32>,
) -> Result<TableDdl> {
    let name = format!("{table}_landing");
    let location = folder_url(folder)?;
    let version = version.map_or(String::new(), |v| format!(", 'glueless.schema_version' = '{v}'"));
    let json = FileFormat::Json;
    let sql = format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS {}.{} (\n{}\n)\n\
         ROW FORMAT SERDE '{}'\n\
         WITH SERDEPROPERTIES ('case.insensitive' = 'TRUE', 'ignore.malformed.json' = 'TRUE')\n\
         STORED AS INPUTFORMAT '{}'\n\
         OUTPUTFORMAT '{}'\n\
         LOCATION '{location}'\n\
         TBLPROPERTIES ('classification' = '{}'{version});\n",
        quote(database),
        quote(&name),
        columns(schema)?,
        json.hive_serde(),
        json.hive_input_format(),
        json.hive_output_format(),
        json.name(),
    );
    Ok(TableDdl { name, location, sql, format: None, columns: column_types(schema)? })
}

/// The DDL of an output table: Parquet's columns; Athena's form for a Delta table (it reads the
/// schema from the log); for an Iceberg table a comment, as Athena registers no existing Iceberg
/// table by DDL (`glueless catalog sync` writes its catalog entry).
fn table_ddl(database: &str, name: &str, folder: &Location, schema: &Schema, format: TableFormat) -> Result<TableDdl> {
    let location = folder_url(folder)?;
    let sql = match format {
        TableFormat::Parquet => return parquet_ddl(database, name, folder, schema),
        TableFormat::Delta => format!(
            "CREATE EXTERNAL TABLE IF NOT EXISTS {}.{}\n\
             LOCATION '{location}'\n\
             TBLPROPERTIES ('table_type' = 'DELTA');\n",
            quote(database),
            quote(name)
        ),
        TableFormat::Iceberg => format!(
            "-- {database}.{name} is an Iceberg table at {location}: it is registered in its catalog by each commit \
             (glueless catalog sync copies the entry to another catalog).\n"
        ),
    };
    Ok(TableDdl { name: name.to_string(), location, sql, format: Some(format), columns: column_types(schema)? })
}

fn parquet_ddl(database: &str, name: &str, folder: &Location, schema: &Schema) -> Result<TableDdl> {
    let location = folder_url(folder)?;
    let sql = format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS {}.{} (\n{}\n)\n\
         STORED AS PARQUET\n\
         LOCATION '{location}'\n\
         TBLPROPERTIES ('classification' = '{}');\n",
        quote(database),
        quote(name),
        columns(schema)?,
        FileFormat::Parquet.name(),
    );
    let columns = column_types(schema)?;
    Ok(TableDdl { name: name.to_string(), location, sql, format: Some(TableFormat::Parquet), columns })
}

/// A folder as a catalog LOCATION: `s3://bucket/key/`, or `file:///absolute/path/` for a local lake.
fn folder_url(folder: &Location) -> Result<String> {
    Ok(match folder {
        Location::S3 { .. } => format!("{folder}/"),
        Location::Local(path) => {
            let absolute = crate::core::storage::location::absolute(path)
                .map_err(|e| Error::InvalidArgument(format!("bad path {}: {e}", path.display())))?;
            format!("file://{}/", absolute.display())
        }
    })
}

fn quote(identifier: &str) -> String {
    format!("`{}`", identifier.replace('`', "``"))
}

fn columns(schema: &Schema) -> Result<String> {
    let lines: Vec<String> =
        column_types(schema)?.iter().map(|(name, hive)| format!("  {} {hive}", quote(name))).collect();
    Ok(lines.join(",\n"))
}

fn column_types(schema: &Schema) -> Result<Vec<(String, String)>> {
    schema.fields().iter().map(|f| Ok((f.name().clone(), hive_type(f.name(), f.data_type())?))).collect()
}

/// The Hive/Athena type of an Arrow type (epoch milliseconds stay bigint, as the data is).
fn hive_type(column: &str, data_type: &DataType) -> Result<String> {
    type_name(data_type, Dialect::Hive)
        .map_err(|_| Error::Unsupported(format!("column {column}: type {data_type} has no Athena equivalent")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landing_ddl_types_every_field_without_touching_storage() {
        let lake = Lake::open("s3://stedi-jivd").unwrap();
        let ddl = lake_ddl(&lake, "stedi", DdlScope::Declared).unwrap();
        let customer = &ddl[0];
        assert_eq!(customer.name, "customer_landing");
        assert_eq!(customer.location, "s3://stedi-jivd/customer/landing/");
        assert!(customer.sql.contains("`shareWithFriendsAsOfDate` bigint"), "{}", customer.sql);
        assert!(customer.sql.contains("'case.insensitive' = 'TRUE'"));
        assert!(ddl[1].sql.contains("`timestamp` bigint") && ddl[1].sql.contains("`x` double"), "{}", ddl[1].sql);
    }
}
