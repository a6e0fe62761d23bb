//! Spark's functions in the SQL session: DataFusion's own, then datafusion-spark's (Spark's
//! semantics where DataFusion's differ), then glueless's families, one file each, for what
//! neither has. A family is a `functions()` list of UDFs; [`register`] adds every family, later
//! ones replacing a function of the same name. CONTRIBUTING.md has the recipe for a new one.

use std::sync::Arc;

use datafusion::execution::session_state::SessionState;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::ScalarUDF;

use super::session::sql_error;

/// Equality and hashing of a function by its name (what DataFusion compares UDFs by; each of
/// glueless's is registered once under its name): a scalar function's, or with
/// `AggregateUDFImpl` an aggregate's.
macro_rules! same_by_name {
    ($udf:ty) => {
        same_by_name!($udf, datafusion::logical_expr::ScalarUDFImpl);
    };
    ($udf:ty, $kind:path) => {
        impl PartialEq for $udf {
            fn eq(&self, other: &Self) -> bool {
                <Self as $kind>::name(self) == <Self as $kind>::name(other)
            }
        }

        impl Eq for $udf {}

        impl std::hash::Hash for $udf {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                <Self as $kind>::name(self).hash(state);
            }
        }
    };
}
use crate::error::Result;

pub(crate) mod array_edit;
pub(crate) mod array_sets;
pub(crate) mod base32;
pub(crate) mod binary;
pub(crate) mod bitmaps;
pub(crate) mod by_type;
pub(crate) mod bytes;
pub(crate) mod cast;
pub(crate) mod coerced;
pub(crate) mod csv_text;
pub(crate) mod datetime;
pub(crate) mod hash;
pub(crate) mod higher_order;
pub(crate) mod histogram;
pub(crate) mod hmac;
pub(crate) mod json;
pub(crate) mod json_path;
pub(crate) mod math;
pub(crate) mod max_min_by_k;
pub(crate) mod misc;
pub(crate) mod mode;
pub(crate) mod moments;
pub(crate) mod number_format;
pub(crate) mod percentile;
pub(crate) mod random;
pub(crate) mod range;
pub(crate) mod regexp;
pub(crate) mod round_scale;
pub(crate) mod row;
pub(crate) mod sketches;
pub(crate) mod string;
pub(crate) mod string_cast;
pub(crate) mod struct_lists;
pub(crate) mod struct_update;
pub(crate) mod subscript;
pub(crate) mod text;
pub(crate) mod try_arithmetic;
pub(crate) mod vectors;
pub(crate) mod xml;
pub(crate) mod zones;

/// Every family of glueless's own scalar functions.
fn families() -> Vec<Vec<Arc<ScalarUDF>>> {
    vec![
        array_edit::functions(),
        binary::functions(),
        cast::functions(),
        string::functions(),
        string_cast::functions(),
        regexp::functions(),
        math::functions(),
        base32::functions(),
        hmac::functions(),
        round_scale::functions(),
        sketches::functions(),
        try_arithmetic::functions(),
        datetime::functions(),
        json::functions(),
        csv_text::functions(),
        json_path::functions(),
        text::functions(),
        number_format::functions(),
        misc::functions(),
        random::functions(),
        subscript::functions(),
        struct_lists::functions(),
        struct_update::functions(),
        zones::functions(),
        hash::functions(),
        higher_order::functions(),
        xml::functions(),
        vectors::functions(),
    ]
}

/// Register datafusion-spark's functions and glueless's families in `state`.
///
/// # Errors
/// [`crate::Error::Sql`] if DataFusion refuses a registration.
pub(crate) fn register(state: &mut SessionState) -> Result<()> {
    datafusion_spark::register_all(state).map_err(sql_error)?;
    for udf in families().into_iter().flatten() {
        state.register_udf(udf).map_err(sql_error)?;
    }
    for udf in datetime::coerced(state).into_iter().chain(string::coerced(state)) {
        state.register_udf(udf).map_err(sql_error)?;
    }
    let by_type: Vec<_> = by_type::functions(state).into_iter().chain(array_sets::functions(state)).collect();
    for udf in by_type {
        state.register_udf(udf).map_err(sql_error)?;
    }
    for udf in bytes::functions(state) {
        state.register_udf(udf).map_err(sql_error)?;
    }
    state.register_udtf("range", Arc::new(range::SparkRange));
    let aggregates = [
        moments::aggregates(),
        percentile::aggregates(),
        bitmaps::aggregates(),
        histogram::aggregates(),
        mode::aggregates(),
        sketches::aggregates(),
        vectors::aggregates(),
        max_min_by_k::aggregates(),
    ];
    for udaf in aggregates.into_iter().flatten() {
        state.register_udaf(udaf).map_err(sql_error)?;
    }
    // Spark's other names of DataFusion's aggregates.
    let aggregates = [
        (datafusion::functions_aggregate::bool_and_or::bool_and_udaf(), &["every"][..]),
        (datafusion::functions_aggregate::bool_and_or::bool_or_udaf(), &["some", "any"][..]),
    ];
    for (udaf, names) in aggregates {
        state.register_udaf(Arc::new(udaf.as_ref().clone().with_aliases(names.iter().copied()))).map_err(sql_error)?;
    }
    Ok(())
}
