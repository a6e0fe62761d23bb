//! The types of the columns a streaming query reads, and every file checked against them.
//!
//! As with Spark's `readStream.schema(...)`, only the columns the query uses matter: a file may
//! hold other columns of any type. The types come from the declared schema when there is one,
//! else from the first file the query ever took; the checkpoint records them, so a later run
//! whose files change a used column's type fails with a clear error instead of mixing types.

use std::sync::Arc;

use arrow_array::{new_null_array, ArrayRef, RecordBatch};
use arrow_cast::cast;
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::ddl::UNREADABLE;
use crate::core::types::{display_name, Dialect};
use crate::error::{Error, Result};

/// Where the column types of a query's input came from (named in error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The schema the user declared.
    Declared,
    /// The types recorded in the checkpoint when the query started.
    Checkpoint,
    /// The first file the query took, when no schema was declared.
    FirstFile(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Declared => f.write_str("the type in the declared schema"),
            Origin::Checkpoint => f.write_str("the type this query's checkpoint started with"),
            Origin::FirstFile(file) => write!(f, "the type in the first file of the stream, {file}"),
        }
    }
}

/// The used columns and their types.
#[derive(Debug, Clone)]
pub(crate) struct InputSchema {
    pub(crate) schema: SchemaRef,
    pub(crate) origin: Origin,
}

/// How one used column of a file becomes the query's column.
#[derive(Debug, Clone)]
enum Conform {
    Read,
    Cast,
    /// Absent from the file: null, as Spark reads a declared column a file lacks.
    Null,
}

/// How to read one file: the columns to read from it and how each becomes the query's.
#[derive(Debug, Clone)]
pub(crate) struct FilePlan {
    conform: Vec<Conform>,
    /// The used columns the file has, spelt as in the file (what to read).
    pub(crate) present: Vec<String>,
}

/// The field named `name` in `schema`: the exact spelling, else the one field whose name differs
/// only in case (Spark resolves columns ignoring case).
///
/// # Errors
/// [`Error::InvalidArgument`] when several fields match ignoring case and none exactly.
fn find_field<'s>(schema: &'s Schema, name: &str, what: &str) -> Result<Option<&'s Field>> {
    if let Ok(field) = schema.field_with_name(name) {
        return Ok(Some(field));
    }
    let mut matches = schema.fields().iter().filter(|f| f.name().eq_ignore_ascii_case(name));
    match (matches.next(), matches.next()) {
        (Some(field), None) => Ok(Some(field.as_ref())),
        (None, _) => Ok(None),
        (Some(a), Some(b)) => Err(Error::InvalidArgument(format!(
            "{what} has columns {} and {}, which differ only in case: column {name} is ambiguous",
            a.name(),
            b.name()
        ))),
    }
}

/// The fields of `schema` named by `columns` (ignoring case), spelt as the query spells them, each
/// passed to `check`.
///
/// # Errors
/// [`Error::InvalidArgument`] when `what` (a declared schema or a file) lacks one; `check`'s errors.
fn used_columns(
    schema: &Schema,
    columns: &[&str],
    what: &str,
    check: impl Fn(&str, &Field) -> Result<()>,
) -> Result<SchemaRef> {
    let fields = columns
        .iter()
        .map(|&c| {
            let field = find_field(schema, c, what)?
                .ok_or_else(|| Error::InvalidArgument(format!("{what} has no column {c}, which the query uses")))?;
            check(c, field)?;
            Ok(Field::new(c, field.data_type().clone(), field.is_nullable()))
        })
        .collect::<Result<Vec<Field>>>()?;
    Ok(Arc::new(Schema::new(fields)))
}

impl InputSchema {
    /// The used `columns` of a declared schema.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the declared schema lacks a column the query uses;
    /// [`Error::Unsupported`] when the query uses a declared column of a type it cannot read.
    pub(crate) fn declared(declared: &Schema, columns: &[&str]) -> Result<Self> {
        let schema = used_columns(declared, columns, "the declared schema", |c, field| {
            match field.metadata().get(UNREADABLE) {
                Some(why) => Err(Error::Unsupported(format!("the query uses {c}, a {why}"))),
                None => Ok(()),
            }
        })?;
        Ok(Self { schema, origin: Origin::Declared })
    }

