//! Landing: newline-delimited JSON files → typed Arrow batches, with a quarantine for records
//! that cannot be stored. Every record read is either accepted or quarantined; the counts in
//! [`LandingStats`] always add up.

pub mod coerce;
pub mod decode;
pub mod flat;
pub mod infer;
pub mod quarantine;
pub mod records;
pub mod schema;
mod shape;

use std::ops::Range;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::error::Result;
use crate::pool;
use crate::storage::{objects, FileEntry, Location};
pub use decode::Decoder;
pub use infer::{SchemaInference, Unseen};
pub use quarantine::{rejected_schema, RejectedBuilder};
use records::RawRecord;
pub use schema::{LandingSchema, KNOWN_TABLES};

/// Tuning and limits of the landing reader.
#[derive(Debug, Clone)]
pub struct LandingOptions {
    /// Target size of the newline-aligned pieces a large file is cut into for parallel decoding.
    pub chunk_bytes: usize,
    /// Records longer than this are quarantined without being parsed.
    pub max_record_bytes: usize,
}

impl Default for LandingOptions {
    fn default() -> Self {
        Self { chunk_bytes: 4 << 20, max_record_bytes: 32 << 20 }
    }
}

/// What a landing read saw: `records == accepted + quarantined`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LandingStats {
    pub files: u64,
    pub empty_files: u64,
    pub bytes: u64,
    pub records: u64,
    pub accepted: u64,
    pub quarantined: u64,
}

/// The decoded table, the quarantined records and the counts.
#[derive(Debug, Clone)]
pub struct LandingOutput {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub rejected: Vec<RecordBatch>,
    pub stats: LandingStats,
    /// Keys the schema lacks and values its evolved fields cannot hold (schema evolution).
    pub unseen: Unseen,
}

/// A piece of work for one thread: a range of a line-delimited file, or a JSON-array file.
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

/// Read the data files of the folder `dir` as the landing table `table`: a STEDI table's
/// declared schema, or an inferred one for any other table.
///
/// # Errors
/// [`crate::Error::NotFound`] when the folder does not exist; [`crate::Error::Io`] when a file
/// cannot be read. Bad records are not errors: they are quarantined.
pub fn read_folder(dir: &Location, table: &str, options: &LandingOptions) -> Result<LandingOutput> {
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
    read_files_filtered(files, schema, options, &|batch| Ok(batch.clone()))
}

/// A filter applied to every decoded batch as soon as it is decoded.
pub type BatchFilter<'f> = dyn Fn(&RecordBatch) -> Result<RecordBatch> + Sync + 'f;

