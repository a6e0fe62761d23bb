//! Fuzz the landing decoder: any bytes, as any STEDI table or with an inferred schema, decode
//! without a panic, and every record is either accepted or quarantined; a decoder that has seen
//! earlier records (its shape path) decodes each record as a fresh decoder (its scanner path) does.
#![no_main]

use glueless::api::{decode_bytes, Decoder, LandingOptions, LandingSchema};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small chunks and a small record limit put chunk boundaries and the limit inside short inputs.
    let options = LandingOptions { chunk_bytes: 64, max_record_bytes: 4096, batch_text_bytes: 1024 };
    for table in ["customer", "accelerometer", "step_trainer"] {
        let schema = LandingSchema::known(table);
        let (accepted, rejected, records) =
            decode_bytes(data, "fuzz.json", schema.as_ref(), &options).expect("decoding never fails");
        let rows: usize = accepted.iter().chain(&rejected).map(|b| b.num_rows()).sum();
        assert_eq!(rows as u64, records, "every record is accepted or quarantined");
    }
    let (accepted, rejected, records) = decode_bytes(data, "fuzz.json", None, &options).expect("inference never fails");
    let rows: usize = accepted.iter().chain(&rejected).map(|b| b.num_rows()).sum();
    assert_eq!(rows as u64, records);
    for table in ["customer", "accelerometer", "step_trainer"] {
        let schema = LandingSchema::known(table).expect("a STEDI table");
        let mut running = Decoder::new(&schema);
        let mut fresh_rows = Vec::new();
        for line in data.split(|&b| b == b'\n') {
            let mut fresh = Decoder::new(&schema);
            let expected = fresh.decode(line);
            assert_eq!(running.decode(line), expected, "{table}: {:?}", String::from_utf8_lossy(line));
            fresh_rows.push(fresh.finish().expect("columns match the schema"));
        }
        let running = running.finish().expect("columns match the schema");
        let fresh = arrow_select::concat::concat_batches(running.schema_ref(), &fresh_rows).expect("same schema");
        assert_eq!(running, fresh, "{table}");
    }
});
