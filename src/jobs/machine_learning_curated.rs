//! machine_learning_curated: step-trainer readings joined with the accelerometer readings taken at
//! the same time, without any personal data. Default: `sensorReadingTime = timestamp` (the
//! published rubric; timestamps collide across users, so one step reading may pair with another
//! user's readings). Strict: the reading's user must also own the step trainer's serial number.

use std::time::Instant;

use rayon::prelude::*;

use super::tables::{read_table, read_table_projected, Table};
use crate::error::{Error, Result};
use crate::jobs::{output, JobOptions, JobReport, Lake};
use crate::kernels::{inner_join, is_pii, select, select_schema, JoinInput};
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
    let readings = if options.strict {
        read_table(
            lake,
            "accelerometer",
            "trusted",
            "accelerometer_landing_to_trusted",
            &["user", "timestamp", "x", "y", "z"],
        )?
    } else {
        read_table_projected(
            lake,
            "accelerometer",
            "trusted",
            "accelerometer_landing_to_trusted",
            &["timestamp", "x", "y", "z"],
        )?
    };
    let owners = if options.strict {
        Some(read_table(lake, "customer", "curated", "customer_trusted_to_curated", &["email", "serialNumber"])?)
    } else {
        None
    };
    let (joined, left_matched, null_keys) = pool::install(|| join(&steps, &readings, owners.as_ref()))?;

    let schema = select_schema(&joined.schema, &COLUMNS)?;
    if let Some(leak) = schema.fields().iter().find(|f| is_pii(f.name())) {
        return Err(Error::InvalidArgument(format!(
            "machine_learning_curated would hold personal data ({})",
            leak.name()
        )));
    }
    let batches: Vec<_> =
        pool::install(|| joined.batches.par_iter().map(|b| select(b, &COLUMNS)).collect::<Result<_>>())?;
    let curated =
        output::replace_table("step_trainer/curated", &lake.zone("step_trainer", "curated"), &schema, &batches)?;
    let unmatched_reason =
        if options.strict { "no reading of its owner at that time" } else { "no accelerometer reading at that time" };
    Ok(JobReport {
        job: "machine_learning_curated".into(),
        read: steps.rows(),
        filtered: vec![
            ("null time or serialNumber".into(), null_keys),
            (unmatched_reason.into(), steps.rows() - left_matched - null_keys),
        ],
        matched: Some(left_matched),
        written: curated.rows,
        outputs: vec![curated],
        seconds: started.elapsed().as_secs_f64(),
        ..JobReport::default()
    })
}

/// Step readings joined with accelerometer readings, with the COLUMNS names; and how many step
/// readings matched and had null keys.
fn join(steps: &Table, readings: &Table, owners: Option<&Table>) -> Result<(Table, u64, u64)> {
    let out = match owners {
        None => inner_join(
            JoinInput { schema: &steps.schema, batches: &steps.batches, keys: &["sensorReadingTime"] },
            JoinInput { schema: &readings.schema, batches: &readings.batches, keys: &["timestamp"] },
        )?,
        Some(owners) => {
            // Give every reading the serial number(s) its user owns, then match time and serial.
            let owned = inner_join(
                JoinInput { schema: &readings.schema, batches: &readings.batches, keys: &["user"] },
                JoinInput { schema: &owners.schema, batches: &owners.batches, keys: &["email"] },
            )?;
            let cols = ["timestamp", "x", "y", "z", "serialNumber"];
            let owned_schema = select_schema(&owned.schema, &cols)?;
            let owned_batches: Vec<_> = owned.batches.par_iter().map(|b| select(b, &cols)).collect::<Result<_>>()?;
            inner_join(
                JoinInput {
                    schema: &steps.schema,
                    batches: &steps.batches,
                    keys: &["sensorReadingTime", "serialNumber"],
                },
                JoinInput { schema: &owned_schema, batches: &owned_batches, keys: &["timestamp", "serialNumber"] },
            )?
        }
    };
    let table = Table { schema: out.schema, batches: out.batches };
    Ok((table, out.left_matched, out.left_null_keys))
}