/// As [`read_files`], passing every decoded batch through `keep` at once, so that memory holds
/// only the rows a job keeps. `stats.accepted` counts the decoded rows before `keep`; the caller
/// counts what `keep` drops.
///
/// # Errors
/// As [`read_files`], and whatever `keep` returns.
pub fn read_files_filtered(
    files: &[FileEntry],
    schema: Option<&LandingSchema>,
    options: &LandingOptions,
    keep: &BatchFilter<'_>,
) -> Result<LandingOutput> {
    pool::install(|| {
        let inferred;
        let schema = if let Some(schema) = schema {
            schema
        } else {
            // Inference needs every record before decoding starts: a first pass over the files.
            inferred = infer_files(files, options)?;
            &inferred
        };
        // File by file, so a file's bytes are dropped as soon as it is decoded: memory holds the
        // decoded rows, not the landing text.
        let per_file: Vec<FileOutput> =
            files.par_iter().map(|file| read_one(file, schema, options, keep)).collect::<Result<_>>()?;

        let mut stats = LandingStats { files: files.len() as u64, ..LandingStats::default() };
        let (mut batches, mut rejected, mut unseen) = (Vec::new(), Vec::new(), Unseen::default());
        for file in per_file {
            stats.bytes += file.bytes;
            stats.empty_files += u64::from(file.empty);
            for (batch, bad, accepted, part_unseen) in file.parts {
                unseen.merge(part_unseen);
                stats.accepted += accepted;
                stats.quarantined += bad.num_rows() as u64;
                if batch.num_rows() > 0 {
                    batches.push(batch);
                }
                if bad.num_rows() > 0 {
                    rejected.push(bad);
                }
            }
        }
        stats.records = stats.accepted + stats.quarantined;
        Ok(LandingOutput { schema: schema.schema().clone(), batches, rejected, stats, unseen })
    })
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
    pool::install(|| {
        let units = plan_units(content, options);
        let inferred;
        let schema = if let Some(schema) = schema {
            schema
        } else {
            inferred = infer_schema(&units).finish();
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
pub fn decode_bytes_unseen(
    content: &[u8],
    source: &str,
    schema: &LandingSchema,
    options: &LandingOptions,
) -> Result<(Vec<RecordBatch>, Vec<RecordBatch>, Vec<String>)> {
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
    let parts: Vec<(RecordBatch, RecordBatch, Unseen)> =
        units.par_iter().map(|unit| decode_unit(unit, schema, source, options)).collect::<Result<_>>()?;
    let (mut accepted, mut rejected, mut unseen) = (Vec::new(), Vec::new(), Unseen::default());
    for (batch, bad, part_unseen) in parts {
        accepted.push(batch);
        rejected.push(bad);
        unseen.merge(part_unseen);
    }
    Ok((accepted, rejected, unseen))
}

/// One file's decoded batches and quarantined records (one pair per unit), and its size.
struct FileOutput {
    /// Kept rows, quarantined records, the number of rows decoded and what did not fit, per unit.
    parts: Vec<(RecordBatch, RecordBatch, u64, Unseen)>,
    bytes: u64,
    empty: bool,
}

fn read_one(
    file: &FileEntry,
    schema: &LandingSchema,
    options: &LandingOptions,
    keep: &BatchFilter<'_>,
) -> Result<FileOutput> {
    let content = objects::read(file)?;
    let name = file.location.to_string();
    let units = plan_units(&content, options);
    let parts = units
        .par_iter()
        .map(|unit| {
            let (batch, rejected, unseen) = decode_unit(unit, schema, &name, options)?;
            let accepted = batch.num_rows() as u64;
            Ok((keep(&batch)?, rejected, accepted, unseen))
        })
        .collect::<Result<_>>()?;
    Ok(FileOutput { parts, bytes: content.len() as u64, empty: records::strip_bom(&content).trim_ascii().is_empty() })
}

fn infer_files(files: &[FileEntry], options: &LandingOptions) -> Result<LandingSchema> {
    let parts: Vec<SchemaInference> = files
        .par_iter()
        .map(|file| {
            let content = objects::read(file)?;
            Ok(infer_schema(&plan_units(&content, options)))
        })
        .collect::<Result<_>>()?;
    let mut all = SchemaInference::default();
    for part in parts {
        all.merge(part);
    }
    Ok(all.finish())
}

/// Cut a file into units: an array file whole, a line file into newline-aligned chunks with
/// their first line numbers.
fn plan_units<'a>(content: &'a [u8], options: &LandingOptions) -> Vec<Unit<'a>> {
    let body = records::strip_bom(content);
    if let Some(records) = records::array_elements(body) {
        return vec![Unit::Array { records }];
    }
    let ranges: Vec<Range<usize>> = records::newline_aligned_chunks(body, options.chunk_bytes);
    let counts: Vec<u64> = ranges.par_iter().map(|r| records::line_count(&body[r.clone()])).collect();
    let mut first_line = 1;
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

fn infer_schema(units: &[Unit<'_>]) -> SchemaInference {
    let parts: Vec<SchemaInference> = units
        .par_iter()
        .map(|unit| {
            let mut inference = SchemaInference::default();
            unit.for_each(|record| inference.observe(record.bytes));
            inference
        })
        .collect();
    let mut all = SchemaInference::default();
    for part in parts {
        all.merge(part);
    }
    all
}

fn decode_unit(
    unit: &Unit<'_>,
    schema: &LandingSchema,
    source: &str,
    options: &LandingOptions,
) -> Result<(RecordBatch, RecordBatch, Unseen)> {
    let mut decoder = Decoder::new(schema);
    let mut rejected = RejectedBuilder::default();
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
    });
    crate::progress::add(bytes, records);
    Ok((decoder.finish()?, rejected.finish()?, decoder.take_unseen()))
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

    #[test]
    fn fuzz_regressions_decode() {
        // Inputs the fuzzer (scripts/fuzz_landing.sh) found or that guard its invariants.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
        let options = LandingOptions { chunk_bytes: 64, max_record_bytes: 4096 };
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
