//! The Data Catalog of users' scripts: Athena/Hive DDL ([`ddl`]) into tables shaped as Glue's
//! GetTable returns them ([`table`]). The local catalog's files and the AWS Glue adapter live in
//! `glueless.catalog` (Python), which stores and sends these records as they are.

pub(crate) mod ddl;
pub(crate) mod table;
