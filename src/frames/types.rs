//! Type names as Spark, Glue and Athena spell them, and the lenient cast Glue and non-ANSI Spark use.

use arrow_schema::{DataType, TimeUnit};
use datafusion::logical_expr::{Expr, TryCast};

use crate::error::{Error, Result};

/// The Arrow type of a Glue / Spark / Hive type name (`string`, `long`/`bigint`, `int`/`integer`,
/// `double`, `float`, `boolean`, `timestamp`, `date`, `short`, `byte`, `decimal(p,s)`, `binary`).
///
/// # Errors
/// [`Error::InvalidArgument`] for any other name.
pub fn glue_type(name: &str) -> Result<DataType> {
    let lower = name.trim().to_lowercase();
    Ok(match lower.as_str() {
        "string" | "varchar" | "char" => DataType::Utf8,
        "long" | "bigint" => DataType::Int64,
        "int" | "integer" => DataType::Int32,
        "short" | "smallint" => DataType::Int16,
        "byte" | "tinyint" => DataType::Int8,
        "double" => DataType::Float64,
        "float" | "real" => DataType::Float32,
        "boolean" | "bool" => DataType::Boolean,
        "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        "date" => DataType::Date32,
        "binary" => DataType::Binary,
        "decimal" => DataType::Decimal128(10, 0),
        other => {
            if let Some(args) = other.strip_prefix("decimal(").and_then(|r| r.strip_suffix(')')) {
                let (p, s) = args.split_once(',').unwrap_or((args, "0"));
                if let (Ok(p), Ok(s)) = (p.trim().parse::<u8>(), s.trim().parse::<i8>()) {
                    return Ok(DataType::Decimal128(p, s));
                }
            }
            if let Some(inner) = other.strip_prefix("varchar(").or_else(|| other.strip_prefix("char(")) {
                if inner.ends_with(')') {
                    return Ok(DataType::Utf8);
                }
            }
            return Err(Error::InvalidArgument(format!("unknown type '{name}'")));
        }
    })
}

/// A cast that yields null for a value that does not convert (Glue's ApplyMapping, Spark's
/// non-ANSI CAST).
#[must_use]
pub fn lenient_cast(expr: Expr, to: &DataType) -> Expr {
    Expr::TryCast(TryCast::new(Box::new(expr), to.clone()))
}

/// Spark's simple name of a type (`string`, `bigint`, `array<string>`), as `printSchema` and
/// `dtypes` show it.
#[must_use]
pub fn spark_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Int32 | DataType::UInt16 => "int".into(),
        DataType::Int16 | DataType::UInt8 => "smallint".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Float64 => "double".into(),
        DataType::Float32 | DataType::Float16 => "float".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp".into(),
        DataType::Timestamp(_, None) => "timestamp_ntz".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "binary".into(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Null => "void".into(),
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) => {
            format!("array<{}>", spark_name(f.data_type()))
        }
        DataType::Struct(fields) => {
            let inner: Vec<String> =
                fields.iter().map(|f| format!("{}:{}", f.name(), spark_name(f.data_type()))).collect();
            format!("struct<{}>", inner.join(","))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("map<{},{}>", spark_name(kv[0].data_type()), spark_name(kv[1].data_type()))
            }
            other => spark_name(other),
        },
        other => other.to_string().to_lowercase(),
    }
}

/// Glue's name of a type, as `DynamicFrame.printSchema` shows it (`long`, `int`, `string`).
#[must_use]
pub fn glue_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "long".into(),
        DataType::Int16 | DataType::UInt8 => "short".into(),
        DataType::Int8 => "byte".into(),
        DataType::Null => "null".into(),
        DataType::Timestamp(..) => "timestamp".into(),
        DataType::List(f) | DataType::LargeList(f) => format!("array<{}>", glue_name(f.data_type())),
        other => spark_name(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in ["string", "bigint", "int", "double", "boolean", "date", "decimal(10,2)"] {
            assert_eq!(spark_name(&glue_type(name).unwrap()), name);
        }
        assert_eq!(glue_type("LONG").unwrap(), DataType::Int64);
        assert_eq!(glue_name(&DataType::Int64), "long");
        assert!(glue_type("choice").is_err());
    }
}
