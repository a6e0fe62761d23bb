//! Athena / Hive DDL for the Data Catalog: `CREATE DATABASE`, `CREATE EXTERNAL TABLE … LOCATION`,
//! `DROP TABLE`, `DROP DATABASE`, with or without `IF [NOT] EXISTS`, backticks and comments.
//! `USE db` names the database of the statements after it. Users keep the queries they ran in
//! Athena's editor in the same files (`SELECT * FROM stedi.customer_landing`): a statement that
//! does not start with CREATE, DROP or USE is not catalog DDL and is skipped, named.
//!
//! Parsed by sqlparser's Hive dialect; the result is the shape Glue's GetTable returns. As the
//! Glue Data Catalog does, database, table and column names are folded to lower case; locations
//! are kept as written (`glueless submit --map` rewrites them when a script reads them).

use std::collections::BTreeMap;

use datafusion::sql::sqlparser::ast::{
    ColumnDef, ColumnOption, CreateTableOptions, Expr, HiveDistributionStyle, HiveIOFormat, HiveRowFormat, ObjectName,
    ObjectType, SqlOption, Statement, Value,
};
use datafusion::sql::sqlparser::dialect::HiveDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::nested_types;
use super::table::{CatalogColumn, CatalogTable, SerdeInfo, StorageDescriptor};
use crate::core::formats::{FileFormat, UNREAD_FORMATS};
use crate::error::{Error, Result};

/// One catalog change a DDL file asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "Action")]
pub(crate) enum DdlStatement {
    CreateDatabase {
        name: String,
        if_not_exists: bool,
        location: Option<String>,
    },
    CreateTable {
        table: Box<CatalogTable>,
        if_not_exists: bool,
    },
    DropTable {
        database: Option<String>,
        name: String,
        if_exists: bool,
    },
    DropDatabase {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// A statement that is not catalog DDL (a query, `SHOW`, `MSCK REPAIR TABLE`, …): the file's
    /// statement number and its first words, for the line that says it was skipped.
    Skipped {
        number: usize,
        statement: String,
    },
}

/// The first words of the statements Athena runs that are not catalog DDL: queries, inspection,
/// partition maintenance, writes. Anything else is parsed as DDL, so text that is no SQL at all (a
/// file saved as RTF) is an error, not a skipped statement.
const NOT_CATALOG_DDL: &[&str] =
    &["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "MSCK", "ALTER", "INSERT", "UNLOAD"];

/// The first word of a statement, upper-cased (after any opening parentheses).
fn leading_keyword(text: &str) -> String {
    text.trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Parse a DDL file. Statements without a database name get `default_database`, or the one the
/// last `USE` named.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the statement, with the parser's position, for a CREATE or
/// DROP statement that does not parse or that the catalog cannot hold (`CREATE VIEW`, CTAS, …).
pub(crate) fn parse(sql: &str, default_database: &str) -> Result<Vec<DdlStatement>> {
    let mut out = Vec::new();
    let mut database = default_database.to_lowercase();
    for (index, text) in split_statements(sql).into_iter().enumerate() {
        let number = index + 1;
        if NOT_CATALOG_DDL.contains(&leading_keyword(&text).as_str()) {
            out.push(DdlStatement::Skipped { number, statement: one_line(&text) });
            continue;
        }
        let (parsed_text, hidden) = nested_types::hide(&text);
        let statements = Parser::parse_sql(&HiveDialect {}, &parsed_text).map_err(|e| {
            Error::InvalidArgument(format!("statement {number} does not parse ({e}): {}", one_line(&text)))
        })?;
        for statement in statements {
            if let Statement::Use(used) = &statement {
                database = used_database(used)
                    .ok_or_else(|| Error::InvalidArgument(format!("statement {number}: USE names no database")))?;
                continue;
            }
            // The error names what is wrong; the statement is named once, here.
            let mut converted = convert(statement, &database)
                .map_err(|e| Error::InvalidArgument(format!("statement {number}: {e}: {}", one_line(&text))))?;
            if let DdlStatement::CreateTable { table, .. } = &mut converted {
                let columns = table.storage_descriptor.columns.iter_mut().chain(table.partition_keys.iter_mut());
                for column in columns {
                    column.data_type = nested_types::restore(&column.data_type, &hidden);
                }
            }
            out.push(converted);
        }
    }
    Ok(out)
}

/// The database `USE db` (or `USE DATABASE db`) names, folded to lower case.
fn used_database(used: &datafusion::sql::sqlparser::ast::Use) -> Option<String> {
    use datafusion::sql::sqlparser::ast::Use;
    match used {
        Use::Object(name) | Use::Database(name) | Use::Schema(name) => {
            name.0.last().map(|p| p.to_string().trim_matches('`').to_lowercase())
        }
        _ => None,
    }
}

/// Statements separated by `;` outside quotes and comments (each is parsed on its own, so an
/// error names the one statement that failed). Each starts with the newlines before it, so the
/// parser's line numbers are the file's.
pub(crate) fn split_statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut lines_before = 0;
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                current.push(c);
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        current.push(next);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => {
                    quote = Some(c);
                    current.push(c);
                }
                '-' if chars.peek() == Some(&'-') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            current.push('\n');
                            break;
                        }
                    }
                }
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    let mut last = ' ';
                    for c in chars.by_ref() {
                        if c == '\n' {
                            current.push('\n');
                        }
                        if last == '*' && c == '/' {
                            break;
                        }
                        last = c;
                    }
                }
                ';' => {
                    let statement = std::mem::take(&mut current);
                    let lines = statement.matches('\n').count();
                    statements.push(format!("{}{statement}", "\n".repeat(lines_before)));
                    lines_before += lines;
                }
                _ => current.push(c),
            },
        }
    }
    statements.push(format!("{}{current}", "\n".repeat(lines_before)));
    statements.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 80 {
        format!("{}…", flat.chars().take(80).collect::<String>())
    } else {
        flat
    }
}

