//! Frames of users' scripts: the lazy plan behind a Spark `DataFrame` or a Glue `DynamicFrame`.
//!
//! A [`Frame`] is a DataFusion plan and the session it belongs to. Each DataFrame call adds a node
//! (expressed as Spark SQL over the frame, so one set of rules resolves names everywhere); the Glue
//! transforms are in [`glue`]; sources and sinks read and write the lake through `storage` and the
//! landing decoder. Nothing runs until an action: `collect`, `count`, a write.

mod explain;
pub(crate) mod glue;
mod held_rows;
pub(crate) mod hive_result;
mod parquet_scan;
mod scan_stream;
pub(crate) mod show;
pub(crate) mod sink;
pub(crate) mod source;
mod streamed_sink;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::common::Column;
use datafusion::logical_expr::Expr;
use datafusion::prelude::DataFrame;

use crate::core::formats::ParquetCodec;
use crate::core::storage::Location;
use crate::core::types::SPARK_METADATA_KEY;
use crate::error::{Error, Result};
use crate::runtime::sql::session::{run, sql_error};
use crate::runtime::sql::SqlSession;

/// The view name a frame takes inside the SQL of its own operations.
const SELF: &str = "__glueless_self";

/// A lazy frame of one session.
#[derive(Clone)]
pub(crate) struct Frame {
    session: Arc<SqlSession>,
    df: DataFrame,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame").field("columns", &self.column_names()).finish_non_exhaustive()
    }
}

/// How two frames are joined (`DataFrame.join`'s `how`, in Spark's spellings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JoinHow {
    Inner,
    Left,
    Right,
    Full,
    LeftSemi,
    LeftAnti,
    Cross,
}

impl JoinHow {
    /// Spark's names for each join type (`left_outer`, `leftsemi`, `full_outer`, …).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming Spark's accepted values.
    pub(crate) fn parse(how: &str) -> Result<Self> {
        Ok(match how.to_lowercase().replace('_', "").as_str() {
            "inner" => Self::Inner,
            "left" | "leftouter" => Self::Left,
            "right" | "rightouter" => Self::Right,
            "outer" | "full" | "fullouter" => Self::Full,
            "leftsemi" | "semi" => Self::LeftSemi,
            "leftanti" | "anti" => Self::LeftAnti,
            "cross" => Self::Cross,
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "unsupported join type '{how}'. Supported join types include: inner, outer, full, fullouter, \
                     full_outer, left, leftouter, left_outer, right, rightouter, right_outer, semi, leftsemi, \
                     left_semi, anti, leftanti, left_anti, cross"
                )))
            }
        })
    }

    fn sql(self) -> &'static str {
        match self {
            Self::Inner => "JOIN",
            Self::Left => "LEFT JOIN",
            Self::Right => "RIGHT JOIN",
            Self::Full => "FULL JOIN",
            Self::LeftSemi => "LEFT SEMI JOIN",
            Self::LeftAnti => "LEFT ANTI JOIN",
            Self::Cross => "CROSS JOIN",
        }
    }
}

/// A column name quoted for Spark SQL.
#[must_use]
pub(crate) fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

impl Frame {
    /// A frame of `session` over `df`.
    #[must_use]
    pub(crate) fn new(session: Arc<SqlSession>, df: DataFrame) -> Self {
        Self { session, df }
    }

