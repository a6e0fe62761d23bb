//! Large line-delimited landing files read a window at a time: memory holds one window of a
//! file's text (and what its records decode to), not the file, so a landing file of any size is
//! decoded in the same memory. A window ends on a newline; the part line after it starts the next.
//! Compressed files and JSON-array files are read whole (an array's elements are found by parsing
//! it whole).

use std::ops::Range;

use super::records;
use crate::core::formats::codec::Codec;
use crate::core::storage::{objects, FileEntry};
use crate::error::{Error, Result};

/// A plain landing file larger than this is read in windows of this size (the default of
/// `LandingOptions::window_bytes`).
pub(crate) const WINDOW_BYTES: u64 = 64 << 20;

/// The least the first window reads.
const FIRST_WINDOW_BYTES: u64 = 4096;

/// Hand each window of `file` (of about `window` bytes, the BOM left out) and the number of its
/// first line to `f`, until `f` returns false. False, with nothing handed on, when the file is
/// not read in windows: compressed, not larger than a window, or a JSON array.
///
/// # Errors
/// Storage errors; whatever `f` returns.
pub(super) fn for_each_window(
    file: &FileEntry,
    window: u64,
    mut f: impl FnMut(&[u8], u64) -> Result<bool>,
) -> Result<bool> {
    if Codec::of(file.name()).is_some() || file.size <= window {
        return Ok(false);
    }
    // The first window has room for a BOM and the byte that tells an array from lines.
    let mut ranges = Vec::new();
    let mut offset = 0;
    while offset < file.size {
        let size = if offset == 0 { window.max(FIRST_WINDOW_BYTES) } else { window };
        let end = offset.saturating_add(size).min(file.size);
        ranges.push(offset..end);
        offset = end;
    }
    // The next window is read while this one is decoded.
    std::thread::scope(|scope| {
        let read = |range: Range<u64>| scope.spawn(move || objects::read_range(file, range));
        let mut next = ranges.first().cloned().map(read);
        let mut carried: Vec<u8> = Vec::new();
        let mut first_line = 1;
        for (i, range) in ranges.iter().enumerate() {
            let Some(reading) = next.take() else { break };
            let window = reading.join().map_err(|_| Error::Storage {
                op: "reading",
                url: file.location.to_string(),
                reason: "the read of a window stopped".into(),
            })??;
            next = ranges.get(i + 1).cloned().map(read);
            let mut text = std::mem::take(&mut carried);
            if range.start == 0 {
                let body = records::strip_bom(&window);
                if body.trim_ascii_start().starts_with(b"[") {
                    return Ok(false);
                }
                text.extend_from_slice(body);
            } else {
                text.extend_from_slice(&window);
            }
            drop(window);
            if range.end < file.size {
                // A line longer than a window is carried on whole (the decoder quarantines a
                // record past `max_record_bytes` unparsed).
                let Some(newline) = memchr::memrchr(b'\n', &text) else {
                    carried = text;
                    continue;
                };
                carried = text.split_off(newline + 1);
            }
            if !f(&text, first_line)? {
                return Ok(true);
            }
            first_line += records::line_count(&text);
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use arrow_array::RecordBatch;

    use super::super::{read_files, LandingOptions, LandingOutput, LandingSchema};
    use crate::core::storage::Location;

    fn rows(batches: &[RecordBatch]) -> Option<RecordBatch> {
        let first = batches.first()?;
        Some(arrow_select::concat::concat_batches(&first.schema(), batches).unwrap())
    }

    fn same(got: &LandingOutput, want: &LandingOutput, what: &str) {
        assert_eq!(got.schema, want.schema, "{what}");
        assert_eq!(rows(&got.batches), rows(&want.batches), "{what}");
        assert_eq!(rows(&got.rejected), rows(&want.rejected), "{what}");
        assert_eq!(got.stats, want.stats, "{what}");
    }

    /// Files read in windows of any size give what reading them whole gives: rows in order,
    /// quarantined records with their lines, counts and the inferred schema (sampled from the
    /// first window, and inferred again over every window when a later record widens it); a
    /// JSON-array file and a compressed one are read whole.
    #[test]
    fn windows_of_any_size_decode_as_the_whole_file() {
        let dir = crate::testing::tempdir();
        let mut lines = String::from("\u{feff}");
        for i in 0..400 {
            match i % 50 {
                7 => lines.push_str("{broken\r\n"),
                8 => lines.push_str("\n\n"),
                9 => writeln!(lines, "{{\"user\":\"{}\",\"timestamp\":{i}}}", "long".repeat(40)).unwrap(),
                _ => write!(lines, "{{\"user\":\"u{i}\",\"timestamp\":{i},\"x\":{}.5}}\r\n", i % 9).unwrap(),
            }
        }
        let widened = format!("{lines}{{\"user\":\"w\",\"timestamp\":\"late\",\"extra\":1}}");
        std::fs::write(dir.path().join("a.json"), &lines).unwrap();
        std::fs::write(dir.path().join("b.json"), widened).unwrap();
        std::fs::write(dir.path().join("c.json"), "[{\"user\":\"c\",\"timestamp\":1},\n{\"user\":\"d\"}]").unwrap();
        let gz = crate::core::formats::codec::Codec::of("d.json.gz").unwrap().compress(lines.as_bytes()).unwrap();
        std::fs::write(dir.path().join("d.json.gz"), gz).unwrap();
        let files = crate::core::storage::objects::list_files(&Location::Local(dir.path().to_path_buf())).unwrap();
        for schema in [LandingSchema::known("accelerometer"), None] {
            for only in [&files[..1], &files[..]] {
                let whole = LandingOptions { chunk_bytes: 300, window_bytes: u64::MAX, ..LandingOptions::default() };
                let want = read_files(only, schema.as_ref(), &whole).unwrap();
                for window in [29, 97, 300, 4096] {
                    let options = LandingOptions { window_bytes: window, ..whole.clone() };
                    let got = read_files(only, schema.as_ref(), &options).unwrap();
                    same(&got, &want, &format!("window {window}, {} files, declared {}", only.len(), schema.is_some()));
                }
            }
        }
    }
}
