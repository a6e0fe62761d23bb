//! Landing: newline-delimited JSON files → typed Arrow batches, with a quarantine for records
//! that cannot be stored. Every record read is either accepted or quarantined; the counts in
//! [`LandingStats`] always add up.

pub(crate) mod coerce;
pub(crate) mod column_type;
pub(crate) mod decode;
pub(crate) mod flat;
pub(crate) mod infer;
mod inferring;
pub(crate) mod quarantine;
pub(crate) mod records;
pub(crate) mod schema;
mod shape;
mod windows;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::core::formats::codec as compressed;
use crate::core::pool;
#[cfg(test)]
use crate::core::storage::Location;
use crate::core::storage::{objects, FileEntry};
use crate::error::Result;
pub(crate) use column_type::ColumnType;
pub(crate) use decode::Decoder;
pub(crate) use infer::Unseen;
pub(crate) use quarantine::{rejected_schema, RejectedBuilder};
use records::RawRecord;
pub(crate) use schema::{LandingSchema, KNOWN_TABLES};

/// The largest `max_record_bytes`: one record plus a batch's text ([`BATCH_TEXT_BYTES`]) must stay
/// below Arrow's 2 GiB limit for the text of one string column of one batch (i32 offsets).
pub(crate) const MAX_RECORD_BYTES_LIMIT: usize = 1 << 30;

/// A decoded batch, and a batch of quarantined records, is closed once its records hold this much
/// text, so a string column never overflows its 32-bit offsets, whatever the size of the file or
/// of its decode units.
pub(crate) const BATCH_TEXT_BYTES: usize = 512 << 20;

/// Tuning and limits of the landing reader.
#[derive(Debug, Clone)]
pub struct LandingOptions {
    /// Target size of the pieces a large file is cut into for parallel decoding (newline-aligned
    /// ranges of a line-delimited file, runs of elements of a JSON-array file).
    pub chunk_bytes: usize,
    /// Records longer than this are quarantined without being parsed (at most
    /// [`MAX_RECORD_BYTES_LIMIT`]).
    pub max_record_bytes: usize,
    /// Text after which a batch is closed and the next one started (at most [`BATCH_TEXT_BYTES`];
    /// tests set less to reach the boundary with little data).
    pub batch_text_bytes: usize,
    /// A plain line-delimited file larger than this is read and decoded a window of this size at
    /// a time (tests set less).
    pub window_bytes: u64,
}

impl Default for LandingOptions {
    fn default() -> Self {
        Self {
            chunk_bytes: 4 << 20,
            max_record_bytes: 32 << 20,
            batch_text_bytes: BATCH_TEXT_BYTES,
            window_bytes: windows::WINDOW_BYTES,
        }
    }
}

impl LandingOptions {
    /// Check the limits.
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for a zero size, or a record or batch limit above the one
    /// that keeps Arrow's string offsets in range.
    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(crate::Error::InvalidArgument(what));
        if self.chunk_bytes == 0 || self.max_record_bytes == 0 || self.batch_text_bytes == 0 || self.window_bytes == 0 {
            return bad("chunk_bytes, max_record_bytes, batch_text_bytes and window_bytes must be at least 1".into());
        }
        if self.max_record_bytes > MAX_RECORD_BYTES_LIMIT {
            return bad(format!(
                "max_record_bytes {} is over the limit of {MAX_RECORD_BYTES_LIMIT} bytes (1 GiB) for one record",
                self.max_record_bytes
            ));
        }
        if self.batch_text_bytes > BATCH_TEXT_BYTES {
            return bad(format!("batch_text_bytes {} is over the limit of {BATCH_TEXT_BYTES}", self.batch_text_bytes));
        }
        Ok(())
    }
}

