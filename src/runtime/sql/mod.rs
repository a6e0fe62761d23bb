//! Spark SQL for users' scripts, on DataFusion: Spark's syntax and identifier rules
//! ([`spark`]) and a session of temporary views ([`SqlSession`]).

pub(crate) mod functions;
pub(crate) mod session;
pub(crate) mod spark;

pub(crate) use session::SqlSession;
