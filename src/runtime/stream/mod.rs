//! Streaming queries with Spark Structured Streaming's semantics: a file source (Parquet, JSON,
//! CSV), an event-time watermark, windowed and plain aggregation with append / update / complete
//! output, or rows passing through (de-duplicated or not), in checkpointed exactly-once
//! micro-batches. Nothing here knows reviews: the gold job (`stedi::gold`) declares its schema
//! and query.

pub(crate) mod accumulator;
pub(crate) mod checkpoint;
pub(crate) mod ddl;
pub(crate) mod duration;
pub(crate) mod engine;
pub(crate) mod groups;
pub(crate) mod input;
pub(crate) mod operator;
pub(crate) mod rows;
pub(crate) mod sink;
pub(crate) mod source;
pub(crate) mod spec;
pub(crate) mod state;

pub(crate) use engine::{BatchReport, StreamConfig, StreamQuery, Transforms, Trigger};
pub(crate) use source::SourceFormat;
pub(crate) use spec::{Aggregate, Deduplicate, OutputMode, QuerySpec, RowsSpec, StreamSpec, Window};

#[cfg(test)]
mod tests;
