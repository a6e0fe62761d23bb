//! The aggregation state: one entry per open group, keyed by the group's time (window start or
//! event time) and its group-by values (row-encoded). Rows at or below the watermark are late;
//! groups whose time closes at or below the watermark are emitted once and leave the state.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_cast::cast;
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use rayon::prelude::*;

use super::accumulator::{finish, Acc, AggPlan, Values};
use super::groups::{start_of, time_key, Groups, Keyed};
use super::operator::Operator;
use super::spec::{OutputMode, QuerySpec};
use crate::core::pool;
use crate::error::{Error, Result};

/// Rows keyed per task when a batch is split over the pool.
const ROWS_PER_TASK: usize = 1 << 16;

pub(crate) use super::operator::UpdateCounts;

/// Open groups of a streaming aggregation.
pub(crate) struct AggState {
    spec: QuerySpec,
    plans: Vec<AggPlan>,
    group_fields: Vec<Field>,
    converter: RowConverter,
    groups: Groups,
    output_schema: SchemaRef,
}

/// Event-time timestamps as microseconds in UTC (Spark's unit).
fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

impl AggState {
    /// An empty state for `spec` over input of `input` schema.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming a missing column or a column of the wrong type.
    pub(crate) fn new(spec: &QuerySpec, input: &Schema) -> Result<Self> {
        spec.validate()?;
        let field = |name: &str| {
            input.field_with_name(name).map_err(|_| Error::InvalidArgument(format!("the input has no column {name}")))
        };
        let time = field(&spec.event_time)?;
        if !matches!(time.data_type(), DataType::Timestamp(..)) {
            return Err(Error::InvalidArgument(format!(
                "the event-time column {} is {}, not a timestamp",
                spec.event_time,
                time.data_type()
            )));
        }
        let group_fields: Vec<Field> = spec.group_by.iter().map(|c| field(c).cloned()).collect::<Result<_>>()?;
        let plans: Vec<AggPlan> = spec
            .aggregates
            .iter()
            .map(|a| AggPlan::new(a, a.column.as_deref().map(field).transpose()?))
            .collect::<Result<_>>()?;
        let converter =
            RowConverter::new(group_fields.iter().map(|f| SortField::new(f.data_type().clone())).collect())?;
        let mut fields = Vec::new();
        if spec.window.is_some() {
            fields.push(Field::new("window_start", timestamp_type(), false));
            fields.push(Field::new("window_end", timestamp_type(), false));
        }
        fields.extend(group_fields.iter().cloned());
        fields.extend(plans.iter().map(AggPlan::output_field));
        let output_schema = Arc::new(Schema::new(fields));
        Ok(Self { spec: spec.clone(), plans, group_fields, converter, groups: Groups::default(), output_schema })
    }

