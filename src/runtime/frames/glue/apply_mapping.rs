//! `ApplyMapping.apply(frame, mappings)`.

use datafusion::logical_expr::Expr;

use super::{field_name, lenient_cast};
use crate::core::types::parse_type;
use crate::error::Result;
use crate::runtime::frames::{resolve_in, Frame};
use crate::runtime::sql::session::sql_error;

/// One `ApplyMapping` entry: source field, source type, target field, target type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub(crate) source: String,
    pub(crate) source_type: String,
    pub(crate) target: String,
    pub(crate) target_type: String,
}

impl Frame {
    /// `ApplyMapping.apply(frame, mappings)`: only the mapped fields, renamed and cast to the
    /// target types; source names match ignoring case unless `case_sensitive`. A source field the
    /// frame lacks gives no field; a value that does not convert is null.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a type Glue does not name.
    pub(crate) fn apply_mapping(&self, mappings: &[Mapping], case_sensitive: bool) -> Result<Self> {
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
}
