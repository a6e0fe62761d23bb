//! Streaming queries with Spark Structured Streaming's semantics: a file source (Parquet, JSON,
//! CSV), an event-time watermark, windowed and plain aggregation with append / update / complete
//! output, or rows passing through (de-duplicated or not), in checkpointed exactly-once
//! micro-batches. Nothing here knows reviews: the gold job (`stedi::gold`) declares its schema
//! and query.

pub mod accumulator;
pub mod checkpoint;
pub mod ddl;
pub mod duration;
pub mod engine;
pub mod groups;
pub mod input;
pub mod operator;
pub mod rows;
pub mod sink;
pub mod source;
pub mod spec;
pub mod state;

pub use engine::{BatchReport, StreamConfig, StreamQuery, Transforms, Trigger};
pub use source::SourceFormat;
pub use spec::{Aggregate, Deduplicate, OutputMode, QuerySpec, RowsSpec, StreamSpec, Window};

#[cfg(test)]
mod tests;
