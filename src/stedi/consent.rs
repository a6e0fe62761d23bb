//! The consent filter: keep rows whose consent column is present and non-zero.
//!
//! STEDI customers consented to research when `shareWithResearchAsOfDate` holds a date; older
//! exports wrote `null`, `0` or a float for "no", and newer ones leave the key out.

use ahash::AHashMap as HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::DataType;
use arrow_select::filter::filter_record_batch;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Which rows of `batch` have a present, non-zero value in `column`.
///
/// # Errors
/// [`Error::InvalidArgument`] when the column is missing or not numeric.
pub(crate) fn consent_mask(batch: &RecordBatch, column: &str) -> Result<BooleanArray> {
    let array = batch
        .column_by_name(column)
        .ok_or_else(|| Error::InvalidArgument(format!("consent column {column} is not in the table")))?;
    let array = match array.data_type() {
        DataType::Int64 | DataType::Float64 => array.clone(),
        t if t.is_numeric() => arrow_cast::cast(array, &DataType::Float64)?,
        t => return Err(Error::InvalidArgument(format!("consent column {column} has type {t}, expected a number"))),
    };
    // A null is "no consent": the mask is false there, never null.
    let mask: BooleanArray = match array.data_type() {
        DataType::Int64 => array.as_primitive::<Int64Type>().iter().map(|v| Some(v.is_some_and(|v| v != 0))).collect(),
        _ => array
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| Some(v.is_some_and(|v| v != 0.0 && !v.is_nan())))
            .collect(),
    };
    Ok(mask)
}

/// The rows of `batch` with a present, non-zero value in `column`.
///
/// # Errors
/// As [`consent_mask`].
pub(crate) fn consent_filter(batch: &RecordBatch, column: &str) -> Result<RecordBatch> {
    let mask = consent_mask(batch, column)?;
    Ok(filter_record_batch(batch, &mask)?)
}

/// What the consent-dated filter kept and why it left rows out.
#[derive(Debug, Clone, Default)]
pub(crate) struct DatedConsentOutput {
    pub(crate) batches: Vec<RecordBatch>,
    /// Readings with a null user or time.
    pub(crate) null_keys: u64,
    /// Readings of a user who is not a consenting customer.
    pub(crate) no_consent: u64,
    /// Readings taken before the customer's consent time.
    pub(crate) before_consent: u64,
}

/// The readings taken by a consenting customer at or after the time of consent (strict mode).
///
/// `customers` gives each customer's email and consent time; a customer listed more than once
/// counts from the latest consent time, so no reading is kept that any record of that customer
/// would exclude.
///
/// # Errors
/// [`Error::InvalidArgument`] when a column is missing or of the wrong type.
pub(crate) fn consent_dated_filter(
    readings: &[RecordBatch],
    user_column: &str,
    time_column: &str,
    customers: &[RecordBatch],
    email_column: &str,
    consent_column: &str,
) -> Result<DatedConsentOutput> {
    let dates = ConsentDates::new(customers, email_column, consent_column)?;
    let parts: Vec<(RecordBatch, [u64; 3])> =
        readings.par_iter().map(|batch| dates.filter(batch, user_column, time_column)).collect::<Result<_>>()?;
    let mut out = DatedConsentOutput::default();
    for (batch, [null_keys, no_consent, before]) in parts {
        out.batches.push(batch);
        out.null_keys += null_keys;
        out.no_consent += no_consent;
        out.before_consent += before;
    }
    Ok(out)
}

/// Each consenting customer's (latest) consent time, ready to filter readings batch by batch.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConsentDates {
    since: HashMap<String, i64>,
}

impl ConsentDates {
    /// The consent times of `customers` (present, non-zero `consent_column`), by `email_column`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a column is missing or of the wrong type.
    pub(crate) fn new(customers: &[RecordBatch], email_column: &str, consent_column: &str) -> Result<Self> {
        let mut since: HashMap<String, i64> = HashMap::new();
        for batch in customers {
            let emails = string_column(batch, email_column)?;
            let times = int_column(batch, consent_column)?;
            for (email, time) in emails.iter().zip(times.iter()) {
                if let (Some(email), Some(time)) = (email, time.filter(|&t| t != 0)) {
                    let latest = since.entry(email.to_string()).or_insert(time);
                    *latest = (*latest).max(time);
                }
            }
        }
        Ok(Self { since })
    }