    /// The used `columns` of the first file `file` of the stream.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the file and a column the query uses that it lacks.
    pub(crate) fn learned(file: &str, found: &Schema, columns: &[&str]) -> Result<Self> {
        let schema = used_columns(found, columns, file, |_, _| Ok(()))?;
        Ok(Self { schema, origin: Origin::FirstFile(file.to_string()) })
    }

    /// Check that `other` (a declared schema on a later run) gives the used columns the types
    /// this input has.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the first column whose type differs.
    pub(crate) fn check_same(&self, other: &InputSchema) -> Result<()> {
        for (mine, theirs) in self.schema.fields().iter().zip(other.schema.fields()) {
            if !equivalent(mine.data_type(), theirs.data_type()) {
                return Err(Error::InvalidArgument(format!(
                    "column {} is declared {}, but this query's checkpoint started with {}; \
                     declare {} or use a new checkpoint",
                    mine.name(),
                    display_name(theirs.data_type(), Dialect::SparkDdl),
                    display_name(mine.data_type(), Dialect::SparkDdl),
                    display_name(mine.data_type(), Dialect::SparkDdl)
                )));
            }
        }
        Ok(())
    }

    /// How to read the file `file` whose schema is `found`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the file, the column, the type found and the type needed,
    /// when a used column has a type that cannot be read as the query's (or is missing and the
    /// types were not declared).
    pub(crate) fn plan(&self, file: &str, found: &Schema) -> Result<FilePlan> {
        let mut plan = FilePlan { conform: Vec::new(), present: Vec::new() };
        for needed in self.schema.fields() {
            let Some(actual) = find_field(found, needed.name(), file)? else {
                if self.origin == Origin::Declared {
                    plan.conform.push(Conform::Null);
                    continue;
                }
                return Err(Error::InvalidArgument(format!(
                    "{file} has no column {}, which the query uses (declare a schema to read it as null)",
                    needed.name()
                )));
            };
            let conform = if actual.data_type() == needed.data_type() {
                Conform::Read
            } else if equivalent(actual.data_type(), needed.data_type())
                || widens(actual.data_type(), needed.data_type())
            {
                Conform::Cast
            } else {
                return Err(Error::InvalidArgument(format!(
                    "{file}: column {} is {}, but the query needs {} ({})",
                    needed.name(),
                    display_name(actual.data_type(), Dialect::SparkDdl),
                    display_name(needed.data_type(), Dialect::SparkDdl),
                    self.origin
                )));
            };
            plan.conform.push(conform);
            plan.present.push(actual.name().clone());
        }
        Ok(plan)
    }

    /// A batch read with `plan` (its columns: `plan.present`) as the query's columns and types.
    ///
    /// # Errors
    /// Arrow errors of the lossless casts the plan allowed.
    pub(crate) fn conform(&self, plan: &FilePlan, batch: &RecordBatch) -> Result<RecordBatch> {
        let columns = self
            .schema
            .fields()
            .iter()
            .zip(&plan.conform)
            .map(|(field, how)| {
                // The file's spelling of the column, which may differ in case.
                let column = || {
                    find_field(batch.schema_ref(), field.name(), "a batch")?
                        .and_then(|f| batch.column_by_name(f.name()))
                        .ok_or_else(|| Error::InvalidArgument(format!("a batch has no column {}", field.name())))
                };
                Ok(match how {
                    Conform::Read => column()?.clone(),
                    Conform::Cast => cast(column()?, field.data_type())?,
                    Conform::Null => new_null_array(field.data_type(), batch.num_rows()),
                })
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        // Columns are nullable here: a file may hold nulls where the declaration says NOT NULL.
        let fields: Vec<Field> = self.schema.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        Ok(RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)?)
    }
}

impl InputSchema {
    /// The used columns of `batch`, a text file read into the whole declared schema, spelt as
    /// the query spells them.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the batch lacks a used column.
    pub(crate) fn select(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let columns = self
            .schema
            .fields()
            .iter()
            .map(|field| {
                find_field(batch.schema_ref(), field.name(), "a batch")?
                    .and_then(|f| batch.column_by_name(f.name()).cloned())
                    .ok_or_else(|| Error::InvalidArgument(format!("a batch has no column {}", field.name())))
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let fields: Vec<Field> = self.schema.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        Ok(RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)?)
    }
}

/// The same logical type in another physical form: string encodings, timestamp units and zones.
fn equivalent(a: &DataType, b: &DataType) -> bool {
    let string = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    let binary = |t: &DataType| matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView);
    a == b
        || (string(a) && string(b))
        || (binary(a) && binary(b))
        || matches!((a, b), (DataType::Timestamp(..), DataType::Timestamp(..)))
}

/// A lossless widening Spark's Parquet reader also makes (integers to wider integers or to
/// double, float to double).
fn widens(from: &DataType, to: &DataType) -> bool {
    use DataType::{Float32, Float64, Int16, Int32, Int64, Int8};
    matches!(
        (from, to),
        (Int8, Int16 | Int32 | Int64 | Float64)
            | (Int16, Int32 | Int64 | Float64)
            | (Int32, Int64 | Float64)
            | (Float32, Float64)
    )
}

#[cfg(test)]
mod tests {
    use arrow_array::Int32Array;

