//! Streaming aggregation with Spark Structured Streaming's semantics: a file source, an
//! event-time watermark, windowed and plain grouping, append / update / complete output,
//! checkpointed exactly-once micro-batches. Nothing here knows reviews: the gold job (`jobs::gold`) declares its schema
//! and query.

pub mod accumulator;
pub mod checkpoint;
pub mod ddl;
pub mod duration;
pub mod engine;
pub mod groups;
pub mod input;
pub mod sink;
pub mod source;
pub mod spec;
pub mod state;

pub use engine::{BatchReport, StreamConfig, StreamQuery, Trigger};
pub use spec::{AggFunc, Aggregate, OutputMode, QuerySpec, Window};

#[cfg(test)]
mod tests;
