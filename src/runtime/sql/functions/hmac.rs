//! Spark's `hmac(key, message[, algorithm])`: RFC 2104's keyed hash of the message's bytes, with
//! `SHA-256` by default; `SHA-1`, `SHA-224`, `SHA-384` and `SHA-512` too (another name is an
//! error). Text is hashed as its UTF-8 bytes.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::ScalarUDF;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::row::{bytes, text, RowContext, RowFunction};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![RowFunction::udf(
        "hmac",
        vec![DataType::Binary, DataType::Binary, DataType::Utf8],
        2,
        DataType::Binary,
        |args, _: RowContext| {
            let algorithm = args.get(2).map_or("SHA-256", text);
            let (key, message) = (bytes(&args[0]), bytes(&args[1]));
            let mac = match algorithm.to_uppercase().as_str() {
                "SHA-1" | "SHA1" => hmac::<Sha1>(&key, &message, 64),
                "SHA-224" | "SHA224" => hmac::<Sha224>(&key, &message, 64),
                "SHA-256" | "SHA256" => hmac::<Sha256>(&key, &message, 64),
                "SHA-384" | "SHA384" => hmac::<Sha384>(&key, &message, 128),
                "SHA-512" | "SHA512" => hmac::<Sha512>(&key, &message, 128),
                _ => {
                    return Err(DataFusionError::Execution(format!(
                        "[INVALID_PARAMETER_VALUE.HMAC_ALGORITHM] hmac: '{algorithm}' is not SHA-1, SHA-224, \
                         SHA-256, SHA-384 or SHA-512"
                    )))
                }
            };
            Ok(ScalarValue::Binary(Some(mac)))
        },
    )]
}

/// H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), K the key (hashed first if longer than a block) padded to one.
fn hmac<D: Digest>(key: &[u8], message: &[u8], block: usize) -> Vec<u8> {
    let mut padded = if key.len() > block { D::digest(key).to_vec() } else { key.to_vec() };
    padded.resize(block, 0);
    let inner: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    let inner_hash = D::new().chain_update(&inner).chain_update(message).finalize();
    D::new().chain_update(&outer).chain_update(inner_hash).finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_and_spark_examples() {
        let hex = |b: Vec<u8>| b.iter().map(|x| format!("{x:02X}")).collect::<Vec<_>>().concat();
        // PySpark's docstring examples.
        assert_eq!(
            hex(hmac::<Sha256>(b"key", b"message", 64)),
            "6E9EF29B75FFFC5B7ABAE527D58FDADB2FE42E7219011976917343065F58ED4A"
        );
        assert_eq!(hex(hmac::<Sha1>(b"key", b"message", 64)), "2088DF74D5F2146B48146CAF4965377E9D0BE3A4");
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        let key = [0xaau8; 131];
        assert_eq!(
            hex(hmac::<Sha256>(&key, b"Test Using Larger Than Block-Size Key - Hash Key First", 64)),
            "60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54"
        );
    }
}