/// What a landing read saw: `records == accepted + quarantined`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LandingStats {
    pub files: u64,
    pub empty_files: u64,
    /// Landing text decoded (compressed files counted uncompressed).
    pub bytes: u64,
    /// Bytes read from storage: equal to `bytes` unless some files are compressed.
    pub stored_bytes: u64,
    /// Files read through a decompressor (`.gz`, `.bz2`, `.zst`, `.snappy`, `.lz4`).
    pub compressed_files: u64,
    pub records: u64,
    pub accepted: u64,
    pub quarantined: u64,
}

/// The decoded table, the quarantined records and the counts. `B` is what holds the rows: record
/// batches, or what a caller made of each decode unit's batches ([`read_files_held`]).
#[derive(Debug, Clone)]
pub struct LandingOutput<B = RecordBatch> {
    pub schema: SchemaRef,
    pub batches: Vec<B>,
    pub rejected: Vec<RecordBatch>,
    pub stats: LandingStats,
    /// Keys the schema lacks and values its evolved fields cannot hold (schema evolution).
    pub unseen: Unseen,
}

impl LandingOutput<Vec<RecordBatch>> {
    /// The units' batches as one list (empty batches left out).
    pub(crate) fn flattened(self) -> LandingOutput {
        let batches = self.batches.into_iter().flatten().filter(|b| b.num_rows() > 0).collect();
        LandingOutput { schema: self.schema, batches, rejected: self.rejected, stats: self.stats, unseen: self.unseen }
    }
}