/// `db.table` or `table` as (database, table), folded to lower case. Hive's and Athena's
/// `SHOW CREATE TABLE` print ``CREATE EXTERNAL TABLE `stedi.customer_landing` ``, one pair of
/// backticks around both names, and Athena reads that as the database and the table (a table
/// name holds no dot).
fn split_name(name: &ObjectName) -> Result<(Option<String>, String)> {
    let parts: Vec<String> = name.0.iter().map(|p| p.to_string().trim_matches('`').to_lowercase()).collect();
    match parts.as_slice() {
        [quoted] if quoted.matches('.').count() == 1 => {
            let (database, table) = quoted.split_once('.').expect("one dot");
            Ok((Some(database.to_string()), table.to_string()))
        }
        [table] => Ok((None, table.clone())),
        [database, table] => Ok((Some(database.clone()), table.clone())),
        _ => Err(Error::InvalidArgument(format!("a table is named `database`.`table`, not {name}"))),
    }
}

fn convert(statement: Statement, default_database: &str) -> Result<DdlStatement> {
    match statement {
        Statement::CreateDatabase { db_name, if_not_exists, location, .. } => Ok(DdlStatement::CreateDatabase {
            name: db_name.to_string().trim_matches('`').to_lowercase(),
            if_not_exists,
            location,
        }),
        Statement::CreateSchema { schema_name, if_not_exists, .. } => Ok(DdlStatement::CreateDatabase {
            name: schema_name.to_string().trim_matches('`').to_lowercase(),
            if_not_exists,
            location: None,
        }),
        Statement::CreateTable(create) => {
            if create.query.is_some() {
                return Err(Error::Unsupported("CREATE TABLE AS SELECT is not supported by glueless".into()));
            }
            let (database, name) = split_name(&create.name)?;
            let hive = create.hive_formats.unwrap_or_default();
            let location = hive.location.or(create.location).ok_or_else(|| {
                Error::InvalidArgument(format!("table {name} has no LOCATION (the catalog needs where its files are)"))
            })?;
            let partition_keys = match create.hive_distribution {
                HiveDistributionStyle::PARTITIONED { columns } => columns.iter().map(column).collect(),
                _ => Vec::new(),
            };
            let mut parameters: BTreeMap<String, String> = match create.table_options {
                CreateTableOptions::TableProperties(options) | CreateTableOptions::With(options) => {
                    properties(&options)
                }
                _ => BTreeMap::new(),
            };
            let serde_library = match hive.row_format {
                Some(HiveRowFormat::SERDE { class }) => Some(class),
                Some(HiveRowFormat::DELIMITED { .. }) => Some(FileFormat::Csv.hive_serde().into()),
                None => None,
            };
            let (input_format, output_format, stored_as) = match hive.storage {
                Some(HiveIOFormat::IOF { input_format, output_format }) => {
                    (Some(literal(&input_format)), Some(literal(&output_format)), None)
                }
                Some(HiveIOFormat::FileFormat { format }) => (None, None, Some(format.to_string().to_lowercase())),
                _ => (None, None, None),
            };
            let classification = parameters.get("classification").cloned().or_else(|| {
                classify(stored_as.as_deref(), serde_library.as_deref(), input_format.as_deref()).map(str::to_string)
            });
            if let Some(classification) = &classification {
                parameters.entry("classification".into()).or_insert_with(|| classification.clone());
            }
            let table = CatalogTable {
                name,
                database_name: database.unwrap_or_else(|| default_database.to_lowercase()),
                table_type: if create.external { "EXTERNAL_TABLE".into() } else { "MANAGED_TABLE".into() },
                parameters,
                partition_keys,
                storage_descriptor: StorageDescriptor {
                    columns: create.columns.iter().map(column).collect(),
                    location,
                    input_format: input_format.or_else(|| default_input_format(classification.as_deref())),
                    output_format: output_format.or_else(|| default_output_format(classification.as_deref())),
                    serde_info: SerdeInfo {
                        serialization_library: serde_library.or_else(|| default_serde(classification.as_deref())),
                        parameters: hive.serde_properties.as_deref().map(properties).unwrap_or_default(),
                    },
                },
            };
            Ok(DdlStatement::CreateTable { table: Box::new(table), if_not_exists: create.if_not_exists })
        }
        Statement::Drop { object_type, if_exists, names, cascade, .. } => {
            let name = names.first().ok_or_else(|| Error::InvalidArgument("DROP without a name".into()))?;
            match object_type {
                ObjectType::Table => {
                    let (database, name) = split_name(name)?;
                    Ok(DdlStatement::DropTable { database, name, if_exists })
                }
                ObjectType::Database | ObjectType::Schema => Ok(DdlStatement::DropDatabase {
                    name: name.to_string().trim_matches('`').to_lowercase(),
                    if_exists,
                    cascade,
                }),
                other => Err(Error::Unsupported(format!("DROP {other} is not supported by glueless"))),
            }
        }
        _ => Err(Error::Unsupported(
            "only CREATE DATABASE, CREATE EXTERNAL TABLE, DROP TABLE and DROP DATABASE are catalog DDL; \
             not supported by glueless"
                .into(),
        )),
    }
}

