//! The vocabulary of column types, spelled once: each Arrow type glueless holds and its names in
//! the dialects users meet — Spark's simple strings (`bigint`, as `dtypes` and `simpleString`
//! give them), Spark's DDL (`BIGINT`), Spark's `printSchema` tree (`long`), PySpark's type classes
//! (`LongType`), Glue's DynamicFrame schema (`long`), Hive / Athena DDL (`bigint`) and Trino
//! (Athena's engine: `integer`, `real`, `varchar`). Every other place in Rust and Python asks this
//! module (Python through `glueless._glueless.TYPE_NAMES` and `type_name`).

use std::borrow::Cow;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, TimeUnit};

use crate::error::{Error, Result};

/// Where a type name is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Spark's simple string: `bigint`, `array<string>`, `struct<a:int>` (`dtypes`, `simpleString`).
    Spark,
    /// Spark's DDL, as `spark.readStream.schema("a BIGINT")` takes it: keywords in upper case.
    SparkDdl,
    /// Spark's `printSchema` tree: `long`, `integer`, `array`, `struct`.
    SparkTree,
    /// Glue's DynamicFrame schema (`printSchema`, ApplyMapping): `long`, `int`, `short`.
    Glue,
    /// Hive DDL as the Data Catalog and Athena store it: `bigint`, `int`, `timestamp`.
    Hive,
    /// Trino's names, as Athena's engine prints result columns: `integer`, `real`, `varchar`.
    Trino,
}

impl Dialect {
    /// Every dialect, in the order of [`Dialect::name`]'s words.
    pub(crate) const ALL: [Dialect; 6] =
        [Dialect::Spark, Dialect::SparkDdl, Dialect::SparkTree, Dialect::Glue, Dialect::Hive, Dialect::Trino];

    /// The dialect's own name, as Python passes it (`"spark"`, `"spark_ddl"`, …).
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Dialect::Spark => "spark",
            Dialect::SparkDdl => "spark_ddl",
            Dialect::SparkTree => "spark_tree",
            Dialect::Glue => "glue",
            Dialect::Hive => "hive",
            Dialect::Trino => "trino",
        }
    }

    /// The dialect named `name`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a name no dialect has.
    pub(crate) fn named(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|d| d.name()).collect();
            Error::InvalidArgument(format!("unknown type dialect '{name}' (one of {})", known.join(", ")))
        })
    }
}

/// One simple (non-parametric) type and its name in every dialect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SimpleType {
    /// How Arrow holds it: timestamps in microseconds (Spark's unit), with a zone for Spark's
    /// `timestamp` (instants) and without for `timestamp_ntz`.
    arrow: fn() -> DataType,
    /// PySpark's class in `pyspark.sql.types`.
    pub(crate) spark_class: &'static str,
    /// Spark's simple string (lower case); [`Dialect::SparkDdl`] is its upper case.
    pub(crate) spark: &'static str,
    /// Spark's `printSchema` word.
    pub(crate) spark_tree: &'static str,
    pub(crate) glue: &'static str,
    pub(crate) hive: &'static str,
    pub(crate) trino: &'static str,
    /// Further names that mean this type when read (`long`, `integer`, `varchar`, `real`, …).
    pub(crate) aliases: &'static [&'static str],
    /// Counts as a number in comparisons (Glue's Filter compares numbers, not text).
    pub(crate) numeric: bool,
}

macro_rules! simple {
    ($arrow:expr, $class:literal, $spark:literal, $tree:literal, $glue:literal, $hive:literal, $trino:literal, [$($alias:literal),*], $numeric:literal) => {
        SimpleType { arrow: || $arrow, spark_class: $class, spark: $spark, spark_tree: $tree, glue: $glue, hive: $hive, trino: $trino, aliases: &[$($alias),*], numeric: $numeric }
    };
}

/// The key of an Arrow field's metadata that holds the column's Spark metadata (a JSON object,
/// `StructField.metadata`).
pub(crate) const SPARK_METADATA_KEY: &str = "spark.metadata";

/// The names of decimals (`DECIMAL(p,s)`; Spark's DDL also reads `DEC` and `NUMERIC`).
pub(crate) const DECIMAL_NAMES: [&str; 3] = ["decimal", "dec", "numeric"];

