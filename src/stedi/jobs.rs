//! The five STEDI jobs, described once: every rule, reason and column of the lakehouse is here.
//! Both engines run these descriptions (see [`super::plan`]).
//!
//! * customer_landing_to_trusted: customers who consented to research use (the consent column is
//!   present and non-zero). Not de-duplicated: the rubric's job copies every consenting record.
//! * accelerometer_landing_to_trusted: DISTINCT readings whose `user` is a trusted customer's
//!   email; strict: and taken at or after that customer's consent time.
//! * customer_trusted_to_curated: DISTINCT trusted customers who have accelerometer readings (in
//!   strict mode those are already consent-dated, so this follows).
//! * step_trainer_trusted: DISTINCT step-trainer readings whose serial number belongs to a
//!   curated customer. Serial numbers were once reused, so nothing assumes they are unique.
//! * machine_learning_curated: step readings joined with the accelerometer readings taken at the
//!   same time (`sensorReadingTime = timestamp`, the published rubric: timestamps collide across
//!   users, so one step reading may pair with another user's readings), without personal data.
//!   Strict: the reading's user must also own the step trainer's serial number.

use super::plan::{JobPlan, Lookup, Source, Step, TableRef};
use crate::error::{Error, Result};

/// The STEDI jobs, in the order they run.
pub(crate) const STEDI_JOBS: [&str; 5] = [
    "customer_landing_to_trusted",
    "accelerometer_landing_to_trusted",
    "customer_trusted_to_curated",
    "step_trainer_trusted",
    "machine_learning_curated",
];

/// The customer column that holds the research consent (a time, or 0 / null for none).
pub(crate) const CONSENT_COLUMN: &str = "shareWithResearchAsOfDate";

/// Columns that identify a person in the STEDI tables (compared ignoring case).
pub(crate) const PII_COLUMNS: [&str; 5] = ["customerName", "email", "phone", "birthDay", "user"];

/// The columns of machine_learning_curated: no email, name, phone or birthday.
pub(crate) const ML_COLUMNS: [&str; 6] = ["sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"];

const CUSTOMER_TRUSTED: TableRef =
    TableRef { table: "customer", zone: "trusted", producer: "customer_landing_to_trusted" };
const ACCELEROMETER_TRUSTED: TableRef =
    TableRef { table: "accelerometer", zone: "trusted", producer: "accelerometer_landing_to_trusted" };
const CUSTOMER_CURATED: TableRef =
    TableRef { table: "customer", zone: "curated", producer: "customer_trusted_to_curated" };
const STEP_TRAINER_TRUSTED: TableRef =
    TableRef { table: "step_trainer", zone: "trusted", producer: "step_trainer_trusted" };
const ML_CURATED: TableRef = TableRef { table: "step_trainer", zone: "curated", producer: "machine_learning_curated" };

const DISTINCT: Step = Step::Distinct { reason: "duplicate row", already_reason: "already in the trusted table" };

/// The description of the STEDI job `job` (`strict`: consent-dated, same-customer rules instead
/// of the published rubric's).
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown job.
pub(crate) fn plan(job: &str, strict: bool) -> Result<JobPlan> {
    Ok(match job {
        "customer_landing_to_trusted" => JobPlan {
            job: STEDI_JOBS[0],
            source: Source::Landing { table: "customer" },
            steps: vec![Step::Consent { column: CONSENT_COLUMN, reason: "no research consent" }],
            output: CUSTOMER_TRUSTED,
            forbidden: Vec::new(),
        },
        "accelerometer_landing_to_trusted" => accelerometer_landing_to_trusted(strict),
        "customer_trusted_to_curated" => JobPlan {
            job: STEDI_JOBS[2],
            source: Source::Table { of: CUSTOMER_TRUSTED, columns: vec!["email"] },
            steps: vec![
                Step::SemiJoin {
                    of: ACCELEROMETER_TRUSTED,
                    keys: vec!["email"],
                    of_keys: vec!["user"],
                    null_reason: "null email",
                    unmatched_reason: "no accelerometer readings",
                },
                DISTINCT,
            ],
            output: CUSTOMER_CURATED,
            forbidden: Vec::new(),
        },
        "step_trainer_trusted" => JobPlan {
            job: STEDI_JOBS[3],
            source: Source::Landing { table: "step_trainer" },
            steps: vec![
                Step::SemiJoin {
                    of: CUSTOMER_CURATED,
                    keys: vec!["serialNumber"],
                    of_keys: vec!["serialNumber"],
                    null_reason: "null serialNumber",
                    unmatched_reason: "no curated customer",
                },
                DISTINCT,
            ],
            output: STEP_TRAINER_TRUSTED,
            forbidden: Vec::new(),
        },
        "machine_learning_curated" => machine_learning_curated(strict),
        other => {
            return Err(Error::InvalidArgument(format!("unknown job {other}; known jobs: {}", STEDI_JOBS.join(", "))))
        }
    })
}