    /// A frame over in-memory batches.
    ///
    /// # Errors
    /// [`Error::Sql`] when the batches do not match `schema`.
    pub(crate) fn from_batches(
        session: &Arc<SqlSession>,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<Self> {
        let df = session.frame_of(schema, batches)?;
        Ok(Self::new(Arc::clone(session), df))
    }

    /// A frame over `table` (a source's rows, read when an action runs).
    ///
    /// # Errors
    /// [`Error::Sql`] from DataFusion.
    pub(crate) fn from_table(session: &Arc<SqlSession>, table: Arc<dyn TableProvider>) -> Result<Self> {
        let df = session.context().read_table(table).map_err(sql_error)?;
        Ok(Self::new(Arc::clone(session), df))
    }

    /// The session this frame belongs to.
    #[must_use]
    pub(crate) fn session(&self) -> &Arc<SqlSession> {
        &self.session
    }

    /// The DataFusion frame.
    #[must_use]
    pub(crate) fn dataframe(&self) -> &DataFrame {
        &self.df
    }

    fn with(&self, df: DataFrame) -> Self {
        Self { session: Arc::clone(&self.session), df }
    }

    /// The frame's schema (names as spelled; two columns may share a name after a join).
    #[must_use]
    pub(crate) fn schema(&self) -> SchemaRef {
        Arc::clone(self.df.schema().inner())
    }

    /// The column names in order.
    #[must_use]
    pub(crate) fn column_names(&self) -> Vec<String> {
        self.df.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// The one column named `name`: an exact match, else the only one equal ignoring case
    /// (Spark's resolution).
    ///
    /// # Errors
    /// [`Error::Sql`] when there is none, or several ignoring case.
    pub(crate) fn resolve(&self, name: &str) -> Result<String> {
        let names = self.column_names();
        resolve_in(&names, name)?.ok_or_else(|| {
            Error::Sql(format!("cannot resolve column `{name}`; the frame's columns are: {}", names.join(", ")))
        })
    }

    /// Run a Spark SQL query with this frame as the view [`SELF`].
    fn sql_self(&self, query: &str) -> Result<Self> {
        let df = self.session.sql_over(query, &[(SELF, &self.df)])?;
        Ok(self.with(df))
    }

    /// `select(*exprs)`: Spark SQL expressions (columns, functions, `… AS name`).
    ///
    /// # Errors
    /// [`Error::Sql`] for an expression that does not parse or resolve.
    pub(crate) fn select(&self, exprs: &[String]) -> Result<Self> {
        if exprs.is_empty() {
            // No columns, the same rows (Spark's `select()` of nothing).
            return Ok(self.with(self.df.clone().select(Vec::<Expr>::new()).map_err(sql_error)?));
        }
        self.sql_self(&format!("SELECT {} FROM {SELF}", exprs.join(", ")))
    }

    /// The columns at `positions`, in that order (`joined.select(side["*"])`: one side's columns of
    /// a join by where they are, whatever their names).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a position past the last column.
    pub(crate) fn select_positions(&self, positions: &[usize]) -> Result<Self> {
        let schema = self.df.schema();
        let projection = positions
            .iter()
            .map(|&i| {
                if i >= schema.fields().len() {
                    return Err(Error::InvalidArgument(format!(
                        "no column {i}: the frame has {}",
                        schema.fields().len()
                    )));
                }
                let (qualifier, field) = schema.qualified_field(i);
                Ok(Expr::Column(Column::new(qualifier.cloned(), field.name())))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `filter(condition)` / `where(condition)`.
    ///
    /// # Errors
    /// [`Error::Sql`] for a condition that does not parse or resolve.
    pub(crate) fn filter(&self, condition: &str) -> Result<Self> {
        self.sql_self(&format!("SELECT * FROM {SELF} WHERE {condition}"))
    }

    /// `withColumn(name, expr)`: replaces a column of that name (ignoring case) in place, or appends.
    ///
    /// # Errors
    /// [`Error::Sql`] for an expression that does not parse or resolve.
    pub(crate) fn with_column(&self, name: &str, expr: &str) -> Result<Self> {
        let mut replaced = false;
        let mut list: Vec<String> = self
            .column_names()
            .iter()
            .map(|c| {
                if c.eq_ignore_ascii_case(name) && !replaced {
                    replaced = true;
                    format!("{expr} AS {}", quote(name))
                } else {
                    quote(c)
                }
            })
            .collect();
        if !replaced {
            list.push(format!("{expr} AS {}", quote(name)));
        }
        self.select(&list)
    }

    /// `withColumnRenamed(old, new)`: no change when there is no such column (as in Spark).
    ///
    /// # Errors
    /// [`Error::Sql`] when two columns match `old` ignoring case.
    pub(crate) fn rename(&self, old: &str, new: &str) -> Result<Self> {
        let names = self.column_names();
        let Some(found) = resolve_in(&names, old)? else { return Ok(self.clone()) };
        let projection =
            self.projection(|name| if name == found { Some(new.to_string()) } else { Some(name.to_string()) });
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `drop(*names)`: missing names are ignored, as in Spark.
    ///
    /// # Errors
    /// [`Error::Sql`] when a name matches two columns ignoring case.
    pub(crate) fn drop(&self, names: &[String]) -> Result<Self> {
        let columns = self.column_names();
        let mut dropped = Vec::new();
        for name in names {
            if let Some(found) = resolve_in(&columns, name)? {
                dropped.push(found);
            }
        }
        let projection =
            self.projection(|name| if dropped.iter().any(|d| d == name) { None } else { Some(name.to_string()) });
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `withMetadata(name, metadata)`: the column `name` with Spark's metadata `metadata` (JSON
    /// text), kept in its Arrow field's metadata under [`SPARK_METADATA_KEY`].
    ///
    /// # Errors
    /// [`Error::Sql`] when `name` names no column or two ignoring case.
    pub(crate) fn with_metadata(&self, name: &str, metadata: &str) -> Result<Self> {
        use datafusion::logical_expr::expr::{Alias, FieldMetadata};
        let found = self.resolve(name)?;
        let projection: Vec<Expr> = self
            .df
            .schema()
            .iter()
            .map(|(qualifier, field)| {
                let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
                if field.name() != &found {
                    return column;
                }
                let mut kept: std::collections::BTreeMap<String, String> =
                    field.metadata().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                kept.insert(SPARK_METADATA_KEY.to_string(), metadata.to_string());
                Expr::Alias(
                    Alias::new(column, qualifier.cloned(), field.name()).with_metadata(Some(FieldMetadata::new(kept))),
                )
            })
            .collect();
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// A projection of every field kept by `keep`, under the name it returns (qualifiers kept).
    fn projection(&self, keep: impl Fn(&str) -> Option<String>) -> Vec<Expr> {
        self.df
            .schema()
            .iter()
            .filter_map(|(qualifier, field)| {
                let name = keep(field.name())?;
                let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
                Some(if &name == field.name() { column } else { column.alias_qualified(qualifier.cloned(), name) })
            })
            .collect()
    }

    /// `distinct()`.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub(crate) fn distinct(&self) -> Result<Self> {
        Ok(self.with(self.df.clone().distinct().map_err(sql_error)?))
    }

    /// `dropDuplicates(subset)`: the first row of each distinct `subset` (all columns when empty).
    ///
    /// # Errors
    /// [`Error::Sql`] for a name that does not resolve.
    pub(crate) fn drop_duplicates(&self, subset: &[String]) -> Result<Self> {
        if subset.is_empty() {
            return self.distinct();
        }
        let keys = subset.iter().map(|name| Ok(Expr::Column(self.column(name)?))).collect::<Result<Vec<_>>>()?;
        let all: Vec<Expr> = self.projection(|name| Some(name.to_string()));
        Ok(self.with(self.df.clone().distinct_on(keys, all, None).map_err(sql_error)?))
    }

    fn column(&self, name: &str) -> Result<Column> {
        let found = self.resolve(name)?;
        let (qualifier, field) =
            self.df.schema().iter().find(|(_, f)| f.name() == &found).expect("a resolved name is a column");
        Ok(Column::new(qualifier.cloned(), field.name()))
    }

    /// `join(other, on, how)` with `on` a list of column names (a USING join: each key once,
    /// first, then the other columns of the left and of the right).
    ///
    /// # Errors
    /// [`Error::Sql`] for a key either side lacks.
    pub(crate) fn join_using(&self, other: &Frame, keys: &[String], how: JoinHow) -> Result<Self> {
        let (left, right) = ("__glueless_left", "__glueless_right");
        let mut list = Vec::new();
        let mut left_keys = Vec::new();
        let mut right_keys = Vec::new();
        for key in keys {
            let l = self.resolve(key)?;
            let r = other.resolve(key)?;
            list.push(match how {
                JoinHow::Right => format!("{right}.{} AS {}", quote(&r), quote(&l)),
                JoinHow::Full => format!("coalesce({left}.{}, {right}.{}) AS {}", quote(&l), quote(&r), quote(&l)),
                _ => format!("{left}.{}", quote(&l)),
            });
            left_keys.push(l);
            right_keys.push(r);
        }
        for name in self.column_names() {
            if !left_keys.contains(&name) {
                list.push(format!("{left}.{}", quote(&name)));
            }
        }
        if !matches!(how, JoinHow::LeftSemi | JoinHow::LeftAnti) {
            for name in other.column_names() {
                if !right_keys.contains(&name) {
                    list.push(format!("{right}.{}", quote(&name)));
                }
            }
        }
        let condition: Vec<String> = left_keys
            .iter()
            .zip(&right_keys)
            .map(|(l, r)| format!("{left}.{} = {right}.{}", quote(l), quote(r)))
            .collect();
        let on = if condition.is_empty() { String::new() } else { format!(" ON {}", condition.join(" AND ")) };
        let query = format!("SELECT {} FROM {left} {} {right}{on}", list.join(", "), how.sql());
        let df = self.session.sql_over(&query, &[(left, &self.df), (right, &other.df)])?;
        Ok(self.with(df))
    }

    /// `join(other, condition, how)`: `condition` is Spark SQL over the views `left_view` (this
    /// frame) and `right_view` (`other`); every column of both sides is kept, or the `select`
    /// list (Spark SQL over the same views: a side's column qualified by its view's name).
    ///
    /// # Errors
    /// [`Error::Sql`] for a condition or select item that does not parse or resolve.
    pub(crate) fn join_on(
        &self,
        other: &Frame,
        condition: Option<&str>,
        how: JoinHow,
        views: (&str, &str),
        select: Option<&[String]>,
    ) -> Result<Self> {
        let (left, right) = views;
        let columns = match select {
            Some(items) => items.join(", "),
            None if matches!(how, JoinHow::LeftSemi | JoinHow::LeftAnti) => format!("{left}.*"),
            None => format!("{left}.*, {right}.*"),
        };
        let on = condition.map(|c| format!(" ON {c}")).unwrap_or_default();
        let query = format!("SELECT {columns} FROM {left} {} {right}{on}", how.sql());
        let df = self.session.sql_over(&query, &[(left, &self.df), (right, &other.df)])?;
        Ok(self.with(df))
    }

    /// `groupBy(*keys).agg(*aggregates)`; both are Spark SQL expressions.
    ///
    /// # Errors
    /// [`Error::Sql`] for an expression that does not parse or resolve.
    pub(crate) fn aggregate(&self, keys: &[String], aggregates: &[String]) -> Result<Self> {
        let list: Vec<String> = keys.iter().chain(aggregates).cloned().collect();
        // By position: a key may carry its alias (`window(…) AS window`).
        let positions: Vec<String> = (1..=keys.len()).map(|i| i.to_string()).collect();
        let group = if keys.is_empty() { String::new() } else { format!(" GROUP BY {}", positions.join(", ")) };
        let grouped = self.sql_self(&format!("SELECT {} FROM {SELF}{group}", list.join(", ")))?;
        Ok(grouped.in_shuffle_order(keys.len()))
    }

    /// The rows in the order Spark's aggregation gives them: by the shuffle partition of their
    /// first `keys` columns (`pmod(hash(keys), spark.sql.shuffle.partitions)`, 200 by default),
    /// which is the order of Spark's output without an `orderBy`. Unchanged where the keys'
    /// names repeat or a key's type has no Spark hash.
    pub(crate) fn in_shuffle_order(self, keys: usize) -> Self {
        let names: Vec<String> = self.df.schema().fields().iter().take(keys).map(|f| f.name().clone()).collect();
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        if keys == 0 || distinct.len() != names.len() {
            return self;
        }
        let partitions = self
            .session
            .conf("spark.sql.shuffle.partitions")
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| *p > 0)
            .unwrap_or(200);
        let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.replace('`', "``"))).collect();
        self.sql_self(&format!("SELECT * FROM {SELF} ORDER BY pmod(hash({}), {partitions})", quoted.join(", ")))
            .unwrap_or(self)
    }

    /// `orderBy(*exprs)`: Spark SQL sort expressions (`col`, `col DESC`).
    ///
    /// # Errors
    /// [`Error::Sql`] for an expression that does not parse or resolve.
    pub(crate) fn order_by(&self, exprs: &[String]) -> Result<Self> {
        self.sql_self(&format!("SELECT * FROM {SELF} ORDER BY {}", exprs.join(", ")))
    }

    /// `limit(n)`.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub(crate) fn limit(&self, n: usize) -> Result<Self> {
        Ok(self.with(self.df.clone().limit(0, Some(n)).map_err(sql_error)?))
    }

    /// `union(other)` (by position, as Spark's `union`/`unionAll`) or `unionByName`.
    ///
    /// # Errors
    /// [`Error::Sql`] when the column counts (or, by name, the names) differ.
    pub(crate) fn union(&self, other: &Frame, by_name: bool) -> Result<Self> {
        let mine = self.column_names();
        let theirs = other.column_names();
        let other_df = if by_name {
            let mut list = Vec::new();
            for name in &mine {
                let found = resolve_in(&theirs, name)?.ok_or_else(|| {
                    Error::Sql(format!("unionByName: column `{name}` is missing from the other frame"))
                })?;
                list.push(quote(&found));
            }
            other.select(&list)?.df
        } else {
            if mine.len() != theirs.len() {
                return Err(Error::Sql(format!(
                    "union can only be performed on frames with the same number of columns ({} and {})",
                    mine.len(),
                    theirs.len()
                )));
            }
            let renamed: Vec<Expr> = other
                .df
                .schema()
                .iter()
                .zip(&mine)
                .map(|((q, f), name)| Expr::Column(Column::new(q.cloned(), f.name())).alias(name))
                .collect();
            other.df.clone().select(renamed).map_err(sql_error)?
        };
        let own: Vec<Expr> =
            self.df.schema().iter().map(|(_, f)| crate::runtime::sql::session::exact(f.name())).collect();
        let left = self.df.clone().select(own).map_err(sql_error)?;
        Ok(self.with(left.union(other_df).map_err(sql_error)?))
    }

    /// Keep the first of columns that share a name (`DynamicFrame.fromDF`; a DynamicRecord has
    /// one field of a name).
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub(crate) fn first_of_each_name(&self) -> Result<Self> {
        let mut seen = std::collections::HashSet::new();
        let mut unique = true;
        let projection: Vec<Expr> = self
            .df
            .schema()
            .iter()
            .filter_map(|(qualifier, field)| {
                if !seen.insert(field.name().clone()) {
                    unique = false;
                    return None;
                }
                Some(Expr::Column(Column::new(qualifier.cloned(), field.name())).alias(field.name()))
            })
            .collect();
        if unique {
            return Ok(self.clone());
        }
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// Run the plan: its schema and every batch.
    ///
    /// # Errors
    /// [`Error::Sql`] or [`Error::Arrow`] from execution.
    pub(crate) fn collect(&self) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let schema = plain_schema(self.df.schema().inner());
        let batches = run(self.df.clone().collect()).map_err(sql_error)?;
        let batches = batches
            .into_iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| RecordBatch::try_new(Arc::clone(&schema), b.columns().to_vec()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok((schema, batches))
    }

    /// Write the frame as new Parquet files under `folder` as it is computed, a file per output
    /// partition of its plan (see [`streamed_sink`]).
    ///
    /// # Errors
    /// Query, storage and encoding errors; nothing is written then.
    pub(crate) fn write_parquet(&self, folder: &Location, codec: Option<ParquetCodec>) -> Result<sink::Written> {
        let schema = plain_schema(self.df.schema().inner());
        let streams = run(self.df.clone().execute_stream_partitioned()).map_err(sql_error)?;
        streamed_sink::write(folder, sink::run_stamp(), &schema, streams, codec)
    }

    /// Run the plan once and keep its result: later actions on the returned frame reuse it.
    ///
    /// # Errors
    /// As [`Frame::collect`].
    pub(crate) fn materialize(&self) -> Result<Self> {
        let (schema, batches) = self.collect()?;
        Self::from_batches(&self.session, schema, batches)
    }

    /// `count()`.
    ///
    /// # Errors
    /// As [`Frame::collect`].
    pub(crate) fn count(&self) -> Result<usize> {
        run(self.df.clone().count()).map_err(sql_error)
    }
}

/// The arrow schema without DataFusion's qualifiers (names as they are).
fn plain_schema(schema: &SchemaRef) -> SchemaRef {
    Arc::new(Schema::new(schema.fields().clone()))
}

/// Spark's name resolution over `names`: the exact name, else the only one equal ignoring case.
///
/// # Errors
/// [`Error::Sql`] when several names equal `name` ignoring case and none exactly.
pub(crate) fn resolve_in(names: &[String], name: &str) -> Result<Option<String>> {
    if names.iter().any(|n| n == name) {
        return Ok(Some(name.to_string()));
    }
    let matches: Vec<&String> = names.iter().filter(|n| n.eq_ignore_ascii_case(name)).collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        many => Err(Error::Sql(format!(
            "reference `{name}` is ambiguous, could be: {}",
            many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}
