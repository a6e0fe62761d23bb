//! Athena's SQL (engine version 3: Trino's dialect and semantics) over the Data Catalog's tables
//! (read as the SerDes read them: `runtime::catalog::read`): Trino's functions ([`functions`]),
//! the session that plans queries on DataFusion ([`session`]) after Trino's rewrites
//! ([`rewrite`]), CTAS and `INSERT INTO`
//! ([`write`]) and Trino's text of values ([`render`]). Statements other than queries (DDL, `SHOW`, `DESCRIBE`) are the catalog's, run by
//! the driver.

pub(crate) mod functions;
pub(crate) mod render;
pub(crate) mod rewrite;
pub(crate) mod session;
pub(crate) mod write;

pub(crate) use session::AthenaSession;
