//! Spark SQL for users' scripts, on DataFusion: Spark's syntax and identifier rules
//! ([`spark`]) and a session of temporary views ([`SqlSession`]).

pub(crate) mod functions;
pub mod session;
pub mod spark;

pub use session::SqlSession;
