//! Fuzz the landing decoder: any bytes, as any STEDI table or with an inferred schema, decode
//! without a panic, and every record is either accepted or quarantined.
#![no_main]

use glueless::landing::{decode_bytes, LandingOptions, LandingSchema};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small chunks and a small record limit put chunk boundaries and the limit inside short inputs.
    let options = LandingOptions { chunk_bytes: 64, max_record_bytes: 4096 };
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
});
