//! The plan's row filters made ready to run batch by batch (inside the landing decode, or over a
//! table's batches): each holds what it needs from the other tables, and counts what it leaves
//! out per reason.

use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;

use super::super::plan::{JobPlan, Step, TableRef};
use super::super::tables::{read_key_set, read_table_projected, Table};
use super::super::Lake;
use super::unsupported;
use crate::core::kernels::{JoinInput, SemiJoinFilter};
use crate::error::Result;
use crate::stedi::consent::{consent_filter, ConsentDates};

/// One filter step, ready: the batches it keeps and the rows it leaves out per reason.
pub(super) enum RowFilter {
    Consent { column: &'static str },
    SemiJoin { set: SemiJoinFilter, keys: Vec<&'static str> },
    ConsentDated { dates: ConsentDates, user: &'static str, time: &'static str },
}

impl RowFilter {
    /// The filter of `step`, reading the table it checks rows against (only the columns needed).
    pub(super) fn prepare(plan: &JobPlan, step: &Step, lake: &Lake) -> Result<Self> {
        Ok(match step {
            Step::Consent { column, .. } => RowFilter::Consent { column },
            Step::SemiJoin { of, keys, of_keys, .. } => {
                let table = read_key_set(lake, of.table, of.zone, of.producer, of_keys)?;
                let set =
                    SemiJoinFilter::new(JoinInput { schema: &table.schema, batches: &table.batches, keys: of_keys })?;
                RowFilter::SemiJoin { set, keys: keys.clone() }
            }
            Step::ConsentDated { of, user, time, email, consent, .. } => {
                let table = read(lake, of, &[email, consent])?;
                RowFilter::ConsentDated { dates: ConsentDates::new(&table.batches, email, consent)?, user, time }
            }
            other => return Err(unsupported(plan, other)),
        })
    }

    /// How many reasons the filter counts under.
    pub(super) fn reasons(&self) -> usize {
        match self {
            RowFilter::Consent { .. } => 1,
            RowFilter::SemiJoin { .. } => 2,
            RowFilter::ConsentDated { .. } => 3,
        }
    }

    /// The rows of `batch` the filter keeps; what it leaves out is added to `counts` (one slot
    /// per reason).
    fn apply(&self, batch: &RecordBatch, counts: &[AtomicU64]) -> Result<RecordBatch> {
        let (kept, left_out): (RecordBatch, Vec<u64>) = match self {
            RowFilter::Consent { column } => {
                let kept = consent_filter(batch, column)?;
                let left_out = (batch.num_rows() - kept.num_rows()) as u64;
                (kept, vec![left_out])
            }
            RowFilter::SemiJoin { set, keys } => {
                let (kept, null_keys, unmatched) = set.filter(batch, keys)?;
                (kept, vec![null_keys, unmatched])
            }
            RowFilter::ConsentDated { dates, user, time } => {
                let (kept, left_out) = dates.filter(batch, user, time)?;
                (kept, left_out.to_vec())
            }
        };
        for (slot, n) in counts.iter().zip(left_out) {
            slot.fetch_add(n, Ordering::Relaxed);
        }
        Ok(kept)
    }
}

fn read(lake: &Lake, of: &TableRef, columns: &[&str]) -> Result<Table> {
    read_table_projected(lake, of.table, of.zone, of.producer, columns)
}

/// Filters applied one after another, counting from many threads at once.
pub(super) struct FilterChain {
    filters: Vec<RowFilter>,
    counts: Vec<AtomicU64>,
}

impl FilterChain {
    pub(super) fn new(filters: Vec<RowFilter>) -> Self {
        let slots = filters.iter().map(RowFilter::reasons).sum();
        Self { filters, counts: (0..slots).map(|_| AtomicU64::new(0)).collect() }
    }

    /// The rows of `batch` every filter keeps.
    pub(super) fn apply(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let mut kept = batch.clone();
        let mut first_slot = 0;
        for filter in &self.filters {
            kept = filter.apply(&kept, &self.counts[first_slot..first_slot + filter.reasons()])?;
            first_slot += filter.reasons();
        }
        Ok(kept)
    }

    /// Count again from zero (the landing files are decoded once more).
    pub(super) fn reset(&self) {
        for slot in &self.counts {
            slot.store(0, Ordering::Relaxed);
        }
    }

    /// The rows left out, per reason in plan order.
    pub(super) fn counts(&self) -> Vec<u64> {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).collect()
    }
}
