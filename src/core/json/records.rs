//! Cutting landing files into records: newline-aligned chunks for parallel decoding, lines with
//! their quirks (BOM, CRLF, a trailing `},` from older exports), and files holding one JSON array.

use serde_json::value::RawValue;

/// The UTF-8 byte order mark some editors put at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One record's bytes and the 1-based line of the file it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawRecord<'a> {
    pub(crate) line: u64,
    pub(crate) bytes: &'a [u8],
}

/// The file's bytes without a leading byte order mark.
#[must_use]
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Byte ranges of `bytes` of about `target` bytes each, every one ending just after a newline
/// (or at the end), so no line is split between two chunks.
#[must_use]
pub(crate) fn newline_aligned_chunks(bytes: &[u8], target: usize) -> Vec<std::ops::Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + target.max(1)).min(bytes.len());
        if end < bytes.len() {
            // Search from the byte before `end`, so a chunk that already ends on a newline stays as is.
            end = memchr::memchr(b'\n', &bytes[end - 1..]).map_or(bytes.len(), |i| end + i);
        }
        chunks.push(start..end);
        start = end;
    }
    chunks
}

/// Number of lines that start in `bytes` (its newlines, plus one for an unterminated last line).
#[must_use]
pub(crate) fn line_count(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    newlines + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

/// Call `f` with every record of a newline-delimited chunk whose first line is `first_line`.
/// Blank lines are not records. Array brackets on their own line, a `[` before the first object,
/// a `]` after the last one and a `,` after an object are tolerated (older STEDI exports).
pub(crate) fn for_each_line<'a>(chunk: &'a [u8], first_line: u64, mut f: impl FnMut(RawRecord<'a>)) {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', chunk).chain(std::iter::once(chunk.len()));
    for (line, end) in (first_line..).zip(ends) {
        let bytes = trim_record(&chunk[start..end]);
        if !bytes.is_empty() {
            f(RawRecord { line, bytes });
        }
        start = end + 1;
    }
}

fn trim_record(raw: &[u8]) -> &[u8] {
    let mut bytes = raw.trim_ascii();
    if bytes == b"[" || bytes == b"]" {
        return &[];
    }
    if let Some(rest) = bytes.strip_suffix(b",") {
        bytes = rest.trim_ascii_end();
    }
    if bytes.starts_with(b"[") && bytes[1..].trim_ascii_start().starts_with(b"{") {
        bytes = bytes[1..].trim_ascii_start();
    }
    if bytes.ends_with(b"]") && bytes[..bytes.len() - 1].trim_ascii_end().ends_with(b"}") {
        bytes = bytes[..bytes.len() - 1].trim_ascii_end();
    }
    bytes
}

/// The elements of a file that is one JSON array (`[{…}, {…}]`, possibly pretty-printed), or
/// `None` when the file is not a well-formed array of objects; it is then read line by line.
#[must_use]
pub(crate) fn array_elements(bytes: &[u8]) -> Option<Vec<RawRecord<'_>>> {
    if !bytes.trim_ascii_start().starts_with(b"[") {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let elements: Vec<&RawValue> = serde_json::from_str(text).ok()?;
    // `[1, 2]` on one line is one bad record, not two: only an array of objects is a record file.
    if !elements.iter().all(|e| e.get().starts_with('{')) {
        return None;
    }
    let base = text.as_ptr() as usize;
    let mut line = 1;
    let mut scanned = 0;
    Some(
        elements
            .into_iter()
            .map(|element| {
                // The element borrows from `text`, so its address gives its offset in the file.
                let offset = element.get().as_ptr() as usize - base;
                line += memchr::memchr_iter(b'\n', &bytes[scanned..offset]).count() as u64;
                scanned = offset;
                RawRecord { line, bytes: element.get().as_bytes() }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(chunk: &[u8]) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        for_each_line(chunk, 1, |r| out.push((r.line, String::from_utf8(r.bytes.to_vec()).unwrap())));
        out
    }

    #[test]
    fn lines_with_crlf_blank_lines_and_trailing_commas() {
        let got = records(b"{\"a\":1}\r\n\r\n  {\"a\":2},\n[\n{\"a\":3}]\n]");
        assert_eq!(got, [(1, "{\"a\":1}".into()), (3, "{\"a\":2}".into()), (5, "{\"a\":3}".into())]);
    }

    #[test]
    fn chunks_end_on_newlines_and_cover_everything() {
        let data = b"aaaa\nbb\ncccccc\nd";
        let chunks = newline_aligned_chunks(data, 3);
        assert_eq!(chunks, [0..5, 5..8, 8..15, 15..16]);
        assert_eq!(chunks.iter().map(|c| line_count(&data[c.clone()])).sum::<u64>(), 4);
        assert!(newline_aligned_chunks(b"", 3).is_empty());
    }

    #[test]
    fn a_pretty_printed_array_gives_its_elements_with_lines() {
        let data = b"[\n  {\"a\": 1,\n   \"b\": 2},\n  {\"a\": 3}\n]\n";
        let got = array_elements(data).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].line, got[1].line), (2, 4));
        assert_eq!(got[1].bytes, b"{\"a\": 3}");
        assert!(array_elements(b"[{\"a\":1},").is_none());
        assert!(array_elements(b"{\"a\":1}").is_none());
        assert!(array_elements(b"[1, 2]").is_none());
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBF{}"), b"{}");
        assert_eq!(strip_bom(b"{}"), b"{}");
    }
}
