//! Phase timings of accelerometer_landing_to_trusted on a lake (development aid).
#![allow(clippy::cast_precision_loss)]
use std::time::Instant;

use glueless::api::{
    distinct, install, list_files, read_files, read_table, semi_join, write_parquet, JoinInput, Lake, LandingOptions,
    LandingSchema, Location, Table,
};

fn main() {
    let lake_path = std::env::args().nth(1).expect("lake");
    let lake = Lake::open(&lake_path).unwrap();
    let t = Instant::now();
    let customers: Table = read_table(&lake, "customer", "trusted", "x", &[]).unwrap();
    println!("read customers {:?}", t.elapsed());
    let files = list_files(&lake.landing("accelerometer").unwrap()).unwrap();
    let schema = LandingSchema::known("accelerometer").unwrap();
    let mut best = std::time::Duration::MAX;
    let mut landed = None;
    for _ in 0..7 {
        let t = Instant::now();
        landed = Some(read_files(&files, Some(&schema), &LandingOptions::default()).unwrap());
        best = best.min(t.elapsed());
    }
    let landed = landed.unwrap();
    let mb = landed.stats.bytes as f64 / 1e6;
    println!("landing best of 7 {best:?} ({} rows, {:.0} MB/s)", landed.stats.accepted, mb / best.as_secs_f64());
    let t = Instant::now();
    let out = install(|| {
        semi_join(
            JoinInput { schema: &landed.schema, batches: &landed.batches, keys: &["user"] },
            JoinInput { schema: &customers.schema, batches: &customers.batches, keys: &["email"] },
        )
    })
    .unwrap();
    println!("semi join {:?}", t.elapsed());
    let t = Instant::now();
    let (kept, _) = install(|| distinct(&landed.schema, &out.batches)).unwrap();
    println!("distinct {:?}", t.elapsed());
    let t = Instant::now();
    let dir = std::env::temp_dir().join("profile-out.parquet");
    let _ = std::fs::remove_file(&dir);
    write_parquet(&Location::Local(dir), &landed.schema, &kept).unwrap();
    println!("parquet {:?}", t.elapsed());
}