/// A piece of work for one thread: a range of a line-delimited file, or a run of the elements of a
/// JSON-array file.
enum Unit<'a> {
    Lines { bytes: &'a [u8], first_line: u64 },
    Array { records: Vec<RawRecord<'a>> },
}

impl Unit<'_> {
    fn for_each(&self, mut f: impl FnMut(RawRecord<'_>)) {
        match self {
            Unit::Lines { bytes, first_line, .. } => records::for_each_line(bytes, *first_line, f),
            Unit::Array { records, .. } => records.iter().for_each(|r| f(*r)),
        }
    }
}

#[cfg(test)]
/// Read the data files of the folder `dir` as the landing table `table`: a STEDI table's
/// declared schema, or an inferred one for any other table.
///
/// # Errors
/// [`crate::Error::NotFound`] when the folder does not exist; [`crate::Error::Io`] when a file
/// cannot be read. Bad records are not errors: they are quarantined.
pub(crate) fn read_folder(dir: &Location, table: &str, options: &LandingOptions) -> Result<LandingOutput> {
    let files = objects::list_files(dir)?;
    read_files(&files, LandingSchema::known(table).as_ref(), options)
}

/// Read landing files with `schema`, or with a schema inferred from them when `None`.
///
/// # Errors
/// [`crate::Error::NotFound`] or [`crate::Error::Io`] when a file cannot be read.
pub fn read_files(
    files: &[FileEntry],
    schema: Option<&LandingSchema>,
    options: &LandingOptions,
) -> Result<LandingOutput> {
    Ok(read_files_held(files, schema, options, &Ok)?.flattened())
}

/// A filter applied to every decoded batch as soon as it is decoded.
pub(crate) type BatchFilter<'f> = dyn Fn(&RecordBatch) -> Result<RecordBatch> + Sync + 'f;

/// As [`read_files`], passing every decoded batch through `keep` at once, so that memory holds
/// only the rows a job keeps. `stats.accepted` counts the decoded rows before `keep`; the caller
/// counts what `keep` drops.
///
/// # Errors
/// As [`read_files`], and whatever `keep` returns.
pub(crate) fn read_files_filtered(
    files: &[FileEntry],
    schema: Option<&LandingSchema>,
    options: &LandingOptions,
    keep: &BatchFilter<'_>,
) -> Result<LandingOutput> {
    Ok(read_files_held(files, schema, options, &|batches| batches.iter().map(keep).collect())?.flattened())
}

/// What a read does with each decode unit's batches as soon as they are decoded: keeps them, or
/// filters them, or writes them elsewhere (a source's rows past its memory budget go to disk).
pub(crate) type Hold<'h, T> = dyn Fn(Vec<RecordBatch>) -> Result<T> + Sync + 'h;

/// As [`read_files`], each decode unit's batches given to `hold` as soon as they are decoded; the
/// output holds what `hold` made of them, one per unit in the order of the input. When a record
/// shows that a sampled schema does not hold, what `hold` made of that pass is dropped and the
/// files are decoded again with every record's schema.
///
/// # Errors
/// As [`read_files`], and whatever `hold` returns.
pub(crate) fn read_files_held<T: Default + Send>(
    files: &[FileEntry],
    schema: Option<&LandingSchema>,
    options: &LandingOptions,
    hold: &Hold<'_, T>,
) -> Result<LandingOutput<T>> {
    options.validate()?;
    pool::install(|| {
        if let Some(schema) = schema {
            return decode_files(files, schema, options, hold, None);
        }
        // Inference needs every record before decoding starts. The first records give a schema
        // that decoding then verifies (one pass over the text); only when a record shows that
        // they did not see it all (a key, a wider value, a record that is not JSON) does the
        // whole input get inferred first, then decoded again.
        if let Some(sampled) = inferring::sample_schema(files, options)? {
            let doubt = AtomicBool::new(false);
            let output = decode_files(files, &sampled, options, hold, Some(&doubt))?;
            if !doubt.load(Ordering::Relaxed) {
                return Ok(output);
            }
        }
        let inferred = inferring::infer_files(files, options)?;
        decode_files(files, &inferred, options, hold, None)
    })
}

/// Decode `files` with `schema`. With `doubt` (a sampled schema), the first record that does not
/// fit it, or is quarantined, sets `doubt` and the rest of the work is skipped.
fn decode_files<T: Default + Send>(
    files: &[FileEntry],
    schema: &LandingSchema,
    options: &LandingOptions,
    hold: &Hold<'_, T>,
    doubt: Option<&AtomicBool>,
) -> Result<LandingOutput<T>> {
    // File by file, so a file's bytes are dropped as soon as it is decoded: memory holds the
    // decoded rows, not the landing text.
    // One task per file: rayon otherwise runs a quarter of the files as one sequential piece,
    // and the last such piece kept one core busy while the other idled (a fifth of a second at
    // 100x the STEDI data).
    let per_file: Vec<FileOutput<T>> = files
        .par_iter()
        .with_max_len(1)
        .map(|file| read_one(file, schema, options, hold, doubt))
        .collect::<Result<_>>()?;

    let mut stats = LandingStats { files: files.len() as u64, ..LandingStats::default() };
    let (mut batches, mut rejected, mut unseen) = (Vec::new(), Vec::new(), Unseen::default());
    for file in per_file {
        stats.bytes += file.bytes;
        stats.stored_bytes += file.stored_bytes;
        stats.compressed_files += u64::from(file.compressed);
        stats.empty_files += u64::from(file.empty);
        for part in file.parts {
            unseen.merge(part.unseen);
            stats.accepted += part.accepted;
            stats.quarantined += part.rejected.iter().map(|b| b.num_rows() as u64).sum::<u64>();
            batches.push(part.kept);
            rejected.extend(part.rejected.into_iter().filter(|b| b.num_rows() > 0));
        }
    }
    stats.records = stats.accepted + stats.quarantined;
    Ok(LandingOutput { schema: schema.schema().clone(), batches, rejected, stats, unseen })
}

/// Decode the landing text `content` (one file's bytes) with `schema`, or an inferred schema when
/// `None`: the accepted rows, the quarantined records (`source_file` = `source`) and the number
/// of records seen. For callers that hold bytes rather than files (and the fuzzer).
///
/// # Errors
/// Arrow errors only; bad records are quarantined.
pub fn decode_bytes(
    content: &[u8],
    source: &str,
    schema: Option<&LandingSchema>,
    options: &LandingOptions,
) -> Result<(Vec<RecordBatch>, Vec<RecordBatch>, u64)> {
    options.validate()?;
    pool::install(|| {
        let units = plan_units(content, options);
        let inferred;
        let schema = if let Some(schema) = schema {
            schema
        } else {
            inferred = inferring::infer_units(&units).finish();
            &inferred
        };
        let records = units.iter().map(|unit| {
            let mut n = 0;
            unit.for_each(|_| n += 1);
            n
        });
        let records: u64 = records.sum();
        let (accepted, rejected, _) = decode_units(&units, schema, source, options)?;
        Ok((accepted, rejected, records))
    })
}

/// As [`decode_bytes`] with a given schema, also returning the keys that no column of `schema`
/// holds and the evolved columns whose values did not fit (a schema change the caller must act on).
///
/// # Errors
/// Arrow errors only; bad records are quarantined.
pub(crate) fn decode_bytes_unseen(
    content: &[u8],
    source: &str,
    schema: &LandingSchema,
    options: &LandingOptions,
) -> Result<(Vec<RecordBatch>, Vec<RecordBatch>, Vec<String>)> {
    options.validate()?;
    pool::install(|| {
        let units = plan_units(content, options);
        let (accepted, rejected, unseen) = decode_units(&units, schema, source, options)?;
        let names = unseen.added.fields().into_iter().chain(unseen.widened.fields()).map(|f| f.name().clone());
        Ok((accepted, rejected, names.collect()))
    })
}

fn decode_units(
    units: &[Unit<'_>],
    schema: &LandingSchema,
    source: &str,
    options: &LandingOptions,
) -> Result<(Vec<RecordBatch>, Vec<RecordBatch>, Unseen)> {
    let parts: Vec<UnitOutput> =
        units.par_iter().map(|unit| decode_unit(unit, schema, source, options, None)).collect::<Result<_>>()?;
    let (mut accepted, mut rejected, mut unseen) = (Vec::new(), Vec::new(), Unseen::default());
    for part in parts {
        accepted.extend(part.kept);
        rejected.extend(part.rejected);
        unseen.merge(part.unseen);
    }
    Ok((accepted, rejected, unseen))
}

/// One landing file decoded from its stored bytes (see [`decode_stored_unseen`]).
#[derive(Debug, Clone)]
pub(crate) struct StoredFileOutput {
    pub(crate) accepted: Vec<RecordBatch>,
    pub(crate) rejected: Vec<RecordBatch>,
    /// Keys no column holds and evolved columns whose values did not fit (a schema change).
    pub(crate) unseen: Vec<String>,
    /// Landing text decoded (uncompressed) and whether the file was compressed.
    pub(crate) text_bytes: u64,
    pub(crate) compressed: bool,
}

/// Decode the content of the landing file `source` as stored: decompressed first when its name
/// says it is compressed. A file that cannot be decompressed becomes one quarantined record
/// naming the codec's error, and no rows.
///
/// # Errors
/// Arrow errors only; bad records are quarantined.
pub(crate) fn decode_stored_unseen(
    stored: &[u8],
    source: &str,
    schema: &LandingSchema,
    options: &LandingOptions,
) -> Result<StoredFileOutput> {
    let output = |(accepted, rejected, unseen), text: &[u8], compressed| StoredFileOutput {
        accepted,
        rejected,
        unseen,
        text_bytes: text.len() as u64,
        compressed,
    };
    match compressed::decompress_named(source, stored) {
        compressed::Content::Plain => Ok(output(decode_bytes_unseen(stored, source, schema, options)?, stored, false)),
        compressed::Content::Decompressed(text) => {
            Ok(output(decode_bytes_unseen(&text, source, schema, options)?, &text, true))
        }
        compressed::Content::Corrupt(reason) => {
            Ok(output((Vec::new(), vec![corrupt_entry(source, &reason)?], Vec::new()), b"", true))
        }
    }
}

/// What one decode unit gave: the rows kept (the caller may filter them), the quarantined records
/// (each in batches of bounded text), the rows decoded and what did not fit the schema.
#[derive(Default)]
struct UnitOutput<T = Vec<RecordBatch>> {
    kept: T,
    rejected: Vec<RecordBatch>,
    accepted: u64,
    unseen: Unseen,
}

/// One file's units and sizes.
#[derive(Default)]
struct FileOutput<T> {
    parts: Vec<UnitOutput<T>>,
    /// Landing text (uncompressed) and bytes as stored.
    bytes: u64,
    stored_bytes: u64,
    compressed: bool,
    empty: bool,
}

fn read_one<T: Default + Send>(
    file: &FileEntry,
    schema: &LandingSchema,
    options: &LandingOptions,
    hold: &Hold<'_, T>,
    doubt: Option<&AtomicBool>,
) -> Result<FileOutput<T>> {
    let doubted = || doubt.is_some_and(|d| d.load(Ordering::Relaxed));
    if doubted() {
        return Ok(FileOutput::default());
    }
    let name = file.location.to_string();
    let decode = |unit: &Unit<'_>, sizes: Option<(usize, usize)>| -> Result<UnitOutput<T>> {
        if doubted() {
            return Ok(UnitOutput::default());
        }
        let part = decode_unit(unit, schema, &name, options, sizes)?;
        if let Some(doubt) = doubt {
            if !part.unseen.is_empty() || part.rejected.iter().any(|b| b.num_rows() > 0) {
                doubt.store(true, Ordering::Relaxed);
                // The pass is redone with every record's schema: nothing of it is kept.
                return Ok(UnitOutput::default());
            }
        }
        let UnitOutput { kept, rejected, accepted, unseen } = part;
        Ok(UnitOutput { kept: hold(kept)?, rejected, accepted, unseen })
    };
    // A large plain line-delimited file a window at a time; memory holds a window of its text.
    let mut parts = Vec::new();
    let mut empty = true;
    let windowed = windows::for_each_window(file, options.window_bytes, |text, first_line| {
        empty &= text.trim_ascii().is_empty();
        let units = line_units(text, first_line, options);
        let decoded: Vec<UnitOutput<T>> = units.par_iter().map(|unit| decode(unit, None)).collect::<Result<_>>()?;
        parts.extend(decoded);
        Ok(!doubted())
    })?;
    if windowed {
        return Ok(FileOutput { parts, bytes: file.size, stored_bytes: file.size, compressed: false, empty });
    }
    let stored = objects::read(file)?;
    let stored_bytes = stored.len();
    let (content, compressed) = match compressed::decompress_named(file.name(), &stored) {
        compressed::Content::Plain => (stored, false),
        compressed::Content::Decompressed(text) => {
            drop(stored); // memory holds the text, not both
            (bytes::Bytes::from(text), true)
        }
        compressed::Content::Corrupt(reason) => {
            doubt.inspect(|d| d.store(true, Ordering::Relaxed));
            let part = UnitOutput {
                kept: T::default(),
                rejected: vec![corrupt_entry(&name, &reason)?],
                accepted: 0,
                unseen: Unseen::default(),
            };
            let stored_bytes = stored_bytes as u64;
            return Ok(FileOutput { parts: vec![part], bytes: 0, stored_bytes, compressed: true, empty: false });
        }
    };
    let units = plan_units(&content, options);
    let parts =
        units.par_iter().map(|unit| decode(unit, Some((stored_bytes, content.len())))).collect::<Result<_>>()?;
    Ok(FileOutput {
        parts,
        bytes: content.len() as u64,
        stored_bytes: stored_bytes as u64,
        compressed,
        empty: records::strip_bom(&content).trim_ascii().is_empty(),
    })
}

/// A compressed file that cannot be decompressed: one quarantined entry (line 0: the whole file)
/// with the codec's error, so the run goes on and the count shows it.
fn corrupt_entry(source: &str, reason: &str) -> Result<RecordBatch> {
    let mut rejected = RejectedBuilder::default();
    rejected.push(source, 0, reason, b"");
    rejected.finish()
}

/// Cut a file into units of about `chunk_bytes`: an array file into runs of whole elements, a
/// line file into newline-aligned chunks with their first line numbers.
fn plan_units<'a>(content: &'a [u8], options: &LandingOptions) -> Vec<Unit<'a>> {
    let body = records::strip_bom(content);
    if let Some(elements) = records::array_elements(body) {
        let mut units = Vec::new();
        let mut run: Vec<RawRecord<'a>> = Vec::new();
        let mut run_bytes = 0;
        for element in elements {
            if !run.is_empty() && run_bytes + element.bytes.len() > options.chunk_bytes {
                units.push(Unit::Array { records: std::mem::take(&mut run) });
                run_bytes = 0;
            }
            run_bytes += element.bytes.len();
            run.push(element);
        }
        if !run.is_empty() {
            units.push(Unit::Array { records: run });
        }
        return units;
    }
    line_units(body, 1, options)
}

