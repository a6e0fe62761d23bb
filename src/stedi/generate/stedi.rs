//! A STEDI landing-data generator: customers, accelerometer and step-trainer readings with the
//! real data's shape (30 step-trainer readings per customer at the times of its accelerometer
//! readings, about three accelerometer readings per time, half the customers consenting) and its
//! quirks: absent consent keys and older `null`/`0`/float consent values, numeric phones,
//! 3-digit birth years, repeated (user, timestamp) with other x/y/z, timestamps shared across
//! users, serial numbers reused across customers, and the older `timeStamp` spelling.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::rng::Rng;
use crate::error::{Error, Result};

const FIRST: [&str; 24] = [
    "Santosh", "Ben", "Frank", "David", "Edward", "Sarah", "Jerry", "Lyn", "Bobby", "Spencer", "Liz", "Chris", "Jeff",
    "Trevor", "Kate", "Neeraj", "Ethan", "Alyssa", "Gail", "Danny", "Stephen", "Senthil", "Larry", "Sean",
];
const LAST: [&str; 24] = [
    "Clayton",
    "Khatib",
    "Hansen",
    "Jones",
    "Davis",
    "Lincoln",
    "Anandh",
    "Mitra",
    "Huey",
    "Taylor",
    "Olsen",
    "Wu",
    "Doshi",
    "Thomas",
    "Fibonnaci",
    "Ahmed",
    "Kansakar",
    "Stark",
    "Aristotle",
    "Hunt",
    "Gonzalez",
    "Miller",
    "Young",
    "Smith",
];
/// About the registration times of the real data (June 2022), epoch milliseconds.
const BASE_TIME_MS: i64 = 1_655_560_000_000;
const READINGS_PER_CUSTOMER: usize = 30;
const CUSTOMERS_PER_FILE: usize = 5_000;
const READINGS_PER_FILE: usize = 10_000;

/// What to generate.
#[derive(Debug, Clone)]
pub(crate) struct StediSpec {
    pub(crate) customers: usize,
    pub(crate) seed: u64,
    /// Replace landing files already in the lake instead of refusing.
    pub(crate) overwrite: bool,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GeneratedStedi {
    pub(crate) customers: u64,
    pub(crate) consenting_customers: u64,
    pub(crate) accelerometer: u64,
    pub(crate) step_trainer: u64,
    pub(crate) files: u64,
    pub(crate) bytes: u64,
}

struct Customer {
    email: String,
    serial: String,
    registered: i64,
    consent: Option<i64>,
}

/// Write landing data for `spec.customers` customers under `root/<table>/landing/`.
///
/// # Errors
/// [`Error::InvalidArgument`] when a landing folder already has files and `overwrite` is off;
/// I/O errors naming the file.
pub(crate) fn generate_stedi(root: &Path, spec: &StediSpec) -> Result<GeneratedStedi> {
    let dirs: Vec<PathBuf> =
        ["customer", "accelerometer", "step_trainer"].iter().map(|t| root.join(t).join("landing")).collect();
    for dir in &dirs {
        prepare_dir(dir, spec.overwrite)?;
    }
    let mut rng = Rng::new(spec.seed);
    let mut out = GeneratedStedi::default();
    let mut customers = Vec::with_capacity(spec.customers);
    let mut lines = Vec::with_capacity(spec.customers);
    for i in 0..spec.customers {
        let (customer, line) = customer_record(i, &customers, &mut rng);
        out.consenting_customers += u64::from(customer.consent.is_some());
        customers.push(customer);
        lines.push(line);
    }
    out.customers = customers.len() as u64;
    write_files(&dirs[0], "customer", &lines, CUSTOMERS_PER_FILE, &mut out)?;

    let mut accel = Vec::new();
    let mut steps = Vec::new();
    let mut previous_times: Vec<i64> = Vec::new();
    for customer in &customers {
        let times = reading_times(customer, &previous_times, &mut rng);
        for &t in &times {
            steps.push(format!(
                "{{\"sensorReadingTime\":{t},\"serialNumber\":\"{}\",\"distanceFromObject\":{}}}",
                customer.serial,
                200 + rng.below(101)
            ));
            // Several readings at one time, each with other x/y/z (all distinct rows).
            let mut used = [false; 27];
            for _ in 0..=rng.below(5) {
                let combo = rng.index(27);
                if std::mem::replace(&mut used[combo], true) {
                    continue;
                }
                let axis = |k: usize| [-1.0, 0.0, 1.0][(combo / k) % 3];
                accel.push((customer.email.as_str(), t, axis(1), axis(3), axis(9)));
            }
        }
        previous_times = times;
    }
    out.step_trainer = steps.len() as u64;
    write_files(&dirs[2], "step_trainer", &steps, READINGS_PER_FILE, &mut out)?;
    out.accelerometer = accel.len() as u64;
    write_accelerometer(&dirs[1], &accel, &mut out)?;
    Ok(out)
}

fn prepare_dir(dir: &Path, overwrite: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    let existing: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("listing", dir, e))?
        .filter_map(std::result::Result::ok)
        .filter(|e| e.path().is_file())
        .collect();
    if !existing.is_empty() && !overwrite {
        return Err(Error::InvalidArgument(format!(
            "{} already holds {} files; pass overwrite to replace them",
            dir.display(),
            existing.len()
        )));
    }
    for entry in existing {
        std::fs::remove_file(entry.path()).map_err(|e| Error::io("removing", &entry.path(), e))?;
    }
    Ok(())
}

