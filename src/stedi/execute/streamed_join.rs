//! A join plan (machine_learning_curated's shape): the source table's rows are the join's built
//! side; the other (larger) table streams past it row group by row group, each joined group
//! projected and written as it comes, so memory never holds the joined table.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::super::output;
use super::super::plan::{JobPlan, Lookup, Source, Step};
use super::super::report::JobReport;
use super::super::tables::{open_table, read_table, read_table_projected};
use super::super::Lake;
use super::{filtered, unsupported};
use crate::core::kernels::{select, select_schema, InnerJoinBuild, JoinInput};
use crate::core::pool;
use crate::error::Result;

pub(super) fn run(plan: &JobPlan, lake: &Lake) -> Result<JobReport> {
    let Source::Table { of, columns } = &plan.source else { unreachable!("run for table sources only") };
    let (join, rest) = plan.steps.split_first().expect("dispatched on a first Join step");
    let Step::Join { with, with_columns, lookup, keys, with_keys, .. } = join else { unreachable!("a Join step") };
    let projection = match rest {
        [] => None,
        [Step::Select { columns }] => Some(columns.as_slice()),
        [other, ..] => return Err(unsupported(plan, other)),
    };
    let built = read_table(lake, of.table, of.zone, of.producer, columns)?;
    let streamed = open_table(lake, with.table, with.zone, with.producer, with_columns)?;
    let lookup_table = match lookup {
        Some(l) => {
            let needed: Vec<&str> = l.of_keys.iter().chain(&l.carry).copied().collect();
            Some((l, read_table_projected(lake, l.of.table, l.of.zone, l.of.producer, &needed)?))
        }
        None => None,
    };
    let joiner = pool::install(|| -> Result<_> {
        Ok(StreamedJoin {
            built: InnerJoinBuild::new(JoinInput { schema: &built.schema, batches: &built.batches, keys })?,
            lookup: match &lookup_table {
                Some((l, table)) => Some((
                    *l,
                    InnerJoinBuild::new(JoinInput {
                        schema: &table.schema,
                        batches: &table.batches,
                        keys: &l.of_keys,
                    })?,
                )),
                None => None,
            },
            with_columns,
            with_keys,
            projection,
        })
    })?;
    let schema = joiner.output_schema(&streamed.schema)?;
    if let Some(column) = plan.forbidden_in(schema.fields().iter().map(|f| f.name().as_str())) {
        return Err(super::super::forbidden_column(plan, column));
    }
    let out = output::replace_table_streamed(
        &lake.output(plan.output.table, plan.output.zone),
        &schema,
        &streamed.row_groups(),
        |(file, group), sink| file.read(Some(vec![*group]), Some(with_columns), |batch| sink(joiner.probe(&batch)?)),
    )?;
    let matched = joiner.built.matched_build_rows();
    let null_keys = joiner.built.build_null_keys();
    Ok(JobReport {
        job: plan.job.into(),
        read: built.rows(),
        filtered: filtered(plan, false, &[null_keys, built.rows() - matched - null_keys])?,
        matched: Some(matched),
        written: out.rows,
        outputs: vec![out],
        ..JobReport::default()
    })
}

/// The built side of the join (and of the lookup the streamed rows pass first).
struct StreamedJoin<'p> {
    built: InnerJoinBuild,
    lookup: Option<(&'p Lookup, InnerJoinBuild)>,
    with_columns: &'p [&'static str],
    with_keys: &'p [&'static str],
    projection: Option<&'p [&'static str]>,
}

impl StreamedJoin<'_> {
    /// The columns the streamed rows have when they meet the built side: their own (the
    /// lookup's key columns dropped) and the looked-up ones.
    fn probe_columns(&self) -> Vec<&'static str> {
        let lookup = self.lookup.as_ref().map(|(l, _)| l);
        self.with_columns
            .iter()
            .filter(|c| lookup.is_none_or(|l| !l.keys.contains(c)))
            .chain(lookup.iter().flat_map(|l| l.carry.iter()))
            .copied()
            .collect()
    }

    /// The schema of the joined (and projected) rows of streamed rows of `schema`.
    fn output_schema(&self, schema: &SchemaRef) -> Result<SchemaRef> {
        let probe = match &self.lookup {
            None => schema.clone(),
            Some((_, lookup)) => select_schema(&lookup.output_schema(schema), &self.probe_columns())?,
        };
        let joined = self.built.output_schema(&probe);
        match self.projection {
            Some(columns) => select_schema(&joined, columns),
            None => Ok(joined),
        }
    }

    /// One batch of streamed rows joined with the built side.
    fn probe(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let probed = match &self.lookup {
            None => self.built.probe(batch, self.with_keys)?,
            Some((l, lookup)) => {
                let enriched = select(&lookup.probe(batch, &l.keys)?.batch, &self.probe_columns())?;
                self.built.probe(&enriched, self.with_keys)?
            }
        };
        match self.projection {
            Some(columns) => select(&probed.batch, columns),
            None => Ok(probed.batch),
        }
    }
}
