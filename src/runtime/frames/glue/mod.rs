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
//!
//! One file per transform, each an `impl Frame` block; the Python shims (`glueless.compat.awsglue
//! .transforms`, one module per transform) call them through `glueless._glueless.Frame`.

mod apply_mapping;
mod drop_fields;
mod drop_null_fields;
mod join;
mod rename_field;
mod resolve_choice;
mod select_fields;

use datafusion::logical_expr::{Expr, TryCast};

pub(crate) use apply_mapping::Mapping;

use super::Frame;

/// A field path as Glue scripts write it: backticks quote a name holding dots ("`.serialNumber`").
#[must_use]
pub(crate) fn field_name(path: &str) -> String {
    let path = path.trim();
    path.strip_prefix('`').and_then(|p| p.strip_suffix('`')).unwrap_or(path).replace("``", "`")
}

impl Frame {
    /// The paths that name no field of the frame but one in another case, as (the path's field
    /// name, the frame's field): almost always a mistake (a lower-case catalog name for a camelCase
    /// JSON field) that Glue's exact matching turns into a field kept or a record dropped.
    #[must_use]
    pub(crate) fn case_near_misses(&self, paths: &[String]) -> Vec<(String, String)> {
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
