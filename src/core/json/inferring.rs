//! Schemas for landing files glueless has no declared schema for: inferred from every record,
//! or from the first records and then verified by decoding (see [`super::read_files_filtered`]).

use rayon::prelude::*;

use super::infer::SchemaInference;
use super::schema::LandingSchema;
use super::{line_units, plan_units, windows, LandingOptions, Unit};
use crate::core::formats::codec as compressed;
use crate::core::storage::{objects, FileEntry};
use crate::error::Result;

/// The schema of every record of `files`: a first pass over all of them.
pub(super) fn infer_files(files: &[FileEntry], options: &LandingOptions) -> Result<LandingSchema> {
    let parts: Vec<SchemaInference> = files
        .par_iter()
        .map(|file| {
            let mut windowed = SchemaInference::default();
            let read = windows::for_each_window(file, options.window_bytes, |text, first_line| {
                windowed.merge(infer_units(&line_units(text, first_line, options)));
                Ok(true)
            })?;
            if read {
                return Ok(windowed);
            }
            let stored = objects::read(file)?;
            Ok(match compressed::decompress_named(file.name(), &stored) {
                compressed::Content::Plain => infer_units(&plan_units(&stored, options)),
                compressed::Content::Decompressed(text) => infer_units(&plan_units(&text, options)),
                // Quarantined when decoded; it adds no column.
                compressed::Content::Corrupt(_) => SchemaInference::default(),
            })
        })
        .collect::<Result<_>>()?;
    let mut all = SchemaInference::default();
    for part in parts {
        all.merge(part);
    }
    Ok(all.finish())
}

