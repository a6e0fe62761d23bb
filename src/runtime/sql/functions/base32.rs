//! Spark's `to_base32(bin)` / `from_base32(str)`: RFC 4648 base32, the upper-case alphabet with
//! `=` padding. Text that is not base32 is an error, as Spark's `unbase64` of bad text is.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::ScalarUDF;

use super::row::{bytes, text, RowContext, RowFunction};

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::udf("to_base32", vec![DataType::Binary], 1, DataType::Utf8, |args, _: RowContext| {
            Ok(ScalarValue::Utf8(Some(encode(&bytes(&args[0])))))
        }),
        RowFunction::udf("from_base32", vec![DataType::Utf8], 1, DataType::Binary, |args, _: RowContext| {
            let value = text(&args[0]);
            decode(value).map(|b| ScalarValue::Binary(Some(b))).ok_or_else(|| {
                DataFusionError::Execution(format!("[INVALID_PARAMETER_VALUE] from_base32: '{value}' is not base32"))
            })
        }),
    ]
}

/// Five bytes to eight characters; a last group is padded to eight with `=`.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for group in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..group.len()].copy_from_slice(group);
        let bits = buffer.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let characters = (group.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < characters {
                let index = usize::try_from((bits >> (35 - 5 * i)) & 31).unwrap_or(0);
                out.push(char::from(ALPHABET[index]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of base32 text (padding optional); None if it is not base32.
fn decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(digits.len() * 5 / 8);
    let (mut bits, mut count) = (0u64, 0u32);
    for c in digits.bytes() {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())?;
        bits = (bits << 5) | u64::try_from(value).ok()?;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xFF).ok()?);
        }
    }
    // Leftover bits are padding zeros; a group of 1, 3 or 6 characters is not base32.
    matches!(digits.len() % 8, 0 | 2 | 4 | 5 | 7).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(decode("M1"), None);
    }
}
