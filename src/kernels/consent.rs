//! The consent filter: keep rows whose consent column is present and non-zero.
//!
//! STEDI customers consented to research when `shareWithResearchAsOfDate` holds a date; older
//! exports wrote `null`, `0` or a float for "no", and newer ones leave the key out.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::DataType;
use arrow_select::filter::filter_record_batch;

use crate::error::{Error, Result};

/// Which rows of `batch` have a present, non-zero value in `column`.
///
/// # Errors
/// [`Error::InvalidArgument`] when the column is missing or not numeric.
pub fn consent_mask(batch: &RecordBatch, column: &str) -> Result<BooleanArray> {
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
pub fn consent_filter(batch: &RecordBatch, column: &str) -> Result<RecordBatch> {
    let mask = consent_mask(batch, column)?;
    Ok(filter_record_batch(batch, &mask)?)
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
}
