//! Athena's SQL (engine version 3: Trino's dialect and semantics) over the Data Catalog's tables:
//! the tables as Athena's SerDes read them ([`table`], scanned through [`provider`]), Trino's functions ([`functions`]), the
//! session that plans queries on DataFusion ([`session`]) and Trino's text of values ([`render`]).
//! Statements other than queries (DDL, `SHOW`, `DESCRIBE`) are the catalog's, run by the driver.

pub(crate) mod functions;
pub(crate) mod provider;
pub(crate) mod render;
pub(crate) mod session;
pub(crate) mod table;

pub(crate) use session::AthenaSession;
