//! Glue's DynamicFrame transforms with Glue's semantics (AWS Glue developer guide; the awsglue
//! sources): `Join.apply` keeps both frames' fields and marks a right-side name that collides with
//! a leading `.`; `DropFields`/`SelectFields` ignore paths a frame lacks; `ApplyMapping` keeps only
//! mapped fields, matching source names ignoring case; `DropNullFields` drops fields that are null
//! in every record.
//!
//! Field paths are case-sensitive everywhere but in `ApplyMapping` (whose `case_sensitive` is
//! false by default): the guide says so of `RenameField`, `DropFields` and `SelectFields`, and a
//! DynamicRecord is a plain dict to `Filter`'s function. `serialnumber` does not name
//! `serialNumber`.

use std::collections::HashSet;

use arrow_array::Array;
use datafusion::common::Column;
use datafusion::logical_expr::{lit, Expr, JoinType};

use datafusion::logical_expr::TryCast;

use super::{resolve_in, Frame};
use crate::core::types::parse_type;
use crate::error::{Error, Result};
use crate::runtime::sql::session::sql_error;

/// A field path as Glue scripts write it: backticks quote a name holding dots ("`.serialNumber`").
#[must_use]
pub fn field_name(path: &str) -> String {
    let path = path.trim();
    path.strip_prefix('`').and_then(|p| p.strip_suffix('`')).unwrap_or(path).replace("``", "`")
}

/// One `ApplyMapping` entry: source field, source type, target field, target type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub source: String,
    pub source_type: String,
    pub target: String,
    pub target_type: String,
}