    /// Fold `batch` into the state; rows late for `watermark` (microseconds) are dropped and counted.
    ///
    /// # Errors
    /// Arrow errors (casts of columns checked by [`AggState::new`]).
    pub(crate) fn update(&mut self, batch: &RecordBatch, watermark: i64) -> Result<UpdateCounts> {
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| Error::InvalidArgument(format!("a batch has no column {name}")))
        };
        crate::core::kernels::check_row_positions("streaming aggregation batch", batch.num_rows())?;
        let times = cast(column(&self.spec.event_time)?, &timestamp_type())?;
        let times = cast(&times, &DataType::Int64)?;
        let times = times.as_primitive::<Int64Type>();
        let group_columns: Vec<ArrayRef> =
            self.spec.group_by.iter().map(|c| column(c).cloned()).collect::<Result<_>>()?;
        let rows = self.converter.convert_columns(&group_columns)?;
        let values: Vec<Values> = self
            .plans
            .iter()
            .map(|p| Values::of(p, p.aggregate.column.as_deref().map(column).transpose()?))
            .collect::<Result<_>>()?;

        // Each range of rows is keyed in parallel (its groups' times and hashes, by shard), then
        // the shards fold in parallel, every shard taking the ranges in order.
        let ranges: Vec<std::ops::Range<usize>> = (0..batch.num_rows())
            .step_by(ROWS_PER_TASK)
            .map(|start| start..(start + ROWS_PER_TASK).min(batch.num_rows()))
            .collect();
        let groups = &self.groups;
        let keyed: Vec<(Vec<Vec<Keyed>>, UpdateCounts)> = pool::install(|| {
            ranges.into_par_iter().map(|range| self.key_rows(range, times, &rows, groups, watermark)).collect()
        });
        let mut counts = UpdateCounts { rows: batch.num_rows() as u64, ..UpdateCounts::default() };
        for (_, part) in &keyed {
            counts.aggregated += part.aggregated;
            counts.late += part.late;
            counts.null_time += part.null_time;
            counts.max_event_time = counts.max_event_time.max(part.max_event_time);
        }
        let parts: Vec<Vec<Vec<Keyed>>> = keyed.into_iter().map(|(lists, _)| lists).collect();
        let plans = &self.plans;
        self.groups.fold(
            &parts,
            |row| group_key(&rows, row),
            || plans.iter().map(AggPlan::empty).collect(),
            |accs, row| {
                for ((acc, plan), values) in accs.iter_mut().zip(plans).zip(&values) {
                    acc.update(plan.aggregate.func, values, row);
                }
            },
        );
        Ok(counts)
    }

    /// The groups the rows `range` fold into, by shard, and their counts (`rows` not set).
    fn key_rows(
        &self,
        range: std::ops::Range<usize>,
        times: &arrow_array::Int64Array,
        rows: &arrow_row::Rows,
        groups: &Groups,
        watermark: i64,
    ) -> (Vec<Vec<Keyed>>, UpdateCounts) {
        let mut counts = UpdateCounts::default();
        let mut lists = Groups::new_lists();
        let mut starts = Vec::with_capacity(4);
        let time_keyed = self.spec.time_keyed();
        for row in range {
            if times.is_null(row) {
                if time_keyed {
                    counts.null_time += 1;
                    continue;
                }
            } else {
                let ts = times.value(row);
                counts.max_event_time = Some(counts.max_event_time.map_or(ts, |m| m.max(ts)));
            }
            let ts = times.value(row);
            starts.clear();
            match self.spec.window {
                Some(window) => window.starts(ts, |start| {
                    if start + window.size > watermark {
                        starts.push(start);
                    }
                }),
                None if !time_keyed => starts.push(0),
                None if ts > watermark => starts.push(ts),
                None => {}
            }
            if starts.is_empty() {
                counts.late += 1;
                continue;
            }
            counts.aggregated += 1;
            let values = group_key(rows, row);
            // Lossless: `update` checked the batch's rows with check_row_positions.
            #[allow(clippy::cast_possible_truncation)]
            let position = row as u32;
            for &start in &starts {
                Groups::push(&mut lists, Keyed { row: position, start, hash: groups.hash(start, values) });
            }
        }
        (lists, counts)
    }

    /// The groups that folded a row since the last call (Spark's update mode), ordered by time
    /// and keys; they stay open.
    ///
    /// # Errors
    /// Arrow errors building the batch.
    pub(crate) fn take_updated(&mut self) -> Result<RecordBatch> {
        let entries = self.groups.take_updated();
        self.to_batch(&entries)
    }

    /// Every open group (Spark's complete mode), ordered by time and keys.
    ///
    /// # Errors
    /// Arrow errors building the batch.
    pub(crate) fn all(&self) -> Result<RecordBatch> {
        let entries: Vec<(Box<[u8]>, Vec<Acc>)> =
            self.groups.sorted().into_iter().map(|(k, a)| (k.into(), a.to_vec())).collect();
        self.to_batch(&entries)
    }

    /// Remove and return the groups that close at or below `watermark`, ordered by time and keys.
    ///
    /// # Errors
    /// Arrow errors building the batch.
    pub(crate) fn evict(&mut self, watermark: i64) -> Result<RecordBatch> {
        let size = self.spec.window.map_or(0, |w| w.size);
        let time_keyed = self.spec.time_keyed();
        let entries = self.groups.remove_closed(|key| time_keyed && start_of(key) + size <= watermark);
        self.to_batch(&entries)
    }

    fn to_batch(&self, entries: &[(Box<[u8]>, Vec<Acc>)]) -> Result<RecordBatch> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.output_schema.fields().len());
        if let Some(window) = self.spec.window {
            let starts: Vec<i64> = entries.iter().map(|(k, _)| start_of(k)).collect();
            let ends = starts.iter().map(|s| s + window.size);
            columns.push(Arc::new(TimestampMicrosecondArray::from(starts.clone()).with_timezone("UTC")));
            columns.push(Arc::new(TimestampMicrosecondArray::from_iter_values(ends).with_timezone("UTC")));
        }
        columns.extend(self.group_columns(entries)?);
        for (i, plan) in self.plans.iter().enumerate() {
            let accs: Vec<&Acc> = entries.iter().map(|(_, a)| &a[i]).collect();
            columns.push(finish(plan, &accs)?);
        }
        Ok(RecordBatch::try_new_with_options(
            self.output_schema.clone(),
            columns,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(entries.len())),
        )?)
    }

    fn group_columns(&self, entries: &[(Box<[u8]>, Vec<Acc>)]) -> Result<Vec<ArrayRef>> {
        if self.group_fields.is_empty() {
            return Ok(Vec::new());
        }
        let parser = self.converter.parser();
        let rows = entries.iter().map(|(k, _)| parser.parse(&k[8..]));
        Ok(self.converter.convert_rows(rows)?)
    }

    /// The whole state as a batch (for the checkpoint): the group columns and time, then each
    /// accumulator as an integer, a float and a text column.
    ///
    /// # Errors
    /// Arrow errors.
    pub(crate) fn snapshot(&self) -> Result<RecordBatch> {
        let entries = self.groups.sorted();
        let mut fields = vec![Field::new("__time", DataType::Int64, false)];
        let mut columns: Vec<ArrayRef> =
            vec![Arc::new(Int64Array::from_iter_values(entries.iter().map(|(k, _)| start_of(k))))];
        if !self.group_fields.is_empty() {
            let parser = self.converter.parser();
            let decoded = self.converter.convert_rows(entries.iter().map(|(k, _)| parser.parse(&k[8..])))?;
            for (field, column) in self.group_fields.iter().zip(decoded) {
                fields.push(Field::new(field.name(), column.data_type().clone(), true));
                columns.push(column);
            }
        }
        for i in 0..self.plans.len() {
            let (mut ints, mut floats, mut texts) = (Vec::new(), Vec::new(), Vec::new());
            for (_, accs) in &entries {
                let (int, float, text) = match &accs[i] {
                    Acc::Count(n) => (Some(*n), None, None),
                    Acc::SumInt(v) | Acc::Int(v) => (*v, None, None),
                    Acc::SumFloat(v) | Acc::Float(v) => (None, *v, None),
                    Acc::Avg(sum, n) => (Some(*n), Some(*sum), None),
                    Acc::Text(v) => (None, None, v.clone()),
                };
                ints.push(int);
                floats.push(float);
                texts.push(text);
            }
            fields.push(Field::new(format!("__i{i}"), DataType::Int64, true));
            fields.push(Field::new(format!("__f{i}"), DataType::Float64, true));
            fields.push(Field::new(format!("__s{i}"), DataType::Utf8, true));
            columns.push(Arc::new(Int64Array::from(ints)));
            columns.push(Arc::new(Float64Array::from(floats)));
            columns.push(Arc::new(StringArray::from(texts)));
        }
        Ok(RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            columns,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(entries.len())),
        )?)
    }

    /// Replace the state with a [`AggState::snapshot`].
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the snapshot does not fit this query.
    pub(crate) fn restore(&mut self, snapshot: &RecordBatch) -> Result<()> {
        let bad = |why: &str| Error::InvalidArgument(format!("the checkpoint's state does not fit this query: {why}"));
        let expected = 1 + self.group_fields.len() + 3 * self.plans.len();
        if snapshot.num_columns() != expected {
            return Err(bad("wrong number of columns"));
        }
        let times = snapshot.column(0).as_primitive_opt::<Int64Type>().ok_or_else(|| bad("time column"))?;
        let group_columns: Vec<ArrayRef> = (0..self.group_fields.len())
            .map(|i| {
                let column = snapshot.column(1 + i);
                cast(column, self.group_fields[i].data_type()).map_err(|_| bad("group column type"))
            })
            .collect::<Result<_>>()?;
        let rows = self.converter.convert_columns(&group_columns)?;
        let base = 1 + self.group_fields.len();
        let mut groups = Groups::default();
        for row in 0..snapshot.num_rows() {
            let mut key = time_key(times.value(row)).to_vec();
            key.extend_from_slice(group_key(&rows, row));
            let mut accs = Vec::with_capacity(self.plans.len());
            for (i, plan) in self.plans.iter().enumerate() {
                let ints = snapshot.column(base + 3 * i).as_primitive_opt::<Int64Type>().ok_or_else(|| bad("ints"))?;
                let floats = snapshot
                    .column(base + 3 * i + 1)
                    .as_primitive_opt::<arrow_array::types::Float64Type>()
                    .ok_or_else(|| bad("floats"))?;
                let texts = snapshot.column(base + 3 * i + 2).as_string_opt::<i32>().ok_or_else(|| bad("texts"))?;
                let int = ints.is_valid(row).then(|| ints.value(row));
                let float = floats.is_valid(row).then(|| floats.value(row));
                let text = texts.is_valid(row).then(|| texts.value(row).to_string());
                accs.push(match plan.empty() {
                    Acc::Count(_) => Acc::Count(int.unwrap_or(0)),
                    Acc::SumInt(_) => Acc::SumInt(int),
                    Acc::Int(_) => Acc::Int(int),
                    Acc::SumFloat(_) => Acc::SumFloat(float),
                    Acc::Float(_) => Acc::Float(float),
                    Acc::Avg(..) => Acc::Avg(float.unwrap_or(0.0), int.unwrap_or(0)),
                    Acc::Text(_) => Acc::Text(text),
                });
            }
            groups.insert(key.into_boxed_slice(), accs);
        }
        self.groups = groups;
        Ok(())
    }
}

