//! Spark's `to_binary(str[, fmt])`: text as bytes in the format `fmt` names, case-insensitively:
//! `hex` (the default; an odd number of digits gets a leading 0), `utf-8` / `utf8`, or `base64`
//! (whitespace ignored, padding checked). Text that is not of its format is an error, as in Spark;
//! a NULL format gives NULL.
//!
//! And `CAST(x AS BINARY)` ([`BINARY_CAST`]): an integer is its big-endian bytes at its own width
//! (`CAST(123S AS BINARY)` is `X'007B'`), text its UTF-8 bytes.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;

use super::row::{text, RowContext, RowFunction, ANY};

/// The internal name of Spark's `CAST(x AS BINARY)`.
pub(crate) const BINARY_CAST: &str = "__glueless_binary_cast";

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::udf(BINARY_CAST, vec![ANY], 1, DataType::Binary, binary_cast),
        RowFunction::udf("to_binary", vec![DataType::Utf8, DataType::Utf8], 1, DataType::Binary, to_binary),
        // NULL for text that is not in the format (a format that is not one is still an error).
        RowFunction::udf("try_to_binary", vec![DataType::Utf8, DataType::Utf8], 1, DataType::Binary, |a, c| {
            match to_binary(a, c) {
                Err(DataFusionError::Execution(_)) => Ok(ScalarValue::Binary(None)),
                other => other,
            }
        }),
    ]
}

fn binary_cast(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let bytes = match &args[0] {
        ScalarValue::Int8(Some(n)) => n.to_be_bytes().to_vec(),
        ScalarValue::Int16(Some(n)) => n.to_be_bytes().to_vec(),
        ScalarValue::Int32(Some(n)) => n.to_be_bytes().to_vec(),
        ScalarValue::Int64(Some(n)) => n.to_be_bytes().to_vec(),
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
            s.as_bytes().to_vec()
        }
        ScalarValue::Binary(Some(b)) | ScalarValue::LargeBinary(Some(b)) | ScalarValue::BinaryView(Some(b)) => {
            b.clone()
        }
        ScalarValue::FixedSizeBinary(_, Some(b)) => b.clone(),
        other if other.is_null() => return Ok(ScalarValue::Binary(None)),
        other => {
            return Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] cannot cast {} to BINARY",
                other.data_type()
            )))
        }
    };
    Ok(ScalarValue::Binary(Some(bytes)))
}

fn invalid(value: &str, format: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[CONVERSION_INVALID_INPUT] The value '{value}' cannot be converted to BINARY because it is malformed. Correct the value as per the syntax, or change its format {format:?}."
    ))
}

fn to_binary(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let value = text(&args[0]);
    let format = args.get(1).map_or("hex", text).to_ascii_lowercase();
    let bytes = match format.as_str() {
        "hex" => {
            let digits = if value.len() % 2 == 1 { format!("0{value}") } else { value.to_string() };
            (0..digits.len())
                .step_by(2)
                .map(|i| digits.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| invalid(value, "hex"))?
        }
        "utf-8" | "utf8" => value.as_bytes().to_vec(),
        "base64" => base64(value).ok_or_else(|| invalid(value, "base64"))?,
        other => {
            return Err(DataFusionError::Plan(format!(
                "[INVALID_PARAMETER_VALUE.BINARY_FORMAT] The value of parameter(s) `format` in `to_binary` is invalid: expects one of binary formats 'base64', 'hex', 'utf-8', but got '{other}'."
            )))
        }
    };
    Ok(ScalarValue::Binary(Some(bytes)))
}

/// Strict base64 (RFC 4648 alphabet, `=` padding to a multiple of four), whitespace ignored.
fn base64(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if symbols.len() % 4 == 1 {
        return None;
    }
    let padding = symbols.iter().rev().take_while(|&&b| b == b'=').count();
    // The padding is one run at the end (`= =` is not padding).
    if text.trim_end().bytes().rev().take_while(|&b| b == b'=').count() != padding {
        return None;
    }
    if padding > 2 || symbols[..symbols.len() - padding].contains(&b'=') {
        return None;
    }
    if padding > 0 && !symbols.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::new();
    let mut bits = 0u32;
    let mut count = 0;
    for &b in &symbols[..symbols.len() - padding] {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xFF).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_hex_as_spark() {
        assert_eq!(base64(" ab cd "), Some(vec![0x69, 0xb7, 0x1d]));
        assert_eq!(base64("ab c="), Some(vec![0x69, 0xb7]));
        assert_eq!(base64("a"), None);
        assert_eq!(base64("abcd="), None);
        assert_eq!(base64("ab==f"), None);
        assert_eq!(base64(" ab cdef= = "), None);
        let hex = |s: &str| {
            to_binary(
                &[ScalarValue::Utf8(Some(s.into()))],
                RowContext { zone: crate::core::text::datetime::SessionZone::utc() },
            )
        };
        assert_eq!(hex("123").unwrap(), ScalarValue::Binary(Some(vec![0x01, 0x23])));
        assert!(hex("GG").is_err());
    }
}