/// Cut line-delimited text whose first line is `first_line` into newline-aligned chunks of about
/// `chunk_bytes`, each with the number of its first line.
fn line_units<'a>(body: &'a [u8], mut first_line: u64, options: &LandingOptions) -> Vec<Unit<'a>> {
    let ranges: Vec<Range<usize>> = records::newline_aligned_chunks(body, options.chunk_bytes);
    let counts: Vec<u64> = ranges.par_iter().map(|r| records::line_count(&body[r.clone()])).collect();
    ranges
        .into_iter()
        .zip(counts)
        .map(|(range, count)| {
            let unit = Unit::Lines { bytes: &body[range], first_line };
            first_line += count;
            unit
        })
        .collect()
}

/// Decode one unit. `sizes` (bytes as stored, text) scales the progress counter to stored bytes,
/// which is what a progress bar's total (the landing files' sizes) counts.
fn decode_unit(
    unit: &Unit<'_>,
    schema: &LandingSchema,
    source: &str,
    options: &LandingOptions,
    sizes: Option<(usize, usize)>,
) -> Result<UnitOutput> {
    let mut decoder = Decoder::new(schema);
    let mut rejected = RejectedBuilder::default();
    let (mut kept, mut rejected_batches) = (Vec::new(), Vec::new());
    let mut failure = None;
    let mut bytes = 0u64;
    let mut records = 0u64;
    // UTF-8 checked once for the whole chunk when it is valid (nearly always), not per record.
    let chunk_text = match unit {
        Unit::Lines { bytes, .. } => std::str::from_utf8(bytes).ok().map(|text| (text, bytes.as_ptr() as usize)),
        Unit::Array { .. } => None,
    };
    unit.for_each(|record| {
        bytes += record.bytes.len() as u64 + 1;
        records += 1;
        let outcome = if record.bytes.len() > options.max_record_bytes {
            Err(format!(
                "record of {} bytes is over the limit of {} bytes",
                record.bytes.len(),
                options.max_record_bytes
            ))
        } else {
            // A record is a slice of its chunk: its place in the chunk's text gives its text.
            let text = chunk_text.and_then(|(text, base)| {
                let start = record.bytes.as_ptr() as usize - base;
                text.get(start..start + record.bytes.len())
            });
            match text {
                Some(text) => decoder.decode_str(text),
                None => decoder.decode(record.bytes),
            }
        };
        if let Err(reason) = outcome {
            rejected.push(source, record.line, &reason, record.bytes);
        }
        // Batches close before a string column's text could pass Arrow's 32-bit offsets: a
        // batch holds at most `batch_text_bytes` plus one record (<= MAX_RECORD_BYTES_LIMIT).
        if decoder.text_bytes() >= options.batch_text_bytes {
            match decoder.finish() {
                Ok(batch) => kept.push(batch),
                Err(err) => failure = failure.take().or(Some(err)),
            }
        }
        if rejected.text_bytes() >= options.batch_text_bytes {
            match rejected.finish() {
                Ok(batch) => rejected_batches.push(batch),
                Err(err) => failure = failure.take().or(Some(err)),
            }
        }
    });
    if let Some(err) = failure {
        return Err(err);
    }
    let stored_bytes = match sizes {
        Some((stored, text)) if stored != text && text > 0 => {
            u64::try_from(u128::from(bytes) * stored as u128 / text as u128).unwrap_or(bytes)
        }
        _ => bytes,
    };
    crate::core::progress::add(stored_bytes, records);
    kept.push(decoder.finish()?);
    rejected_batches.push(rejected.finish()?);
    let accepted = kept.iter().map(|b| b.num_rows() as u64).sum();
    Ok(UnitOutput { kept, rejected: rejected_batches, accepted, unseen: decoder.take_unseen() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &std::path::Path, name: &str, content: &[u8]) {
        std::fs::write(dir.join(name), content).unwrap();
    }

    #[test]
    fn every_record_is_accepted_or_quarantined_with_its_line() {
        let dir = crate::testing::tempdir();
        write(dir.path(), "a.json", b"\xEF\xBB\xBF{\"user\":\"a\",\"timestamp\":1,\"x\":1,\"y\":2,\"z\":3}\r\n{broken\r\n\n{\"user\":\"b\",\"timeStamp\":2.0},\n");
        write(dir.path(), "b.json", b"");
        write(dir.path(), "c.json", b"[{\"user\":\"c\"},\n {\"user\":\"d\",\n  \"x\":\"wrong\"}]");
        write(dir.path(), "d.json", b"{\"user\":\"\xC3\x28\"}");
        let out = read_folder(
            &Location::Local(dir.path().to_path_buf()),
            "accelerometer",
            &LandingOptions { chunk_bytes: 8, ..LandingOptions::default() },
        )
        .unwrap();
        let s = &out.stats;
        assert_eq!((s.files, s.empty_files, s.records, s.accepted, s.quarantined), (4, 1, 6, 3, 3));
        let rejected = arrow_select::concat::concat_batches(&rejected_schema(), &out.rejected).unwrap();
        let lines = rejected.column(1).as_any().downcast_ref::<arrow_array::Int64Array>().unwrap();
        assert_eq!(lines.values(), &[2, 2, 1]);
        let reasons = rejected.column(2).as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
        assert!(reasons.value(1).starts_with("field x: a string \"wrong\""), "{}", reasons.value(1));
        assert_eq!(reasons.value(2), "invalid UTF-8 at byte 9");
    }

    #[test]
    fn too_long_records_are_quarantined_unparsed() {
        let dir = crate::testing::tempdir();
        let long = format!("{{\"user\":\"{}\"}}\n{{\"user\":\"ok\"}}\n", "x".repeat(100));
        write(dir.path(), "a.json", long.as_bytes());
        let options = LandingOptions { max_record_bytes: 50, ..LandingOptions::default() };
        let out = read_folder(&Location::Local(dir.path().to_path_buf()), "accelerometer", &options).unwrap();
        assert_eq!((out.stats.accepted, out.stats.quarantined), (1, 1));
    }

    #[test]
    fn unknown_tables_get_an_inferred_schema() {
        let dir = crate::testing::tempdir();
        write(dir.path(), "a.json", b"{\"id\":1,\"tags\":[1,2]}\n{\"ID\":2,\"name\":\"x\"}\n");
        let out =
            read_folder(&Location::Local(dir.path().to_path_buf()), "anything", &LandingOptions::default()).unwrap();
        let names: Vec<_> = out.schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["id", "tags", "name"]);
        assert_eq!(out.stats.accepted, 2);
    }

    /// The offsets of a string column must stay below 2 GiB in every batch: a JSON-array file
    /// (once one decode unit whatever its size) is split into units, and a unit's batches close at
    /// `batch_text_bytes`. Built here with a small limit on the production path.
    #[test]
    fn json_array_files_decode_in_bounded_batches() {
        let schema = LandingSchema::known("accelerometer").unwrap();
        let users: Vec<String> = (0..300).map(|i| format!("{i:03}{}", "u".repeat(100 + i))).collect();
        let good = users.iter().enumerate().map(|(i, u)| format!("{{\"user\":\"{u}\",\"timestamp\":{i}}}"));
        let bad = users.iter().map(|u| format!("{{\"user\":\"{u}\",\"timestamp\":\"soon\"}}"));
        let longest = users.last().unwrap().len() + 40;
        for records in [good.collect::<Vec<_>>(), bad.collect()] {
            let content = format!("[\n{}\n]\n", records.join(",\n"));
            // Many units of about 4 KiB; then one unit whose batches close at 1000 bytes of text.
            for (chunk_bytes, batch_text_bytes) in [(4096, BATCH_TEXT_BYTES), (usize::MAX, 1000)] {
                let options = LandingOptions { chunk_bytes, batch_text_bytes, ..LandingOptions::default() };
                let units = plan_units(content.as_bytes(), &options);
                assert_eq!(units.len() > 1, chunk_bytes == 4096);
                let (accepted, rejected, n) = decode_bytes(content.as_bytes(), "f", Some(&schema), &options).unwrap();
                assert_eq!(n, 300);
                let bounded = |batches: &[RecordBatch], column: usize| {
                    let filled: Vec<&RecordBatch> = batches.iter().filter(|b| b.num_rows() > 0).collect();
                    for batch in &filled {
                        let text = batch.column(column).as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
                        assert!(text.value_data().len() <= batch_text_bytes.min(8192) + 3 * longest + 200);
                    }
                    filled.len()
                };
                let (good_batches, bad_batches) = (bounded(&accepted, 0), bounded(&rejected, 3));
                let rows: Vec<RecordBatch> =
                    if accepted.iter().any(|b| b.num_rows() > 0) { accepted } else { rejected };
                assert!(good_batches.max(bad_batches) > 5, "the text was split over many batches");
                let table = arrow_select::concat::concat_batches(&rows[0].schema(), &rows).unwrap();
                assert_eq!(table.num_rows(), 300, "every record kept, in order");
                if table.schema().field(0).name() == "user" {
                    let column = table.column(0).as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
                    assert!(column.iter().zip(&users).all(|(got, want)| got == Some(want.as_str())));
                }
            }
        }
    }

    #[test]
    fn limits_beyond_the_offset_range_are_refused() {
        let too_long = LandingOptions { max_record_bytes: MAX_RECORD_BYTES_LIMIT + 1, ..LandingOptions::default() };
        let err = decode_bytes(b"{}", "f", None, &too_long).unwrap_err();
        assert!(err.to_string().contains("over the limit"), "{err}");
        let too_wide = LandingOptions { batch_text_bytes: BATCH_TEXT_BYTES + 1, ..LandingOptions::default() };
        assert!(decode_bytes(b"{}", "f", None, &too_wide).is_err());
    }

    #[test]
    fn fuzz_regressions_decode() {
        // Inputs the fuzzer (scripts/fuzz_landing.sh) found or that guard its invariants.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
        let options = LandingOptions { chunk_bytes: 64, max_record_bytes: 4096, ..LandingOptions::default() };
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let content = std::fs::read(entry.unwrap().path()).unwrap();
            for table in [Some("customer"), Some("accelerometer"), Some("step_trainer"), None] {
                let schema = table.and_then(LandingSchema::known);
                let (accepted, rejected, records) = decode_bytes(&content, "f", schema.as_ref(), &options).unwrap();
                let rows: usize = accepted.iter().chain(&rejected).map(RecordBatch::num_rows).sum();
                assert_eq!(rows as u64, records);
            }
            seen += 1;
        }
        assert!(seen >= 2);
    }
}