fn column(def: &ColumnDef) -> CatalogColumn {
    let comment = def.options.iter().find_map(|o| match &o.option {
        ColumnOption::Comment(text) => Some(text.clone()),
        _ => None,
    });
    CatalogColumn {
        name: def.name.value.to_lowercase(),
        data_type: def.data_type.to_string().to_lowercase().replace(' ', ""),
        comment,
    }
}

fn literal(expr: &Expr) -> String {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

fn properties(options: &[SqlOption]) -> BTreeMap<String, String> {
    options
        .iter()
        .filter_map(|o| match o {
            SqlOption::KeyValue { key, value } => Some((key.value.clone(), literal(value))),
            _ => None,
        })
        .collect()
}

/// Glue's `classification` from what the DDL says about the files.
fn classify(stored_as: Option<&str>, serde: Option<&str>, input_format: Option<&str>) -> Option<&'static str> {
    let text =
        [stored_as, serde, input_format].iter().flatten().map(|s| s.to_lowercase()).collect::<Vec<_>>().join(" ");
    // Hive's text tables (LazySimpleSerDe, STORED AS TEXTFILE) are delimited text: CSV to Glue.
    let csv_words = ["lazysimpleserde", "textfile"];
    let read = [FileFormat::Parquet, FileFormat::Json, FileFormat::Csv]
        .into_iter()
        .find(|f| text.contains(f.name()) || (*f == FileFormat::Csv && csv_words.iter().any(|w| text.contains(w))));
    read.map(FileFormat::name).or_else(|| UNREAD_FORMATS.into_iter().find(|f| text.contains(f)))
}

/// The input format Glue records for a classification (as its crawlers and sinks do).
#[must_use]
pub(crate) fn default_input_format(classification: Option<&str>) -> Option<String> {
    Some(FileFormat::named(classification?)?.hive_input_format().to_string())
}

/// The output format Glue records for a classification.
#[must_use]
pub(crate) fn default_output_format(classification: Option<&str>) -> Option<String> {
    Some(FileFormat::named(classification?)?.hive_output_format().to_string())
}

