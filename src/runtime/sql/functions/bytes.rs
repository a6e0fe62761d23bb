//! Spark's string functions that also take bytes: `lpad` / `rpad` (padding with `X'00'` by
//! default) and `contains` / `startswith` / `endswith` on binary values; with text they are the
//! functions already registered, other values (numbers, booleans) read as text as Spark casts them.

use std::sync::Arc;

use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature};

/// The operation on bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bytes {
    PadLeft,
    PadRight,
    Contains,
    StartsWith,
    EndsWith,
}

/// The registered functions (by name), each wrapped to take bytes too.
pub(crate) fn functions(registry: &dyn FunctionRegistry) -> Vec<Arc<ScalarUDF>> {
    let wrap = [
        ("lpad", Bytes::PadLeft),
        ("rpad", Bytes::PadRight),
        ("contains", Bytes::Contains),
        ("startswith", Bytes::StartsWith),
        ("endswith", Bytes::EndsWith),
    ];
    wrap.iter()
        .filter_map(|(name, op)| {
            let inner = registry.udf(name).ok()?;
            let signature = Signature::user_defined(inner.signature().volatility);
            Some(Arc::new(ScalarUDF::new_from_impl(BinaryAware { name, inner, op: *op, signature })))
        })
        .collect()
}

#[derive(Debug)]
struct BinaryAware {
    name: &'static str,
    inner: Arc<ScalarUDF>,
    op: Bytes,
    signature: Signature,
}

same_by_name!(BinaryAware);

fn binary(t: &DataType) -> bool {
    matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
}

impl BinaryAware {
    fn padding(&self) -> bool {
        matches!(self.op, Bytes::PadLeft | Bytes::PadRight)
    }

    /// Bytes in, bytes out: the value is binary and so is the pad (or there is none); a text pad
    /// makes the call text, as in Spark.
    fn on_binary(&self, arg_types: &[DataType]) -> bool {
        arg_types.first().is_some_and(binary)
            && (!self.padding() || arg_types.get(2).is_none_or(|t| binary(t) || *t == DataType::Null))
    }
}

impl ScalarUDFImpl for BinaryAware {
    fn name(&self) -> &str {
        self.name
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if self.on_binary(arg_types) {
            return Ok(if self.padding() { DataType::Binary } else { DataType::Boolean });
        }
        self.inner.return_type(arg_types)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if self.on_binary(arg_types) {
            let targets = if self.padding() {
                vec![DataType::Binary, DataType::Int32, DataType::Binary]
            } else {
                vec![DataType::Binary, DataType::Binary]
            };
            return Ok(targets.into_iter().take(arg_types.len()).collect());
        }
        // Spark reads numbers and booleans as text here; the length of a pad stays a number.
        let fields: Vec<FieldRef> = arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let text = !(self.padding() && i == 1) && (t.is_numeric() || *t == DataType::Boolean || binary(t));
                Arc::new(Field::new("arg", if text { DataType::Utf8 } else { t.clone() }, true))
            })
            .collect();
        Ok(fields_with_udf(&fields, self.inner.as_ref())?.iter().map(|f| f.data_type().clone()).collect())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let types: Vec<DataType> = args.arg_fields.iter().map(|f| f.data_type().clone()).collect();
        if !self.on_binary(&types) {
            return self.inner.invoke_with_args(args);
        }
        super::row::each_row(&args, |row| Ok(self.on_bytes(row)))
    }
}

fn bytes(value: &ScalarValue) -> Option<&[u8]> {
    match value {
        ScalarValue::Binary(Some(b)) | ScalarValue::LargeBinary(Some(b)) | ScalarValue::BinaryView(Some(b)) => Some(b),
        _ => None,
    }
}

impl BinaryAware {
    fn on_bytes(&self, args: &[ScalarValue]) -> ScalarValue {
        let Some(input) = bytes(&args[0]) else {
            return if self.padding() { ScalarValue::Binary(None) } else { ScalarValue::Boolean(None) };
        };
        if self.padding() {
            let length = match args.get(1) {
                Some(ScalarValue::Int32(Some(n))) => usize::try_from(*n).unwrap_or(0),
                _ => return ScalarValue::Binary(None),
            };
            let pad = match args.get(2) {
                Some(value) => match bytes(value) {
                    Some(pad) => pad.to_vec(),
                    None => return ScalarValue::Binary(None),
                },
                None => vec![0],
            };
            return ScalarValue::Binary(Some(pad_bytes(input, length, &pad, self.op == Bytes::PadLeft)));
        }
        let Some(other) = args.get(1).and_then(bytes) else { return ScalarValue::Boolean(None) };
        ScalarValue::Boolean(Some(match self.op {
            Bytes::StartsWith => input.starts_with(other),
            Bytes::EndsWith => input.ends_with(other),
            _ => other.is_empty() || input.windows(other.len()).any(|w| w == other),
        }))
    }
}

/// `input` cut or padded to `length` bytes with `pad` repeated, on the left or the right.
fn pad_bytes(input: &[u8], length: usize, pad: &[u8], left: bool) -> Vec<u8> {
    if length <= input.len() {
        return input[..length].to_vec();
    }
    if pad.is_empty() {
        return input.to_vec();
    }
    let filler: Vec<u8> = pad.iter().copied().cycle().take(length - input.len()).collect();
    if left {
        [filler, input.to_vec()].concat()
    } else {
        [input.to_vec(), filler].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_bytes_as_spark() {
        assert_eq!(pad_bytes(&[0xaa], 5, &[0x1f, 0x2e], true), vec![0x1f, 0x2e, 0x1f, 0x2e, 0xaa]);
        assert_eq!(pad_bytes(&[0xaa, 0xbb, 0xcc], 2, &[0xff], false), vec![0xaa, 0xbb]);
        assert_eq!(pad_bytes(&[], 2, &[0], true), vec![0, 0]);
        assert_eq!(pad_bytes(&[0xaa], 3, &[], true), vec![0xaa]);
    }
}
