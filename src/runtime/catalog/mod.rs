//! The Data Catalog of users' scripts: Athena/Hive DDL ([`ddl`]) into tables shaped as Glue's
//! GetTable returns them ([`table`]), and a table's rows as the SerDes read them ([`read`]),
//! scanned by Athena's and Spark's queries through one DataFusion table ([`provider`]). The local
//! catalog's files and the AWS Glue adapter live in `glueless.catalog` (Python), which stores and
//! sends these records as they are.

pub(crate) mod ddl;
pub(crate) mod nested_types;
pub(crate) mod provider;
pub(crate) mod read;
pub(crate) mod table;