/// The simple types, in `pyspark.sql.types`' order. Decimals, arrays, structs and maps are named
/// by [`type_name`] from their parts.
pub(crate) const SIMPLE_TYPES: [SimpleType; 13] = [
    simple!(
        DataType::Utf8,
        "StringType",
        "string",
        "string",
        "string",
        "string",
        "varchar",
        ["varchar", "char"],
        false
    ),
    simple!(DataType::Int64, "LongType", "bigint", "long", "long", "bigint", "bigint", ["long"], true),
    simple!(DataType::Int32, "IntegerType", "int", "integer", "int", "int", "integer", ["integer"], true),
    simple!(DataType::Int16, "ShortType", "smallint", "short", "short", "smallint", "smallint", ["short"], true),
    simple!(DataType::Int8, "ByteType", "tinyint", "byte", "byte", "tinyint", "tinyint", ["byte"], true),
    simple!(DataType::Float64, "DoubleType", "double", "double", "double", "double", "double", [], true),
    simple!(DataType::Float32, "FloatType", "float", "float", "float", "float", "real", ["real"], true),
    simple!(DataType::Boolean, "BooleanType", "boolean", "boolean", "boolean", "boolean", "boolean", ["bool"], false),
    simple!(
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        "TimestampType",
        "timestamp",
        "timestamp",
        "timestamp",
        "timestamp",
        "timestamp(3)",
        ["timestamp_ltz"],
        false
    ),
    simple!(
        DataType::Timestamp(TimeUnit::Microsecond, None),
        "TimestampNTZType",
        "timestamp_ntz",
        "timestamp_ntz",
        "timestamp",
        "timestamp",
        "timestamp(3)",
        [],
        false
    ),
    simple!(DataType::Date32, "DateType", "date", "date", "date", "date", "date", [], false),
    simple!(DataType::Binary, "BinaryType", "binary", "binary", "binary", "binary", "varbinary", [], false),
    simple!(DataType::Null, "NullType", "void", "void", "null", "string", "unknown", [], false),
];

// One row per type: its PySpark class names it.
impl PartialEq for SimpleType {
    fn eq(&self, other: &Self) -> bool {
        self.spark_class == other.spark_class
    }
}

impl Eq for SimpleType {}

impl SimpleType {
    /// How Arrow holds it.
    #[must_use]
    pub(crate) fn arrow(&self) -> DataType {
        (self.arrow)()
    }

    /// Whether a JSON scalar reads back as this type (JSON's string, integer, float and boolean):
    /// values of the other types come back from JSON text only by a cast.
    #[must_use]
    pub(crate) fn json_native(&self) -> bool {
        matches!(self.arrow(), DataType::Utf8 | DataType::Int64 | DataType::Float64 | DataType::Boolean)
    }

    /// Its name in `dialect`.
    #[must_use]
    pub(crate) fn name(&self, dialect: Dialect) -> Cow<'static, str> {
        Cow::Borrowed(match dialect {
            // Spark's DDL keywords are its simple strings in upper case.
            Dialect::SparkDdl => return Cow::Owned(self.spark.to_ascii_uppercase()),
            Dialect::Spark => self.spark,
            Dialect::SparkTree => self.spark_tree,
            Dialect::Glue => self.glue,
            Dialect::Hive => self.hive,
            Dialect::Trino => self.trino,
        })
    }
}

/// The simple type Arrow's `data_type` is, reading the unsigned and large/view variants as the
/// Spark type that holds their values.
#[must_use]
pub(crate) fn simple_type(data_type: &DataType) -> Option<&'static SimpleType> {
    let held = match data_type {
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::UInt32 | DataType::UInt64 => DataType::Int64,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt8 => DataType::Int16,
        DataType::Float16 => DataType::Float32,
        DataType::Date64 => DataType::Date32,
        DataType::LargeBinary | DataType::BinaryView => DataType::Binary,
        // Any unit: Spark's timestamps are microseconds, instants when zoned.
        DataType::Timestamp(_, zone) => DataType::Timestamp(TimeUnit::Microsecond, zone.as_ref().map(|_| "UTC".into())),
        other => other.clone(),
    };
    SIMPLE_TYPES.iter().find(|t| t.arrow() == held)
}

/// The simple type one of whose names (any dialect, any case) is `name`.
#[must_use]
pub(crate) fn simple_named(name: &str) -> Option<&'static SimpleType> {
    let lower = name.trim().to_ascii_lowercase();
    SIMPLE_TYPES
        .iter()
        .find(|t| t.spark == lower || t.spark_tree == lower || t.hive == lower || t.aliases.contains(&lower.as_str()))
}

