//! `Join.apply(frame1, frame2, keys1, keys2)`: Glue's inner equi-join of two DynamicFrames.

use std::collections::HashSet;

use datafusion::common::Column;
use datafusion::logical_expr::{lit, Expr, JoinType};

use super::field_name;
use crate::error::{Error, Result};
use crate::runtime::frames::Frame;
use crate::runtime::sql::session::sql_error;

impl Frame {
    /// `Join.apply(frame1, frame2, keys1, keys2)`: an inner equi-join keeping every field of both
    /// frames; a right field whose name the left has is renamed with a leading `.` (`..x` when the
    /// left has `.x` too). A key field
    /// that either frame lacks matches nothing (the result is empty, with both frames' fields).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the key lists differ in length.
    pub(crate) fn glue_join(&self, other: &Frame, keys1: &[String], keys2: &[String]) -> Result<Self> {
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

    /// The joined columns without their sides' qualifiers, each under its own name.
    fn unqualified(&self, df: datafusion::prelude::DataFrame) -> Result<Self> {
        let projection: Vec<Expr> =
            df.schema().iter().map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())).alias(f.name())).collect();
        Ok(self.with(df.select(projection).map_err(sql_error)?))
    }
}
