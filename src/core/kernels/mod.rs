//! Kernels: table operations on Arrow data. They know nothing of files, lakes or Python, so a user
//! can call them on any Arrow table.

pub(crate) mod distinct;
pub(crate) mod join;
pub(crate) mod key_rows;
pub(crate) mod keys;
pub(crate) mod project;

pub(crate) use distinct::distinct;
pub(crate) use join::{inner_join, semi_join, InnerJoinBuild, JoinInput, SemiJoinFilter};
pub(crate) use project::{conform, drop_columns, drop_columns_schema, filter_by_text, select, select_schema};

/// Hash tables of joins, DISTINCT and the stream state hold row positions as `u32` (half the
/// memory of `usize`), with `u32::MAX` kept free as "no row": `count` rows (or batches) beyond
/// that are refused with a clear error instead of wrapping around. After this check, casting a
/// position below `count` to `u32` is lossless.
///
/// # Errors
/// [`crate::Error::Unsupported`] when `count` does not fit.
pub(crate) fn check_row_positions(what: &str, count: usize) -> crate::error::Result<()> {
    if u32::try_from(count).is_ok_and(|n| n < u32::MAX) {
        Ok(())
    } else {
        Err(crate::Error::Unsupported(format!(
            "{what}: {count} rows or batches, more than the {} one operation can address; split the input",
            u32::MAX - 1
        )))
    }
}
