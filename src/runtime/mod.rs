//! The runtime for users' code: Spark SQL on DataFusion ([`sql`]), the frames behind a Spark
//! `DataFrame` and a Glue `DynamicFrame` ([`frames`]), Structured Streaming's micro-batch engine
//! ([`stream`]), and the Data Catalog's DDL and table records ([`catalog`]). Built on the core;
//! knows nothing of STEDI.

pub(crate) mod athena;
pub(crate) mod catalog;
pub(crate) mod frames;
pub(crate) mod memory;
pub(crate) mod plans;
pub(crate) mod sql;
pub(crate) mod stream;