/// The SerDe Glue records for a classification.
#[must_use]
pub(crate) fn default_serde(classification: Option<&str>) -> Option<String> {
    Some(FileFormat::named(classification?)?.hive_serde().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATHENA: &str = "CREATE EXTERNAL TABLE `customer_landing`(
  `customername` string COMMENT 'from deserializer',
  `sharewithresearchasofdate` bigint COMMENT 'from deserializer')
ROW FORMAT SERDE
  'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT
  'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT
  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION
  's3://bucket/customer/landing/'
TBLPROPERTIES (
  'classification'='json')";

    #[test]
    fn athena_show_create_table_output() {
        let statements = parse(ATHENA, "stedi").unwrap();
        let [DdlStatement::CreateTable { table, if_not_exists: false }] = statements.as_slice() else {
            panic!("{statements:?}")
        };
        assert_eq!(table.database_name, "stedi");
        assert_eq!(table.name, "customer_landing");
        assert_eq!(table.storage_descriptor.location, "s3://bucket/customer/landing/");
        assert_eq!(table.storage_descriptor.columns[1].name, "sharewithresearchasofdate");
        assert_eq!(table.storage_descriptor.columns[1].data_type, "bigint");
        assert_eq!(table.storage_descriptor.columns[0].comment.as_deref(), Some("from deserializer"));
        assert_eq!(table.parameters["classification"], "json");
        assert_eq!(
            table.storage_descriptor.serde_info.serialization_library.as_deref(),
            Some(FileFormat::Json.hive_serde())
        );
    }

    #[test]
    fn several_statements_and_drops() {
        let sql = "CREATE DATABASE IF NOT EXISTS Stedi;\n-- a comment; with a semicolon\n\
                   CREATE EXTERNAL TABLE IF NOT EXISTS `stedi`.`Step_Trainer_Landing` (sensorReadingTime BIGINT, \
                   serialNumber STRING) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' \
                   WITH SERDEPROPERTIES ('ignore.malformed.json' = 'TRUE') LOCATION 's3://b/step_trainer/landing/' \
                   TBLPROPERTIES ('classification' = 'json');\nDROP TABLE IF EXISTS stedi.old;";
        let statements = parse(sql, "default").unwrap();
        assert_eq!(statements.len(), 3);
        assert!(
            matches!(&statements[0], DdlStatement::CreateDatabase { name, if_not_exists: true, .. } if name == "stedi")
        );
        let DdlStatement::CreateTable { table, if_not_exists: true } = &statements[1] else { panic!() };
        assert_eq!(table.name, "step_trainer_landing");
        assert_eq!(table.storage_descriptor.columns[0].name, "sensorreadingtime");
        assert_eq!(table.storage_descriptor.serde_info.parameters["ignore.malformed.json"], "TRUE");
        assert!(matches!(&statements[2], DdlStatement::DropTable { name, if_exists: true, .. } if name == "old"));
    }

    #[test]
    fn bad_ddl_names_the_statement_and_position() {
        let err = parse("CREATE DATABASE a;\nCREATE EXTERNAL TABLE t (x BIGINT LOCATION 's3://b/'", "d").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("statement 2 does not parse"), "{text}");
        assert!(text.contains("Line: 2"), "{text}");
        let err = parse("CREATE EXTERNAL TABLE t (x BIGINT)", "d").unwrap_err().to_string();
        assert!(err.contains("no LOCATION"), "{err}");
        // The statement is named once.
        let err = parse("CREATE VIEW v AS SELECT 1", "d").unwrap_err().to_string();
        assert_eq!(err.matches("CREATE VIEW").count(), 1, "{err}");
    }

    #[test]
    fn queries_in_a_ddl_file_are_skipped_and_use_names_the_database() {
        let sql = "USE stedi;\nCREATE EXTERNAL TABLE IF NOT EXISTS customer_landing (email string) \
                   LOCATION 's3://b/customer/landing/';\n\
                   -- what the author ran in Athena\n\
                   SELECT * FROM stedi.customer_landing WHERE email IS NOT NULL;\n\
                   (select count(*) from \"customer_landing\");\nMSCK REPAIR TABLE customer_landing";
        let statements = parse(sql, "default").unwrap();
        let [DdlStatement::CreateTable { table, .. }, DdlStatement::Skipped { number: 3, statement }, DdlStatement::Skipped { number: 4, .. }, DdlStatement::Skipped { number: 5, .. }] =
            statements.as_slice()
        else {
            panic!("{statements:?}")
        };
        assert_eq!(table.database_name, "stedi");
        assert_eq!(statement, "SELECT * FROM stedi.customer_landing WHERE email IS NOT NULL");
        // Text that is no SQL (a DDL file saved as RTF) is an error, not a skipped statement.
        let err = parse("{\\rtf1\\ansi \\f0 CREATE EXTERNAL TABLE t (a string) LOCATION 's3://b/t/'", "d").unwrap_err();
        assert!(err.to_string().starts_with("statement 1 does not parse"), "{err}");
    }

    #[test]
    fn one_pair_of_backticks_around_database_and_table() {
        let sql = "CREATE EXTERNAL TABLE `stedi.step_trainer_landing`(`serialnumber` string) LOCATION 's3://b/s/'";
        let statements = parse(sql, "default").unwrap();
        let [DdlStatement::CreateTable { table, .. }] = statements.as_slice() else { panic!("{statements:?}") };
        assert_eq!((table.database_name.as_str(), table.name.as_str()), ("stedi", "step_trainer_landing"));
    }
}