impl Operator for AggState {
    fn update(&mut self, batch: &RecordBatch, late_watermark: i64) -> Result<UpdateCounts> {
        AggState::update(self, batch, late_watermark)
    }

    /// Append: the groups the watermark closed. Update: the groups this batch changed, then the
    /// closed ones leave unemitted. Complete: every group.
    fn emit(&mut self, mode: OutputMode, watermark: i64) -> Result<RecordBatch> {
        match mode {
            OutputMode::Append => self.evict(watermark),
            OutputMode::Update => {
                let updated = self.take_updated()?;
                self.evict(watermark)?;
                Ok(updated)
            }
            OutputMode::Complete => self.all(),
        }
    }

    fn len(&self) -> usize {
        self.groups.len()
    }

    fn snapshot(&self) -> Result<RecordBatch> {
        AggState::snapshot(self)
    }

    fn restore(&mut self, snapshot: &RecordBatch) -> Result<()> {
        AggState::restore(self, snapshot)
    }
}

/// The encoded group columns of `row`; nothing for a query grouped by its window alone (the row
/// converter of no columns holds no rows).
fn group_key(rows: &arrow_row::Rows, row: usize) -> &[u8] {
    if rows.num_rows() == 0 {
        &[]
    } else {
        rows.row(row).data()
    }
}