/// The name of `data_type` in `dialect`; nested types are named from their parts as the dialect
/// writes them (`array<string>`, `ARRAY<STRING>`, `struct<a:int>`, `map<string,bigint>`,
/// `array(varchar)` and `row(a integer)` in Trino).
///
/// # Errors
/// [`Error::Unsupported`] for an Arrow type no dialect has a name for (durations, unions, …).
pub(crate) fn type_name(data_type: &DataType, dialect: Dialect) -> Result<String> {
    if let Some(simple) = simple_type(data_type) {
        return Ok(simple.name(dialect).into_owned());
    }
    let upper = dialect == Dialect::SparkDdl;
    // Glue names a nested type's parts as Spark does (`struct<a:bigint>`); only its top level differs.
    let dialect = if dialect == Dialect::Glue && !matches!(data_type, DataType::List(_) | DataType::LargeList(_)) {
        Dialect::Spark
    } else {
        dialect
    };
    let word = |lower: &str| if upper { lower.to_ascii_uppercase() } else { lower.to_string() };
    Ok(match data_type {
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => format!("{}({p},{s})", word("decimal")),
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) | DataType::FixedSizeList(f, _) => {
            let element = type_name(f.data_type(), dialect)?;
            match dialect {
                Dialect::SparkTree => "array".to_string(),
                Dialect::Trino => format!("array({element})"),
                _ => format!("{}<{element}>", word("array")),
            }
        }
        DataType::Struct(fields) => {
            let mut parts = Vec::with_capacity(fields.len());
            for f in fields {
                let inner = type_name(f.data_type(), dialect)?;
                parts.push(match dialect {
                    Dialect::Trino => format!("{} {inner}", f.name()),
                    _ => format!("{}:{inner}", f.name()),
                });
            }
            match dialect {
                Dialect::SparkTree => "struct".to_string(),
                Dialect::Trino => format!("row({})", parts.join(", ")),
                _ => format!("{}<{}>", word("struct"), parts.join(",")),
            }
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                let (k, v) = (type_name(kv[0].data_type(), dialect)?, type_name(kv[1].data_type(), dialect)?);
                match dialect {
                    Dialect::SparkTree => "map".to_string(),
                    Dialect::Trino => format!("map({k}, {v})"),
                    _ => format!("{}<{k},{v}>", word("map")),
                }
            }
            other => type_name(other, dialect)?,
        },
        other => return Err(Error::Unsupported(format!("the Arrow type {other} has no {} name", dialect.name()))),
    })
}

/// Spark's SQL text of a type (`DataType.sql`), what `schema_of_json` answers:
/// `STRUCT<a: BIGINT, \`b c\`: ARRAY<STRING>>`, `MAP<STRING, INT>`.
///
/// # Errors
/// [`Error::Unsupported`] for an Arrow type Spark does not name.
pub(crate) fn spark_sql_name(data_type: &DataType) -> Result<String> {
    Ok(match data_type {
        DataType::List(f) | DataType::LargeList(f) => format!("ARRAY<{}>", spark_sql_name(f.data_type())?),
        DataType::Struct(fields) => {
            let parts = fields
                .iter()
                .map(|f| {
                    let plain = f.name().chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    let name = if plain { f.name().clone() } else { format!("`{}`", f.name().replace('`', "``")) };
                    Ok(format!("{name}: {}", spark_sql_name(f.data_type())?))
                })
                .collect::<Result<Vec<_>>>()?;
            format!("STRUCT<{}>", parts.join(", "))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("MAP<{}, {}>", spark_sql_name(kv[0].data_type())?, spark_sql_name(kv[1].data_type())?)
            }
            other => spark_sql_name(other)?,
        },
        other => type_name(other, Dialect::SparkDdl)?,
    })
}

/// [`type_name`], or Arrow's own lower-case name for what no dialect names (for display only:
/// `show()` and `dtypes` must not fail on an odd column).
#[must_use]
pub(crate) fn display_name(data_type: &DataType, dialect: Dialect) -> String {
    type_name(data_type, dialect).unwrap_or_else(|_| data_type.to_string().to_lowercase())
}

/// The Arrow type of a type name in any dialect (`long`, `BIGINT`, `integer`, `varchar(20)`,
/// `decimal(10,2)`, plain `decimal` being Spark's `decimal(10,0)`), and of Spark's simple strings
/// of nested types (`array<string>`, `map<string,bigint>`, `struct<a:int,b:array<double>>`).
///
/// # Errors
/// [`Error::InvalidArgument`] for any other name.
pub(crate) fn parse_type(name: &str) -> Result<DataType> {
    if let Some(nested) = parse_nested(name.trim())? {
        return Ok(nested);
    }
    if let Some(simple) = simple_named(name) {
        return Ok(simple.arrow());
    }
    let lower = name.trim().to_ascii_lowercase();
    if let Some(args) = DECIMAL_NAMES.iter().find_map(|d| lower.strip_prefix(d)).map(str::trim) {
        if args.is_empty() {
            return Ok(DataType::Decimal128(10, 0));
        }
        if let Some(args) = args.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            let (p, s) = args.split_once(',').unwrap_or((args, "0"));
            if let (Ok(p), Ok(s)) = (p.trim().parse::<u8>(), s.trim().parse::<i8>()) {
                return Ok(DataType::Decimal128(p, s));
            }
        }
    }
    if let Some(inner) = lower.strip_prefix("varchar(").or_else(|| lower.strip_prefix("char(")) {
        if inner.ends_with(')') {
            return Ok(DataType::Utf8);
        }
    }
    Err(Error::InvalidArgument(format!("unknown type '{name}'")))
}

