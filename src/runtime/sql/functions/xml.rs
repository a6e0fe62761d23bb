//! Spark's XPath functions over XML text, evaluated as XPath 1.0 (what Java's `javax.xml.xpath`
//! evaluates for Spark): `xpath(xml, path)`, the node values of the matched nodes (NULL for an
//! element, as Java's `getNodeValue`); `xpath_string` the string value, `xpath_boolean` the
//! boolean, `xpath_double` / `xpath_number` / `xpath_float` the number, `xpath_int` /
//! `xpath_long` / `xpath_short` the number cast as Java casts a double (NaN is 0, out of range
//! saturates). XML that does not parse is an error, as in Spark.

use std::sync::Arc;

use arrow_schema::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use sxd_xpath::nodeset::Node;
use sxd_xpath::Value;

use super::row::{text, RowContext, RowFunction};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    let inputs = || vec![DataType::Utf8, DataType::Utf8];
    let strings = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
    vec![
        RowFunction::udf("xpath", inputs(), 2, strings, |a, c| evaluated(a, c, node_values)),
        RowFunction::udf("xpath_string", inputs(), 2, DataType::Utf8, |a, c| {
            evaluated(a, c, |v| ScalarValue::Utf8(Some(v.string())))
        }),
        RowFunction::udf("xpath_boolean", inputs(), 2, DataType::Boolean, |a, c| {
            evaluated(a, c, |v| ScalarValue::Boolean(Some(v.boolean())))
        }),
        RowFunction::udf("xpath_double", inputs(), 2, DataType::Float64, |a, c| {
            evaluated(a, c, |v| ScalarValue::Float64(Some(v.number())))
        }),
        RowFunction::udf("xpath_number", inputs(), 2, DataType::Float64, |a, c| {
            evaluated(a, c, |v| ScalarValue::Float64(Some(v.number())))
        }),
        #[allow(clippy::cast_possible_truncation)] // Java's (float) of a double
        RowFunction::udf("xpath_float", inputs(), 2, DataType::Float32, |a, c| {
            evaluated(a, c, |v| ScalarValue::Float32(Some(v.number() as f32)))
        }),
        #[allow(clippy::cast_possible_truncation)] // Java's (int) of a double: saturating, NaN 0
        RowFunction::udf("xpath_int", inputs(), 2, DataType::Int32, |a, c| {
            evaluated(a, c, |v| ScalarValue::Int32(Some(v.number() as i32)))
        }),
        #[allow(clippy::cast_possible_truncation)]
        RowFunction::udf("xpath_long", inputs(), 2, DataType::Int64, |a, c| {
            evaluated(a, c, |v| ScalarValue::Int64(Some(v.number() as i64)))
        }),
        // Spark reads the number as an int, then narrows it to a short.
        #[allow(clippy::cast_possible_truncation)]
        RowFunction::udf("xpath_short", inputs(), 2, DataType::Int16, |a, c| {
            evaluated(a, c, |v| ScalarValue::Int16(Some(v.number() as i32 as i16)))
        }),
    ]
}

/// `path` evaluated over the document `xml`, read by `read`.
fn evaluated(args: &[ScalarValue], _: RowContext, read: fn(&Value) -> ScalarValue) -> Result<ScalarValue> {
    let (xml, path) = (text(&args[0]), text(&args[1]));
    let package = sxd_document::parser::parse(xml)
        .map_err(|e| DataFusionError::Execution(format!("[INVALID_XML] Invalid XML {xml:?}: {e:?}")))?;
    let document = package.as_document();
    let value = sxd_xpath::evaluate_xpath(&document, path)
        .map_err(|e| DataFusionError::Execution(format!("[INVALID_XPATH] Invalid XPath {path:?}: {e}")))?;
    Ok(read(&value))
}

/// `xpath`'s array: each matched node's value (NULL for elements and the root).
fn node_values(value: &Value) -> ScalarValue {
    let values: Vec<ScalarValue> = match value {
        Value::Nodeset(nodes) => nodes
            .document_order()
            .into_iter()
            .map(|node| {
                ScalarValue::Utf8(match node {
                    Node::Text(_) | Node::Attribute(_) | Node::Comment(_) | Node::ProcessingInstruction(_) => {
                        Some(node.string_value())
                    }
                    _ => None,
                })
            })
            .collect(),
        other => vec![ScalarValue::Utf8(Some(other.string()))],
    };
    ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8))
}
