//! The state of a query without aggregation: rows pass through, de-duplicated on key columns
//! when asked (Spark's `dropDuplicates` / `dropDuplicatesWithinWatermark`), each key remembered
//! until the watermark passes its expiry.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch};
use arrow_cast::cast;
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use super::operator::{Operator, UpdateCounts};
use super::spec::{OutputMode, RowsSpec};
use crate::error::{Error, Result};

/// A key that the watermark never forgets.
const NEVER: i64 = i64::MAX;

/// Rows passing through a query without aggregation.
pub(crate) struct RowsState {
    output_schema: SchemaRef,
    /// The event-time column's position and the watermark delay (microseconds).
    event_time: Option<(usize, i64)>,
    dedup: Option<Dedup>,
    /// The rows the current batch passes, emitted at its end.
    pending: Vec<RecordBatch>,
}

struct Dedup {
    keys: Vec<usize>,
    key_fields: Vec<Field>,
    converter: RowConverter,
    within_watermark: bool,
    /// Where the event-time column is among the keys (`dropDuplicates` keyed by it).
    time_key: Option<usize>,
    /// Each key seen and when the watermark forgets it (microseconds, [`NEVER`]).
    seen: HashMap<Box<[u8]>, i64>,
}

/// The position of column `name` in `schema`: the exact spelling, else the one field equal
/// ignoring case (Spark resolves columns ignoring case).
fn position(schema: &Schema, name: &str) -> Result<usize> {
    if let Ok(i) = schema.index_of(name) {
        return Ok(i);
    }
    let mut found = schema.fields().iter().enumerate().filter(|(_, f)| f.name().eq_ignore_ascii_case(name));
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Ok(i),
        _ => Err(Error::InvalidArgument(format!(
            "the stream has no column {name} (its columns: {})",
            schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn micros(column: &ArrayRef) -> Result<Int64Array> {
    let utc = cast(column, &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())))?;
    Ok(cast(&utc, &DataType::Int64)?.as_primitive::<Int64Type>().clone())
}

impl RowsState {
    /// An empty state for `spec` over rows of `input` schema.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a missing column or an event time that is not a timestamp.
    pub(crate) fn new(spec: &RowsSpec, input: &SchemaRef) -> Result<Self> {
        let event_time = match &spec.watermark {
            Some((column, delay)) => {
                let i = position(input, column)?;
                if !matches!(input.field(i).data_type(), DataType::Timestamp(..)) {
                    return Err(Error::InvalidArgument(format!(
                        "the event-time column {column} is {}, not a timestamp",
                        crate::core::types::display_name(
                            input.field(i).data_type(),
                            crate::core::types::Dialect::SparkDdl
                        )
                    )));
                }
                Some((i, *delay))
            }
            None => None,
        };
        let dedup = match &spec.deduplicate {
            Some(d) => {
                let keys = d.keys.iter().map(|k| position(input, k)).collect::<Result<Vec<_>>>()?;
                let key_fields: Vec<Field> = keys.iter().map(|&i| input.field(i).clone()).collect();
                let converter =
                    RowConverter::new(key_fields.iter().map(|f| SortField::new(f.data_type().clone())).collect())?;
                let time_key = event_time.and_then(|(t, _)| keys.iter().position(|&k| k == t));
                Some(Dedup {
                    keys,
                    key_fields,
                    converter,
                    within_watermark: d.within_watermark,
                    time_key,
                    seen: HashMap::new(),
                })
            }
            None => None,
        };
        Ok(Self { output_schema: Arc::clone(input), event_time, dedup, pending: Vec::new() })
    }
}

impl Dedup {
    /// When the watermark forgets a key first seen with event time `time` (null: `None`).
    fn expiry(&self, time: Option<i64>, delay: Option<i64>) -> i64 {
        match (self.within_watermark, delay) {
            // Spark reads a null event time as 0 here.
            (true, Some(delay)) => time.unwrap_or(0).saturating_add(delay),
            (false, Some(_)) if self.time_key.is_some() => time.unwrap_or(NEVER),
            _ => NEVER,
        }
    }

    /// Which rows of `batch` pass: not late, and a key not seen before (in this batch included).
    fn keep(
        &mut self,
        batch: &RecordBatch,
        times: Option<&Int64Array>,
        late_watermark: i64,
        delay: Option<i64>,
    ) -> Result<(BooleanArray, UpdateCounts)> {
        let columns: Vec<ArrayRef> = self.keys.iter().map(|&i| Arc::clone(batch.column(i))).collect();
        let rows = self.converter.convert_columns(&columns)?;
        let mut counts = UpdateCounts::default();
        let mut keep = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let time = times.and_then(|t| t.is_valid(row).then(|| t.value(row)));
            if delay.is_some() && time.is_some_and(|t| t <= late_watermark) {
                counts.late += 1;
                keep.push(false);
                continue;
            }
            let key = rows.row(row);
            if self.seen.contains_key(key.data()) {
                counts.duplicates += 1;
                keep.push(false);
            } else {
                let expiry = self.expiry(time, delay);
                self.seen.insert(key.data().into(), expiry);
                counts.passed += 1;
                keep.push(true);
            }
        }
        Ok((BooleanArray::from(keep), counts))
    }
}

impl Operator for RowsState {
    fn update(&mut self, batch: &RecordBatch, late_watermark: i64) -> Result<UpdateCounts> {
        let times = self.event_time.map(|(i, _)| micros(batch.column(i))).transpose()?;
        let max_event_time = times.as_ref().and_then(|t| t.iter().flatten().max());
        let delay = self.event_time.map(|(_, d)| d);
        let mut counts = match &mut self.dedup {
            None => {
                self.pending.push(batch.clone());
                UpdateCounts { passed: batch.num_rows() as u64, ..UpdateCounts::default() }
            }
            Some(dedup) => {
                let (keep, counts) = dedup.keep(batch, times.as_ref(), late_watermark, delay)?;
                self.pending.push(arrow_select::filter::filter_record_batch(batch, &keep)?);
                counts
            }
        };
        counts.rows = batch.num_rows() as u64;
        counts.max_event_time = max_event_time;
        Ok(counts)
    }

    /// The rows this batch passed; then keys whose expiry the watermark reached are forgotten.
    fn emit(&mut self, _mode: OutputMode, watermark: i64) -> Result<RecordBatch> {
        let rows = arrow_select::concat::concat_batches(&self.output_schema, &std::mem::take(&mut self.pending))?;
        if let Some(dedup) = &mut self.dedup {
            if self.event_time.is_some() {
                dedup.seen.retain(|_, expiry| *expiry > watermark);
            }
        }
        Ok(rows)
    }

    fn len(&self) -> usize {
        self.dedup.as_ref().map_or(0, |d| d.seen.len())
    }

    /// The remembered keys (their columns) and each one's expiry (`__expires`).
    fn snapshot(&self) -> Result<RecordBatch> {
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        let mut expiries = Vec::new();
        if let Some(dedup) = &self.dedup {
            let mut entries: Vec<(&Box<[u8]>, &i64)> = dedup.seen.iter().collect();
            entries.sort_unstable();
            let parser = dedup.converter.parser();
            let decoded = dedup.converter.convert_rows(entries.iter().map(|(k, _)| parser.parse(k)))?;
            for (field, column) in dedup.key_fields.iter().zip(decoded) {
                fields.push(Field::new(field.name(), column.data_type().clone(), true));
                columns.push(column);
            }
            expiries.extend(entries.iter().map(|(_, e)| **e));
        }
        fields.push(Field::new("__expires", DataType::Int64, false));
        columns.push(Arc::new(Int64Array::from(expiries)));
        Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
    }

    fn restore(&mut self, snapshot: &RecordBatch) -> Result<()> {
        let bad = |why: &str| Error::InvalidArgument(format!("the checkpoint's state does not fit this query: {why}"));
        let keys = self.dedup.as_ref().map_or(0, |d| d.keys.len());
        if snapshot.num_columns() != keys + 1 {
            return Err(bad("wrong number of columns"));
        }
        let Some(dedup) = &mut self.dedup else { return Ok(()) };
        let expiries = snapshot.column(keys).as_primitive_opt::<Int64Type>().ok_or_else(|| bad("expiry column"))?;
        let columns = (0..keys)
            .map(|i| cast(snapshot.column(i), dedup.key_fields[i].data_type()).map_err(|_| bad("key column type")))
            .collect::<Result<Vec<_>>>()?;
        let rows = dedup.converter.convert_columns(&columns)?;
        dedup.seen = (0..snapshot.num_rows()).map(|r| (rows.row(r).data().into(), expiries.value(r))).collect();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::{Int32Array, TimestampMicrosecondArray};

    use super::*;
    use crate::runtime::stream::spec::Deduplicate;

    const S: i64 = 1_000_000;

    fn batch(ids: &[i32], seconds: &[Option<i64>]) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int32, true),
            Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
        ]);
        let times: TimestampMicrosecondArray = seconds.iter().map(|s| s.map(|s| s * S)).collect();
        RecordBatch::try_new(
            Arc::new(schema),
            vec![Arc::new(Int32Array::from(ids.to_vec())), Arc::new(times.with_timezone("UTC"))],
        )
        .unwrap()
    }

    fn ids(rows: &RecordBatch) -> Vec<i32> {
        rows.column(0).as_primitive::<arrow_array::types::Int32Type>().values().to_vec()
    }

    fn spec(keys: &[&str], within: bool) -> RowsSpec {
        RowsSpec {
            watermark: Some(("ts".into(), 10 * S)),
            deduplicate: Some(Deduplicate {
                keys: keys.iter().map(|k| (*k).to_string()).collect(),
                within_watermark: within,
            }),
            output_mode: OutputMode::Append,
        }
    }

    #[test]
    fn within_the_watermark_a_key_is_forgotten_after_its_first_time_plus_the_delay() {
        let first = batch(&[1, 1, 2], &[Some(100), Some(101), Some(100)]);
        let mut state = RowsState::new(&spec(&["id"], true), first.schema_ref()).unwrap();
        let counts = state.update(&first, 0).unwrap();
        assert_eq!((counts.passed, counts.duplicates, counts.late), (2, 1, 0));
        assert_eq!(ids(&state.emit(OutputMode::Append, 0).unwrap()), [1, 2]);
        // Watermark 105 s: late rows are at or below it; keys expire at 110 s.
        let second = batch(&[1, 3, 4], &[Some(120), Some(105), Some(106)]);
        let counts = state.update(&second, 105 * S).unwrap();
        assert_eq!((counts.passed, counts.duplicates, counts.late), (1, 1, 1));
        assert_eq!(ids(&state.emit(OutputMode::Append, 110 * S).unwrap()), [4]);
        assert_eq!(state.len(), 1, "ids 1 and 2 expired at 110 s; id 4 expires at 116 s");
        let snapshot = state.snapshot().unwrap();
        let mut restored = RowsState::new(&spec(&["id"], true), first.schema_ref()).unwrap();
        restored.restore(&snapshot).unwrap();
        assert_eq!(restored.snapshot().unwrap(), snapshot);
        let third = batch(&[4, 1], &[Some(130), Some(130)]);
        restored.update(&third, 110 * S).unwrap();
        assert_eq!(ids(&restored.emit(OutputMode::Append, 120 * S).unwrap()), [1]);
    }

    #[test]
    fn drop_duplicates_forgets_a_key_with_its_event_time_and_never_without_it() {
        let rows = batch(&[1, 1, 1], &[Some(100), Some(100), Some(200)]);
        let mut timed = RowsState::new(&spec(&["id", "ts"], false), rows.schema_ref()).unwrap();
        timed.update(&rows, 0).unwrap();
        assert_eq!(ids(&timed.emit(OutputMode::Append, 150 * S).unwrap()), [1, 1]);
        assert_eq!(timed.len(), 1, "(1, 100 s) is forgotten at watermark 150 s");
        let mut untimed = RowsState::new(&spec(&["ID"], false), rows.schema_ref()).unwrap();
        untimed.update(&rows, 0).unwrap();
        untimed.emit(OutputMode::Append, 1_000 * S).unwrap();
        assert_eq!(untimed.len(), 1, "without the event time among the keys, keys stay");
    }

    #[test]
    fn without_deduplication_every_row_passes_late_or_not() {
        let rows = batch(&[1, 1], &[Some(1), None]);
        let plain = RowsSpec { watermark: None, deduplicate: None, output_mode: OutputMode::Append };
        let mut state = RowsState::new(&plain, rows.schema_ref()).unwrap();
        let counts = state.update(&rows, 50 * S).unwrap();
        assert_eq!((counts.rows, counts.passed), (2, 2));
        assert_eq!(state.emit(OutputMode::Append, 0).unwrap().num_rows(), 2);
        assert_eq!(state.snapshot().unwrap().num_columns(), 1);
        let bad = RowsSpec { watermark: Some(("id".into(), S)), ..plain };
        assert!(RowsState::new(&bad, rows.schema_ref()).err().unwrap().to_string().contains("not a timestamp"));
    }
}