impl Frame {
    /// `Join.apply(frame1, frame2, keys1, keys2)`: an inner equi-join keeping every field of both
    /// frames; a right field whose name the left has is renamed with a leading `.` (`..x` when the
    /// left has `.x` too). A key field
    /// that either frame lacks matches nothing (the result is empty, with both frames' fields).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the key lists differ in length.
    pub fn glue_join(&self, other: &Frame, keys1: &[String], keys2: &[String]) -> Result<Self> {
        if keys1.len() != keys2.len() || keys1.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "Join.apply needs as many keys for each frame, at least one (got {} and {})",
                keys1.len(),
                keys2.len()
            )));
        }
        let left_names: HashSet<String> = self.column_names().into_iter().collect();
        let right_names = other.column_names();
        // A right name the left has gets a leading `.`; one that is still taken (the left kept a
        // `.x` from an earlier join) gets another, so no two fields share a name.
        let mut taken = left_names.clone();
        let right_new: std::collections::HashMap<String, String> = right_names
            .iter()
            .map(|name| {
                let mut new = name.clone();
                while taken.contains(&new) {
                    new.insert(0, '.');
                }
                taken.insert(new.clone());
                (name.clone(), new)
            })
            .collect();
        let renamed = |name: &str| right_new.get(name).cloned().unwrap_or_else(|| name.to_string());
        let keys1: Vec<String> = keys1.iter().map(|k| field_name(k)).collect();
        let keys2: Vec<String> = keys2.iter().map(|k| field_name(k)).collect();
        let lacks_key = keys1.iter().any(|k| !left_names.contains(k)) || keys2.iter().any(|k| !right_names.contains(k));
        let right_projection: Vec<Expr> = other
            .df
            .schema()
            .iter()
            .map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())).alias(renamed(f.name())))
            .collect();
        let right = other
            .df
            .clone()
            .select(right_projection)
            .map_err(sql_error)?
            .alias("__glueless_right")
            .map_err(sql_error)?;
        let left = self.df.clone().alias("__glueless_left").map_err(sql_error)?;
        if lacks_key {
            // Glue: no record has the key field, so none matches. Keep both frames' fields.
            let joined = left.join(right, JoinType::Inner, &[], &[], Some(lit(false))).map_err(sql_error)?;
            return self.unqualified(joined);
        }
        let on: Vec<Expr> = keys1
            .iter()
            .zip(&keys2)
            .map(|(l, r)| {
                Expr::Column(Column::new(Some("__glueless_left"), l))
                    .eq(Expr::Column(Column::new(Some("__glueless_right"), renamed(r))))
            })
            .collect();
        let joined = left.join_on(right, JoinType::Inner, on).map_err(sql_error)?;
        self.unqualified(joined)
    }

    fn unqualified(&self, df: datafusion::prelude::DataFrame) -> Result<Self> {
        let projection: Vec<Expr> =
            df.schema().iter().map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())).alias(f.name())).collect();
        Ok(self.with(df.select(projection).map_err(sql_error)?))
    }

    /// The paths that name no field of the frame but one in another case, as (the path's field
    /// name, the frame's field): almost always a mistake (a lower-case catalog name for a camelCase
    /// JSON field) that Glue's exact matching turns into a field kept or a record dropped.
    #[must_use]
    pub fn case_near_misses(&self, paths: &[String]) -> Vec<(String, String)> {
        let names = self.column_names();
        paths
            .iter()
            .filter_map(|path| {
                let name = field_name(path);
                if names.contains(&name) {
                    return None;
                }
                let lower = name.to_lowercase();
                names.iter().find(|n| n.to_lowercase() == lower).map(|found| (name, found.clone()))
            })
            .collect()
    }

    /// `DropFields.apply(frame, paths)`: fields the frame lacks are ignored.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub fn drop_fields(&self, paths: &[String]) -> Result<Self> {
        let dropped: HashSet<String> = paths.iter().map(|p| field_name(p)).collect();
        let projection = self.projection(|name| (!dropped.contains(name)).then(|| name.to_string()));
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `SelectFields.apply(frame, paths)`: the named fields the frame has, in the frame's order.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub fn select_fields(&self, paths: &[String]) -> Result<Self> {
        let kept: HashSet<String> = paths.iter().map(|p| field_name(p)).collect();
        let projection = self.projection(|name| kept.contains(name).then(|| name.to_string()));
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `RenameField.apply(frame, old, new)`: no change when the frame lacks `old`.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub fn rename_field(&self, old: &str, new: &str) -> Result<Self> {
        let (old, new) = (field_name(old), field_name(new));
        let projection = self.projection(|name| Some(if name == old { new.clone() } else { name.to_string() }));
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `ApplyMapping.apply(frame, mappings)`: only the mapped fields, renamed and cast to the
    /// target types; source names match ignoring case unless `case_sensitive`. A source field the
    /// frame lacks gives no field; a value that does not convert is null.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a type Glue does not name.
    pub fn apply_mapping(&self, mappings: &[Mapping], case_sensitive: bool) -> Result<Self> {
        let names = self.column_names();
        let mut projection = Vec::new();
        for mapping in mappings {
            let source = field_name(&mapping.source);
            let found = if case_sensitive {
                names.iter().find(|n| **n == source).cloned()
            } else {
                resolve_in(&names, &source)?
            };
            let Some(found) = found else { continue };
            let target_type = parse_type(&mapping.target_type)?;
            let column = Expr::Column(self.column(&found)?);
            let source_type = self.df.schema().field_with_unqualified_name(&found).map_err(sql_error)?.data_type();
            let value = if source_type == &target_type { column } else { lenient_cast(column, &target_type) };
            projection.push(value.alias(field_name(&mapping.target)));
        }
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }

    /// `DropNullFields.apply(frame)`: drops the fields that are null in every record. Runs the
    /// plan once to find them; the result reuses what it computed.
    ///
    /// # Errors
    /// As [`Frame::collect`].
    pub fn drop_null_fields(&self) -> Result<Self> {
        let materialized = self.materialize()?;
        let (schema, batches) = materialized.collect()?;
        let all_null: HashSet<String> = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(i, _)| batches.iter().all(|b| b.column(*i).null_count() == b.num_rows()))
            .map(|(_, f)| f.name().clone())
            .collect();
        materialized.drop_fields(&all_null.into_iter().collect::<Vec<_>>())
    }

    /// `ResolveChoice`'s `cast:` spec: the field at `path` (matched exactly, as every DynamicFrame
    /// path is) cast to a Glue type; a path the frame lacks changes nothing.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a type Glue does not name.
    pub fn cast_column(&self, path: &str, type_name: &str) -> Result<Self> {
        let target = parse_type(type_name)?;
        let found = field_name(path);
        if !self.column_names().contains(&found) {
            return Ok(self.clone());
        }
        let projection: Vec<Expr> = self
            .df
            .schema()
            .iter()
            .map(|(q, f)| {
                let column = Expr::Column(Column::new(q.cloned(), f.name()));
                if f.name() == &found {
                    lenient_cast(column, &target).alias(f.name())
                } else {
                    column
                }
            })
            .collect();
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }
}

/// A cast that yields null for a value that does not convert (Glue's ApplyMapping, Spark's
/// non-ANSI CAST).
fn lenient_cast(expr: Expr, to: &arrow_schema::DataType) -> Expr {
    Expr::TryCast(TryCast::new(Box::new(expr), to.clone()))
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn backticks_quote_a_name() {
        assert_eq!(field_name("`.serialNumber`"), ".serialNumber");
        assert_eq!(field_name("email"), "email");
    }
}