fn accelerometer_landing_to_trusted(strict: bool) -> JobPlan {
    let consenting = if strict {
        Step::ConsentDated {
            of: CUSTOMER_TRUSTED,
            user: "user",
            time: "timestamp",
            email: "email",
            consent: CONSENT_COLUMN,
            null_reason: "null user or timestamp",
            unmatched_reason: "no consenting customer",
            before_reason: "before consent",
        }
    } else {
        Step::SemiJoin {
            of: CUSTOMER_TRUSTED,
            keys: vec!["user"],
            of_keys: vec!["email"],
            null_reason: "null user",
            unmatched_reason: "no consenting customer",
        }
    };
    JobPlan {
        job: STEDI_JOBS[1],
        source: Source::Landing { table: "accelerometer" },
        steps: vec![consenting, DISTINCT],
        output: ACCELEROMETER_TRUSTED,
        forbidden: Vec::new(),
    }
}

fn machine_learning_curated(strict: bool) -> JobPlan {
    let join = if strict {
        // Each reading first gains the serial number(s) its user owns.
        Step::Join {
            with: ACCELEROMETER_TRUSTED,
            with_columns: vec!["user", "timestamp", "x", "y", "z"],
            lookup: Some(Lookup {
                of: CUSTOMER_CURATED,
                keys: vec!["user"],
                of_keys: vec!["email"],
                carry: vec!["serialNumber"],
            }),
            keys: vec!["sensorReadingTime", "serialNumber"],
            with_keys: vec!["timestamp", "serialNumber"],
            null_reason: "null time or serialNumber",
            unmatched_reason: "no reading of its owner at that time",
        }
    } else {
        // The default join needs no user: reading (and joining) without the email column saves
        // copying a string per output row.
        Step::Join {
            with: ACCELEROMETER_TRUSTED,
            with_columns: vec!["timestamp", "x", "y", "z"],
            lookup: None,
            keys: vec!["sensorReadingTime"],
            with_keys: vec!["timestamp"],
            null_reason: "null time or serialNumber",
            unmatched_reason: "no accelerometer reading at that time",
        }
    };
    JobPlan {
        job: STEDI_JOBS[4],
        source: Source::Table {
            of: STEP_TRAINER_TRUSTED,
            columns: vec!["sensorReadingTime", "serialNumber", "distanceFromObject"],
        },
        steps: vec![join, Step::Select { columns: ML_COLUMNS.to_vec() }],
        output: ML_CURATED,
        forbidden: PII_COLUMNS.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_has_a_plan_whose_inputs_come_from_earlier_jobs() {
        for strict in [false, true] {
            for (i, job) in STEDI_JOBS.iter().enumerate() {
                let plan = plan(job, strict).unwrap();
                assert_eq!(plan.job, *job);
                for input in plan.inputs() {
                    let producer = STEDI_JOBS.iter().position(|j| *j == input.producer).unwrap();
                    assert!(producer < i, "{job} reads {} before {} runs", input.name(), input.producer);
                }
            }
        }
    }

    #[test]
    fn no_personal_data_reaches_machine_learning_curated() {
        for strict in [false, true] {
            let plan = plan("machine_learning_curated", strict).unwrap();
            let Some(Step::Select { columns }) = plan.steps.last() else { panic!("ends with a projection") };
            assert_eq!(plan.forbidden_in(columns.iter().copied()), None);
            assert_eq!(plan.forbidden_in(["x", "Email"]), Some("Email"));
        }
    }

    #[test]
    fn the_json_form_names_each_step_as_the_engines_do() {
        for strict in [false, true] {
            for job in STEDI_JOBS {
                let plan = plan(job, strict).unwrap();
                let json = serde_json::to_value(&plan).unwrap();
                for (step, value) in plan.steps.iter().zip(json["steps"].as_array().unwrap()) {
                    assert_eq!(value["kind"], step.kind());
                }
                let reasons: usize = plan.steps.iter().map(|s| s.reasons(false).len()).sum();
                assert_eq!(plan.reasons(false).len(), reasons);
            }
        }
    }

    #[test]
    fn an_unknown_job_is_named() {
        let err = plan("nope", false).unwrap_err().to_string();
        assert!(err.contains("unknown job nope") && err.contains("customer_landing_to_trusted"), "{err}");
    }
}
