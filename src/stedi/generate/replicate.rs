//! Scaling real landing data r-fold: replica k renames every customer and serial number and shifts
//! every time by k days, so replicas never join with each other and every table, filter and join
//! count is exactly r times the original's. Replica 0 is the original data, byte for byte.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::core::formats::codec;
use crate::core::pool;
use crate::core::storage::{objects, Location};
use crate::error::{Error, Result};

const DAY_MS: i64 = 86_400_000;
/// Fields holding epoch milliseconds, in any table (matched ignoring case).
const TIME_FIELDS: [&str; 7] = [
    "registrationdate",
    "lastupdatedate",
    "sharewithresearchasofdate",
    "sharewithpublicasofdate",
    "sharewithfriendsasofdate",
    "timestamp",
    "sensorreadingtime",
];
/// Fields that identify a customer or a device; replicas get their own.
const IDENTITY_FIELDS: [&str; 4] = ["customername", "email", "user", "serialnumber"];

/// Counts of a replication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Replicated {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
}

/// Write `replicas` copies of every landing table under `source` (`source/<table>/*.json`, or
/// `source/<table>/landing/*.json`) to `target/<table>/landing/`.
///
/// # Errors
/// I/O errors naming the file; [`Error::InvalidArgument`] for `replicas == 0`.
pub(crate) fn replicate_stedi(source: &Path, target: &Path, replicas: u32) -> Result<Replicated> {
    if replicas == 0 {
        return Err(Error::InvalidArgument("replicas must be at least 1".into()));
    }
    let mut out = Replicated::default();
    for table in ["customer", "accelerometer", "step_trainer"] {
        let nested = source.join(table).join("landing");
        let dir = if nested.is_dir() { nested } else { source.join(table) };
        let files = objects::list_files(&Location::Local(dir))?;
        let target_dir = target.join(table).join("landing");
        std::fs::create_dir_all(&target_dir).map_err(|e| Error::io("creating", &target_dir, e))?;
        for file in &files {
            let stored = objects::read(file)?;
            // Compressed landing files are replicated as the plain NDJSON they hold.
            let (content, name) = match codec::decompress_named(file.name(), &stored) {
                codec::Content::Plain => (stored.to_vec(), file.name()),
                codec::Content::Decompressed(text) => (text, file.name().rsplit_once('.').map_or("", |(s, _)| s)),
                codec::Content::Corrupt(reason) => {
                    return Err(Error::InvalidArgument(format!("{}: {reason}", file.location)))
                }
            };
            let name = name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_string();
            let written: Vec<u64> = pool::install(|| {
                (0..replicas)
                    .into_par_iter()
                    .map(|k| {
                        let path = target_dir.join(format!("{name}-r{k:04}.json"));
                        let bytes = if k == 0 { content.clone() } else { replica_of(&content, k) };
                        std::fs::write(&path, &bytes).map_err(|e| Error::io("writing", &path, e))?;
                        Ok(bytes.len() as u64)
                    })
                    .collect::<Result<_>>()
            })?;
            out.files += written.len() as u64;
            out.bytes += written.iter().sum::<u64>();
        }
    }
    Ok(out)
}

/// The replica `k` of an NDJSON file; lines that are not JSON objects are kept as they are.
fn replica_of(content: &[u8], k: u32) -> Vec<u8> {
    let mut out = String::with_capacity(content.len() + content.len() / 8);
    for line in content.split(|&b| b == b'\n') {
        match serde_json::from_slice::<Map<String, Value>>(line) {
            Ok(mut record) => {
                for (key, value) in &mut record {
                    rewrite(key, value, k);
                }
                let _ = write!(out, "{}", Value::Object(record));
                out.push('\n');
            }
            Err(_) if line.is_empty() => {}
            Err(_) => {
                out.push_str(&String::from_utf8_lossy(line));
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

fn rewrite(key: &str, value: &mut Value, k: u32) {
    let lower = key.to_ascii_lowercase();
    if TIME_FIELDS.contains(&lower.as_str()) {
        if let Some(t) = value.as_i64().filter(|&t| t != 0) {
            *value = Value::from(t + i64::from(k) * DAY_MS);
        }
    } else if IDENTITY_FIELDS.contains(&lower.as_str()) {
        if let Value::String(s) = value {
            // Before the @ of an email, at the end of anything else: still unique, still an email.
            *s = match s.split_once('@') {
                Some((local, domain)) => format!("{local}.r{k}@{domain}"),
                None => format!("{s}-r{k}"),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_rename_and_shift_and_replica_zero_is_the_original() {
        let line = br#"{"user":"A.B@test.com","timeStamp":1000,"x":1.0}
{"customerName":"A B","email":"A.B@test.com","serialNumber":"s","shareWithResearchAsOfDate":0}
not json
"#;
        let two = String::from_utf8(replica_of(line, 2)).unwrap();
        let lines: Vec<&str> = two.lines().collect();
        let first: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["user"], "A.B.r2@test.com");
        assert_eq!(first["timeStamp"], 1000 + 2 * DAY_MS);
        let second: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!((second["customerName"].as_str(), second["serialNumber"].as_str()), (Some("A B-r2"), Some("s-r2")));
        assert_eq!(second["shareWithResearchAsOfDate"], 0, "a zero consent stays 'no consent'");
        assert_eq!(lines[2], "not json");

        let src = crate::testing::tempdir();
        std::fs::create_dir_all(src.path().join("customer")).unwrap();
        std::fs::write(src.path().join("customer/c.json"), line).unwrap();
        let dst = crate::testing::tempdir();
        let made = replicate_stedi(src.path(), dst.path(), 3);
        assert!(made.is_err(), "accelerometer folder is missing");
        for t in ["accelerometer", "step_trainer"] {
            std::fs::create_dir_all(src.path().join(t)).unwrap();
        }
        assert_eq!(replicate_stedi(src.path(), dst.path(), 3).unwrap().files, 3);
        assert_eq!(std::fs::read(dst.path().join("customer/landing/c-r0000.json")).unwrap(), line);
    }
}