fn customer_record(i: usize, previous: &[Customer], rng: &mut Rng) -> (Customer, String) {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len()) % LAST.len()];
    let round = i / (FIRST.len() * LAST.len());
    let email = if round == 0 { format!("{first}.{last}@test.com") } else { format!("{first}.{last}{round}@test.com") };
    // A fulfilment bug once shipped the same serial number to two customers.
    let serial = match previous.last() {
        Some(p) if rng.chance(0.005) => p.serial.clone(),
        _ => uuid(rng),
    };
    let registered = BASE_TIME_MS + rng.below(5_000_000) as i64;
    let updated = if rng.chance(0.95) { registered } else { registered + rng.below(86_400_000) as i64 };
    let consent = if rng.chance(0.5) {
        // Most consented at registration, some later (strict mode drops their earlier readings).
        Some(if rng.chance(0.9) { registered } else { registered + 5_000 + rng.below(40_000) as i64 })
    } else {
        None
    };
    let year = if rng.chance(0.055) { 900 + rng.below(100) } else { 1900 + rng.below(110) };

    let mut line = format!("{{\"customerName\":\"{first} {last}\",\"email\":\"{email}\",");
    if rng.chance(0.05) {
        line.push_str("\"phone\":8015551212,"); // older exports wrote the phone as a number
    } else {
        line.push_str("\"phone\":\"8015551212\",");
    }
    let _ = write!(
        line,
        "\"birthDay\":\"{year}-01-01\",\"serialNumber\":\"{serial}\",\"registrationDate\":{registered},\"lastUpdateDate\":{updated}"
    );
    match consent {
        Some(t) if rng.chance(0.03) => {
            let _ = write!(line, ",\"shareWithResearchAsOfDate\":{t}.0");
        }
        Some(t) => {
            let _ = write!(line, ",\"shareWithResearchAsOfDate\":{t}");
        }
        // No consent: usually the key is absent; older versions wrote null or 0.
        None if rng.chance(0.05) => line.push_str(",\"shareWithResearchAsOfDate\":null"),
        None if rng.chance(0.03) => line.push_str(",\"shareWithResearchAsOfDate\":0"),
        None => {}
    }
    if rng.chance(0.5) {
        let _ = write!(line, ",\"shareWithPublicAsOfDate\":{registered}");
    }
    if rng.chance(0.5) {
        let _ = write!(line, ",\"shareWithFriendsAsOfDate\":{registered}");
    }
    line.push('}');
    (Customer { email, serial, registered, consent }, line)
}

