//! `ResolveChoice.apply(frame, specs=[(path, "cast:type")])`: a field cast as Glue resolves a choice.

use datafusion::common::Column;
use datafusion::logical_expr::Expr;

use super::{field_name, lenient_cast};
use crate::core::types::parse_type;
use crate::error::Result;
use crate::runtime::frames::Frame;
use crate::runtime::sql::session::sql_error;

impl Frame {
    /// `ResolveChoice`'s `cast:` spec: the field at `path` (matched exactly, as every DynamicFrame
    /// path is) cast to a Glue type; a path the frame lacks changes nothing.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a type Glue does not name.
    pub(crate) fn cast_column(&self, path: &str, type_name: &str) -> Result<Self> {
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