    use super::*;
    use crate::runtime::stream::ddl::parse_schema;

    #[test]
    fn only_used_columns_are_checked_and_narrow_types_widen() {
        let declared = parse_schema("purchase_date DATE, star_rating BIGINT, product STRING").unwrap();
        let input = InputSchema::declared(&declared, &["product", "star_rating"]).unwrap();
        // purchase_date is a string in the file: not used, not checked.
        let file = Schema::new(vec![
            Field::new("purchase_date", DataType::Utf8, true),
            Field::new("star_rating", DataType::Int32, true),
        ]);
        let plan = input.plan("f.parquet", &file).unwrap();
        assert_eq!(plan.present, ["star_rating"]);
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("star_rating", DataType::Int32, true)])),
            vec![Arc::new(Int32Array::from(vec![4, 5]))],
        )
        .unwrap();
        let conformed = input.conform(&plan, &batch).unwrap();
        assert_eq!(conformed.column(0).data_type(), &DataType::Utf8);
        assert_eq!(conformed.column(0).null_count(), 2);
        assert_eq!(conformed.column(1).data_type(), &DataType::Int64);
    }

    #[test]
    fn columns_match_ignoring_case_and_unreadable_declared_columns_matter_only_when_used() {
        let declared = parse_schema("Review_Timestamp TIMESTAMP, tags ARRAY<STRING>").unwrap();
        let input = InputSchema::declared(&declared, &["review_timestamp"]).unwrap();
        let file = Schema::new(vec![Field::new(
            "REVIEW_TIMESTAMP",
            DataType::Timestamp(arrow_schema::TimeUnit::Nanosecond, None),
            true,
        )]);
        let plan = input.plan("f.parquet", &file).unwrap();
        assert_eq!(plan.present, ["REVIEW_TIMESTAMP"]);
        let err = InputSchema::declared(&declared, &["tags"]).unwrap_err().to_string();
        assert!(err.contains("the query uses tags") && err.contains("ARRAY<STRING>"), "{err}");
        let twice = Schema::new(vec![Field::new("a", DataType::Int32, true), Field::new("A", DataType::Int32, true)]);
        let first = Schema::new(vec![Field::new("a", DataType::Int32, true)]);
        let learned = InputSchema::learned("g.parquet", &first, &["a"]).unwrap();
        assert!(learned.plan("g.parquet", &twice).is_ok(), "the exact spelling wins");
        let mixed = Schema::new(vec![Field::new("Ab", DataType::Int32, true), Field::new("aB", DataType::Int32, true)]);
        let ambiguous = InputSchema::learned("h.parquet", &mixed, &["ab"]).unwrap_err().to_string();
        assert!(ambiguous.contains("differ only in case"), "{ambiguous}");
    }

    #[test]
    fn a_used_column_of_another_type_names_file_column_and_types() {
        let first = Schema::new(vec![Field::new("star_rating", DataType::Int32, true)]);
        let input = InputSchema::learned("part-0.parquet", &first, &["star_rating"]).unwrap();
        let later = Schema::new(vec![Field::new("star_rating", DataType::Utf8, true)]);
        let err = input.plan("part-7.parquet", &later).unwrap_err().to_string();
        assert_eq!(
            err,
            "part-7.parquet: column star_rating is STRING, but the query needs INT \
             (the type in the first file of the stream, part-0.parquet)"
        );
        let missing = input.plan("part-8.parquet", &Schema::empty()).unwrap_err().to_string();
        assert!(missing.starts_with("part-8.parquet has no column star_rating"), "{missing}");
    }
}