/// `array<T>`, `map<K,V>` or `struct<name:T,…>` (any case), or `None` for another name.
fn parse_nested(name: &str) -> Result<Option<DataType>> {
    let Some((head, rest)) = name.split_once('<') else { return Ok(None) };
    let Some(inner) = rest.strip_suffix('>') else { return Ok(None) };
    let bad = || Error::InvalidArgument(format!("unknown type '{name}'"));
    let parts = split_top_level(inner);
    Ok(Some(match head.trim().to_ascii_lowercase().as_str() {
        "array" => {
            let [element] = parts.as_slice() else { return Err(bad()) };
            DataType::List(Arc::new(Field::new("element", parse_type(element)?, true)))
        }
        "map" => {
            let [key, value] = parts.as_slice() else { return Err(bad()) };
            let entries = Fields::from(vec![
                Field::new("key", parse_type(key)?, false),
                Field::new("value", parse_type(value)?, true),
            ]);
            DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
        }
        "struct" => {
            let mut fields = Vec::with_capacity(parts.len());
            for part in parts.iter().filter(|p| !p.trim().is_empty()) {
                let (field, type_text) = part.split_once(':').ok_or_else(bad)?;
                fields.push(Field::new(field.trim().trim_matches('`'), parse_type(type_text)?, true));
            }
            DataType::Struct(Fields::from(fields))
        }
        _ => return Ok(None),
    }))
}

/// `text` cut at the commas outside `<…>` and `(…)`.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simple_type_round_trips_through_arrow_and_each_of_its_names() {
        for t in &SIMPLE_TYPES {
            assert_eq!(simple_type(&t.arrow()), Some(t), "{}", t.spark);
            for dialect in [Dialect::Spark, Dialect::SparkDdl, Dialect::SparkTree, Dialect::Hive] {
                if t.spark == "timestamp_ntz" && dialect == Dialect::Hive || t.spark == "void" {
                    continue; // Hive has one timestamp; void is no Hive column type
                }
                assert_eq!(parse_type(&t.name(dialect)).unwrap(), t.arrow(), "{} in {dialect:?}", t.spark);
            }
            assert_eq!(t.name(Dialect::SparkDdl), t.spark.to_ascii_uppercase());
        }
    }

    #[test]
    fn names_in_each_dialect() {
        assert_eq!(type_name(&DataType::Int64, Dialect::Glue).unwrap(), "long");
        assert_eq!(type_name(&DataType::Int32, Dialect::SparkTree).unwrap(), "integer");
        assert_eq!(type_name(&DataType::Float32, Dialect::Trino).unwrap(), "real");
        assert_eq!(type_name(&DataType::Decimal128(10, 2), Dialect::SparkDdl).unwrap(), "DECIMAL(10,2)");
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
        assert_eq!(type_name(&list, Dialect::Spark).unwrap(), "array<string>");
        assert_eq!(type_name(&list, Dialect::Trino).unwrap(), "array(varchar)");
        let row = DataType::Struct(Fields::from(vec![Field::new("a", DataType::Int32, true)]));
        assert_eq!(type_name(&row, Dialect::Spark).unwrap(), "struct<a:int>");
        assert_eq!(type_name(&row, Dialect::Trino).unwrap(), "row(a integer)");
        assert!(type_name(&DataType::Duration(TimeUnit::Second), Dialect::Hive).is_err());
        assert_eq!(parse_type("LONG").unwrap(), DataType::Int64);
        assert_eq!(parse_type("decimal").unwrap(), DataType::Decimal128(10, 0));
        assert_eq!(parse_type("varchar(20)").unwrap(), DataType::Utf8);
        assert!(parse_type("choice").is_err());
        for nested in ["array<string>", "map<string,bigint>", "struct<a:int,b:array<decimal(10,2)>>"] {
            assert_eq!(type_name(&parse_type(nested).unwrap(), Dialect::Spark).unwrap(), nested);
        }
        assert_eq!(Dialect::named("spark_ddl").unwrap(), Dialect::SparkDdl);
    }
}