    /// The readings of `batch` taken at or after their user's consent time, and how many were
    /// left out: `[null user or time, no consenting customer, before consent]`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a column is missing or of the wrong type.
    pub(crate) fn filter(
        &self,
        batch: &RecordBatch,
        user_column: &str,
        time_column: &str,
    ) -> Result<(RecordBatch, [u64; 3])> {
        let users = string_column(batch, user_column)?;
        let times = int_column(batch, time_column)?;
        let mut counts = [0u64; 3];
        let mask: BooleanArray = users
            .iter()
            .zip(times.iter())
            .map(|(user, time)| {
                let outcome = if let (Some(user), Some(time)) = (user, time) {
                    match self.since.get(user) {
                        Some(&since) if time >= since => None,
                        Some(_) => Some(2),
                        None => Some(1),
                    }
                } else {
                    Some(0)
                };
                if let Some(reason) = outcome {
                    counts[reason] += 1;
                }
                Some(outcome.is_none())
            })
            .collect();
        Ok((filter_record_batch(batch, &mask)?, counts))
    }
}

fn string_column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a arrow_array::StringArray> {
    batch
        .column_by_name(name)
        .ok_or_else(|| Error::InvalidArgument(format!("column {name} is not in the table")))?
        .as_string_opt::<i32>()
        .ok_or_else(|| Error::InvalidArgument(format!("column {name} must be a string column")))
}

fn int_column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a arrow_array::Int64Array> {
    batch
        .column_by_name(name)
        .ok_or_else(|| Error::InvalidArgument(format!("column {name} is not in the table")))?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| Error::InvalidArgument(format!("column {name} must be an int64 column")))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, Int64Array, StringArray};
    use arrow_schema::{Field, Schema};

    use super::*;

    #[test]
    fn keeps_present_non_zero_consent_only() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("email", DataType::Utf8, true),
            Field::new("consent", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec!["a", "b", "c", "d"])),
                Arc::new(Int64Array::from(vec![Some(1_655_564_376_361), None, Some(0), Some(-5)])),
            ],
        )
        .unwrap();
        let kept = consent_filter(&batch, "consent").unwrap();
        let emails = kept.column(0).as_string::<i32>();
        assert_eq!(emails.iter().flatten().collect::<Vec<_>>(), ["a", "d"]);
    }

    #[test]
    fn float_consent_and_bad_columns() {
        let schema = Arc::new(Schema::new(vec![Field::new("c", DataType::Float64, true)]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Float64Array::from(vec![Some(0.0), Some(1.5), None, Some(f64::NAN)]))],
        )
        .unwrap();
        assert_eq!(consent_filter(&batch, "c").unwrap().num_rows(), 1);
        assert!(matches!(consent_filter(&batch, "missing"), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn dated_consent_keeps_readings_at_or_after_the_latest_consent() {
        let customers = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("email", DataType::Utf8, true),
                Field::new("consent", DataType::Int64, true),
            ])),
            vec![
                Arc::new(StringArray::from(vec![Some("a"), Some("a"), Some("b"), Some("c")])),
                Arc::new(Int64Array::from(vec![Some(10), Some(20), Some(0), None])),
            ],
        )
        .unwrap();
        let readings = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("user", DataType::Utf8, true),
                Field::new("ts", DataType::Int64, true),
            ])),
            vec![
                Arc::new(StringArray::from(vec![Some("a"), Some("a"), Some("a"), Some("b"), None, Some("z")])),
                Arc::new(Int64Array::from(vec![Some(15), Some(20), Some(25), Some(99), Some(1), Some(1)])),
            ],
        )
        .unwrap();
        let out = consent_dated_filter(&[readings], "user", "ts", &[customers], "email", "consent").unwrap();
        let kept = out.batches[0].column(1).as_primitive::<Int64Type>().values().to_vec();
        assert_eq!(kept, [20, 25]);
        assert_eq!((out.null_keys, out.no_consent, out.before_consent), (1, 2, 1));
    }
}