/// What the records of `units` give, inferred in parallel and merged in order.
pub(super) fn infer_units(units: &[Unit<'_>]) -> SchemaInference {
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

/// The schema of the first records of `files` (the first decode unit that has a key: up to
/// `chunk_bytes` of text), `None` where they cannot stand for the rest (see
/// [`SchemaInference::finish_sampled`]). Being a prefix of the input, they give the columns in
/// the order inference over every record would, as long as no later record adds a key.
pub(super) fn sample_schema(files: &[FileEntry], options: &LandingOptions) -> Result<Option<LandingSchema>> {
    let mut inference = SchemaInference::default();
    for file in files {
        // A large file's first window is enough for a sample.
        let mut sampled = false;
        let windowed = windows::for_each_window(file, options.window_bytes, |text, first_line| {
            for unit in line_units(text, first_line, options) {
                unit.for_each(|record| inference.observe(record.bytes));
                if !inference.is_empty() {
                    sampled = true;
                    return Ok(false);
                }
            }
            Ok(true)
        })?;
        if sampled {
            return Ok(inference.finish_sampled());
        }
        if windowed {
            continue; // no record of it has a key
        }
        let stored = objects::read(file)?;
        let text = match compressed::decompress_named(file.name(), &stored) {
            compressed::Content::Plain => None,
            compressed::Content::Decompressed(text) => Some(text),
            compressed::Content::Corrupt(_) => return Ok(None),
        };
        for unit in plan_units(text.as_deref().unwrap_or(&stored), options) {
            unit.for_each(|record| inference.observe(record.bytes));
            if !inference.is_empty() {
                return Ok(inference.finish_sampled());
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json::{decode_files, read_files, LandingOutput};
    use crate::core::storage::Location;

    /// Read `files` through the sample, and the reference way (every record inferred first).
    fn both(dir: &std::path::Path, options: &LandingOptions) -> (LandingOutput, LandingOutput) {
        let files = objects::list_files(&Location::Local(dir.to_path_buf())).unwrap();
        let got = read_files(&files, None, options).unwrap();
        let inferred = infer_files(&files, options).unwrap();
        let reference = decode_files(&files, &inferred, options, &Ok, None).unwrap().flattened();
        (got, reference)
    }

    fn assert_same(dir: &std::path::Path, options: &LandingOptions) {
        let (got, reference) = both(dir, options);
        assert_eq!(got.schema, reference.schema);
        assert_eq!(got.batches, reference.batches);
        assert_eq!(got.rejected, reference.rejected);
        assert_eq!((got.stats.records, got.stats.quarantined), (reference.stats.records, reference.stats.quarantined));
    }

    /// Every later record that the first records do not stand for: the result is the one
    /// inference over all records gives.
    #[test]
    fn a_record_the_sample_did_not_see_gives_the_full_inference() {
        let first = "{\"id\":1,\"x\":1.5,\"ok\":true,\"s\":\"a\",\"big\":12}\n".repeat(50);
        let later = [
            r#"{"id":2,"x":1.5,"ok":true,"s":"a","big":12,"new":1}"#,
            r#"{"id":2.0,"x":1.5,"ok":true,"s":"a","big":12}"#,
            r#"{"id":"3","x":1.5,"ok":true,"s":"a","big":12}"#,
            r#"{"id":2,"x":"1.5","ok":true,"s":"a","big":12}"#,
            r#"{"id":2,"x":1e400,"ok":true,"s":"a","big":12}"#,
            r#"{"id":2,"x":1.5,"ok":1,"s":"a","big":12}"#,
            r#"{"id":2,"x":1.5,"ok":true,"s":{"n":[1]},"big":12}"#,
            r#"{"id":2,"x":1.5,"ok":true,"s":"a","big":99999999999999999999}"#,
            r#"{"id":2,"x":99999999999999999999,"ok":true,"s":"a","big":1}"#,
            r#"{"id":1e3,"x":1.5,"ok":true,"s":"a","big":12}"#,
            r#"{"id":2,"x":1.5,"ok":true,"s":"a","big":12,"ID":2}"#,
            r#"{"ID":2,"x":1.5,"ok":true,"s":"a","big":12}"#,
            r#"{"id":2,"x":1.5,"ok":true,"s":"a","big":12,"id":3}"#,
            r#"{"id":2,"#,
            "[1]",
            r#"{"id":9223372036854775807,"x":-0,"ok":false,"s":"\u00e9","big":-12}"#,
        ];
        // A key spelled in another case (once or twice with one value), and values the sample's
        // types cover (any in a string column), keep the sample.
        let fits = [
            r#"{"ID":2,"#,
            r#"{"id":9223372036854775807,"#,
            r#"{"id":2,"x":1.5,"ok":true,"s":{"#,
            r#"{"id":2,"x":1.5,"ok":true,"s":"a","big":12,"ID":2}"#,
        ];
        for record in later {
            let dir = crate::testing::tempdir();
            std::fs::write(dir.path().join("a.json"), &first).unwrap();
            std::fs::write(dir.path().join("b.json"), format!("{first}{record}\n{first}")).unwrap();
            for chunk_bytes in [64, 4 << 20] {
                let options = LandingOptions { chunk_bytes, ..LandingOptions::default() };
                assert_same(dir.path(), &options);
                let files = objects::list_files(&Location::Local(dir.path().to_path_buf())).unwrap();
                let sampled = sample_schema(&files, &options).unwrap().unwrap();
                let doubt = std::sync::atomic::AtomicBool::new(false);
                decode_files(&files, &sampled, &options, &Ok, Some(&doubt)).unwrap();
                let kept = fits.iter().any(|start| record.starts_with(start));
                assert_eq!(doubt.into_inner(), !kept, "{record}");
            }
        }
    }

    /// Mixed records in many files, cut into small units: the sampled read and the reference
    /// agree on schema, rows and quarantine for every seed.
    #[test]
    fn sampled_reads_agree_with_full_inference_on_mixed_records() {
        let values = ["1", "-7", "2.5", "1e2", "true", "null", "\"t\"", "[1,2]", "{\"a\":1}", "123456789012345678901"];
        let keys = ["a", "B", "b", "c", "d"];
        let mut state: u64 = 7;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        for _ in 0..40 {
            let dir = crate::testing::tempdir();
            // Mostly one shape with the odd exception, as landing data is.
            let common = next(values.len());
            for file in 0..3 {
                let mut text = String::new();
                for _ in 0..30 {
                    let mut fields = Vec::new();
                    for key in &keys[..3 + next(3)] {
                        let v = if next(20) == 0 { values[next(values.len())] } else { values[common] };
                        fields.push(format!("\"{key}\":{v}"));
                    }
                    text.push('{');
                    text.push_str(&fields.join(","));
                    text.push_str("}\n");
                }
                std::fs::write(dir.path().join(format!("{file}.json")), text).unwrap();
            }
            assert_same(dir.path(), &LandingOptions { chunk_bytes: 200, ..LandingOptions::default() });
        }
    }

    #[test]
    fn the_sample_is_the_first_records_with_a_key() {
        let dir = crate::testing::tempdir();
        std::fs::write(dir.path().join("a.json"), "").unwrap();
        std::fs::write(dir.path().join("b.json"), "{}\n{\"Id\":1,\"v\":2.5}\n{\"id\":2,\"w\":1}\n").unwrap();
        let files = objects::list_files(&Location::Local(dir.path().to_path_buf())).unwrap();
        let sampled = sample_schema(&files, &LandingOptions::default()).unwrap().unwrap();
        assert!(sampled.is_sampled());
        let names: Vec<_> = sampled.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["Id", "v", "w"]);
        // A key only ever null says nothing of its type: no sample then.
        std::fs::write(dir.path().join("b.json"), "{\"id\":1,\"v\":null}\n").unwrap();
        assert!(sample_schema(&files, &LandingOptions::default()).unwrap().is_none());
    }
}
