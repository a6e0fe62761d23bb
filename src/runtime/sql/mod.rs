//! Spark SQL for users' scripts, on DataFusion: Spark's syntax and identifier rules
//! ([`spark`]) and a session of temporary views ([`SqlSession`]).

pub(crate) mod call_forms;
pub(crate) mod commands;
pub(crate) mod dialect;
pub(crate) mod execute;
pub(crate) mod functions;
pub(crate) mod generators;
pub(crate) mod grouping;
pub(crate) mod inline_table;
pub(crate) mod lambdas;
pub(crate) mod literals;
pub(crate) mod names;
pub(crate) mod rules;
pub(crate) mod schema_of;
pub(crate) mod session;
pub(crate) mod set_types;
pub(crate) mod spark;
pub(crate) mod subqueries;
pub(crate) mod templates;
pub(crate) mod using_join;
pub(crate) mod zone_casts;

pub(crate) use session::SqlSession;