/// 30 distinct reading times around registration, a few borrowed from the previous customer so
/// that times collide across users as in the real data.
fn reading_times(customer: &Customer, previous: &[i64], rng: &mut Rng) -> Vec<i64> {
    let mut times = Vec::with_capacity(READINGS_PER_CUSTOMER);
    let mut t = customer.registered - 10_000 + rng.below(5_000) as i64;
    while times.len() < READINGS_PER_CUSTOMER {
        let candidate = match previous.get(times.len()) {
            Some(&p) if rng.chance(0.05) => p,
            _ => {
                t += 500 + rng.below(3_000) as i64;
                t
            }
        };
        if !times.contains(&candidate) {
            times.push(candidate);
        }
    }
    times
}

fn uuid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn write_files(dir: &Path, table: &str, lines: &[String], per_file: usize, out: &mut GeneratedStedi) -> Result<()> {
    for (n, part) in lines.chunks(per_file.max(1)).enumerate() {
        let path = dir.join(format!("{table}-{:04}.json", n + 1));
        let mut text = String::with_capacity(part.iter().map(|l| l.len() + 1).sum());
        for line in part {
            text.push_str(line);
            text.push('\n');
        }
        write_file(&path, text.as_bytes(), out)?;
    }
    Ok(())
}

fn write_accelerometer(dir: &Path, rows: &[(&str, i64, f64, f64, f64)], out: &mut GeneratedStedi) -> Result<()> {
    for (n, part) in rows.chunks(READINGS_PER_FILE).enumerate() {
        // Every third file comes from the older exporter that spelled the key `timeStamp`.
        let key = if n % 3 == 2 { "timeStamp" } else { "timestamp" };
        let mut text = String::with_capacity(part.len() * 90);
        for (user, t, x, y, z) in part {
            let _ = writeln!(text, "{{\"user\":\"{user}\",\"{key}\":{t},\"x\":{x:.1},\"y\":{y:.1},\"z\":{z:.1}}}");
        }
        write_file(&dir.join(format!("accelerometer-{:04}.json", n + 1)), text.as_bytes(), out)?;
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8], out: &mut GeneratedStedi) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io("creating", path, e))?;
    file.write_all(bytes).map_err(|e| Error::io("writing", path, e))?;
    out.files += 1;
    out.bytes += bytes.len() as u64;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json::{read_folder, LandingOptions};

    #[test]
    fn same_seed_same_lake_and_every_record_decodes() {
        let (a, b) = (crate::testing::tempdir(), crate::testing::tempdir());
        let spec = StediSpec { customers: 300, seed: 42, overwrite: false };
        let ga = generate_stedi(a.path(), &spec).unwrap();
        let gb = generate_stedi(b.path(), &spec).unwrap();
        assert_eq!(ga, gb);
        let read = |p: &Path| std::fs::read(p.join("accelerometer/landing/accelerometer-0001.json")).unwrap();
        assert_eq!(read(a.path()), read(b.path()));
        assert_eq!(ga.step_trainer, 300 * 30);
        assert!((100..200).contains(&ga.consenting_customers), "{ga:?}");

        for (table, expected) in
            [("customer", ga.customers), ("accelerometer", ga.accelerometer), ("step_trainer", ga.step_trainer)]
        {
            let out = read_folder(
                &crate::core::storage::Location::Local(a.path().join(table).join("landing")),
                table,
                &LandingOptions::default(),
            )
            .unwrap();
            assert_eq!((out.stats.accepted, out.stats.quarantined), (expected, 0), "{table}");
        }
        assert!(generate_stedi(a.path(), &spec).is_err(), "refuses to overwrite by default");
        assert!(generate_stedi(a.path(), &StediSpec { overwrite: true, ..spec }).is_ok());
    }
}
