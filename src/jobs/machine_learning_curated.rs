//! machine_learning_curated: step-trainer readings joined with the accelerometer readings taken at
//! the same time, without any personal data. Default: `sensorReadingTime = timestamp` (the
//! published rubric; timestamps collide across users, so one step reading may pair with another
//! user's readings). Strict: the reading's user must also own the step trainer's serial number.
//!
//! The step readings are the join's built side; the (larger) accelerometer readings stream past
//! it row group by row group, each joined group written as it comes, so memory never holds the
//! joined table.

use std::time::Instant;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::tables::{open_table, read_table, Table};
use crate::error::{Error, Result};
use crate::jobs::{output, JobOptions, JobReport, Lake};
use crate::kernels::{is_pii, select, select_schema, InnerJoinBuild, JoinInput};
use crate::pool;

/// The columns of machine_learning_curated: no email, name, phone or birthday.
pub const COLUMNS: [&str; 6] = ["sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"];

/// Run the job.
///
/// # Errors
/// [`crate::Error::MissingInput`] when an input table is missing; storage errors otherwise.
pub fn run(lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let steps = read_table(
        lake,
        "step_trainer",
        "trusted",
        "step_trainer_trusted",
        &["sensorReadingTime", "serialNumber", "distanceFromObject"],
    )?;
    // The default join needs no user: reading (and joining) without the email column saves
    // copying a string per output row. Strict mode needs it to find each reading's owner.
    let reading_columns: &[&str] =
        if options.strict { &["user", "timestamp", "x", "y", "z"] } else { &["timestamp", "x", "y", "z"] };
    let readings = open_table(lake, "accelerometer", "trusted", "accelerometer_landing_to_trusted", reading_columns)?;
    let owners = if options.strict {
        Some(read_table(lake, "customer", "curated", "customer_trusted_to_curated", &["email", "serialNumber"])?)
    } else {
        None
    };
    let join = pool::install(|| ReadingJoin::new(&steps, owners.as_ref()))?;
    let schema = join.output_schema(&readings.schema)?;
    if let Some(leak) = schema.fields().iter().find(|f| is_pii(f.name())) {
        return Err(Error::InvalidArgument(format!(
            "machine_learning_curated would hold personal data ({})",
            leak.name()
        )));
    }
    let curated = output::replace_table_streamed(
        &lake.output("step_trainer", "curated"),
        &schema,
        &readings.row_groups(),
        |(file, group), sink| file.read(Some(vec![*group]), Some(reading_columns), |batch| sink(join.probe(&batch)?)),
    )?;
    let matched = join.steps_matched();
    let null_keys = join.steps.build_null_keys();
    let unmatched_reason =
        if options.strict { "no reading of its owner at that time" } else { "no accelerometer reading at that time" };
    Ok(JobReport {
        job: "machine_learning_curated".into(),
        read: steps.rows(),
        filtered: vec![
            ("null time or serialNumber".into(), null_keys),
            (unmatched_reason.into(), steps.rows() - matched - null_keys),
        ],
        matched: Some(matched),
        written: curated.rows,
        outputs: vec![curated],
        seconds: started.elapsed().as_secs_f64(),
        ..JobReport::default()
    })
}

/// The step readings built for joining batches of accelerometer readings (and, in strict mode,
/// the owners of the step trainers).
struct ReadingJoin {
    steps: InnerJoinBuild,
    owners: Option<InnerJoinBuild>,
}

/// The reading columns that meet the step readings in strict mode (the owner's serial number added).
const OWNED: [&str; 5] = ["timestamp", "x", "y", "z", "serialNumber"];

impl ReadingJoin {
    fn new(steps: &Table, owners: Option<&Table>) -> Result<Self> {
        let (steps, owners) = match owners {
            None => (
                InnerJoinBuild::new(JoinInput {
                    schema: &steps.schema,
                    batches: &steps.batches,
                    keys: &["sensorReadingTime"],
                })?,
                None,
            ),
            Some(owners) => (
                InnerJoinBuild::new(JoinInput {
                    schema: &steps.schema,
                    batches: &steps.batches,
                    keys: &["sensorReadingTime", "serialNumber"],
                })?,
                Some(InnerJoinBuild::new(JoinInput {
                    schema: &owners.schema,
                    batches: &owners.batches,
                    keys: &["email"],
                })?),
            ),
        };
        Ok(Self { steps, owners })
    }

    /// The COLUMNS schema of the joined rows of readings of `readings` schema.
    fn output_schema(&self, readings: &SchemaRef) -> Result<SchemaRef> {
        let probe = match &self.owners {
            None => readings.clone(),
            Some(owners) => select_schema(&owners.output_schema(readings), &OWNED)?,
        };
        select_schema(&self.steps.output_schema(&probe), &COLUMNS)
    }

    /// One batch of readings joined with the step readings (and owners), as COLUMNS.
    fn probe(&self, readings: &RecordBatch) -> Result<RecordBatch> {
        let probed = match &self.owners {
            None => self.steps.probe(readings, &["timestamp"])?,
            Some(owners) => {
                // Give every reading the serial number(s) its user owns, then match time and serial.
                let owned = select(&owners.probe(readings, &["user"])?.batch, &OWNED)?;
                self.steps.probe(&owned, &["timestamp", "serialNumber"])?
            }
        };
        select(&probed.batch, &COLUMNS)
    }

    /// Step readings that found at least one partner.
    fn steps_matched(&self) -> u64 {
        self.steps.matched_build_rows()
    }
}
