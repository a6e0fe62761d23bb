//! The higher-order functions over arrays: `transform`, `filter`, `exists`, `forall`,
//! `zip_with`, `array_sort` with a comparator, and `aggregate` / `reduce`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, BooleanArray, Int32Array, ListArray, UInt32Array};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::error::{DataFusionError, Result};

use super::Planned;

/// An argument as a list array (`NULL` is a list of no type).
pub(super) fn as_list(array: &ArrayRef) -> Result<ListArray> {
    let list_type = match array.data_type() {
        DataType::List(_) => return Ok(array.as_list::<i32>().clone()),
        DataType::LargeList(f) | DataType::FixedSizeList(f, _) => DataType::List(Arc::clone(f)),
        _ => DataType::List(Arc::new(Field::new_list_field(DataType::Null, true))),
    };
    Ok(arrow_cast::cast(array, &list_type)?.as_list::<i32>().clone())
}

/// A list's elements (its value range) with each one's row and position in its row.
struct Elements {
    values: ArrayRef,
    rows: UInt32Array,
    positions: Int32Array,
    /// Each row's offsets, from 0.
    offsets: Vec<i32>,
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)] // offsets are non-negative, rows < 2³²
fn elements(list: &ListArray) -> Elements {
    let offsets = list.value_offsets();
    let start = offsets[0];
    let values = list.values().slice(start as usize, (offsets[list.len()] - start) as usize);
    let (mut rows, mut positions) = (Vec::new(), Vec::new());
    for row in 0..list.len() {
        for position in 0..(offsets[row + 1] - offsets[row]) {
            rows.push(row as u32);
            positions.push(position);
        }
    }
    Elements {
        values,
        rows: UInt32Array::from(rows),
        positions: Int32Array::from(positions),
        offsets: offsets.iter().map(|o| o - start).collect(),
    }
}

fn item_field(output: &DataType) -> FieldRef {
    match output {
        DataType::List(field) => Arc::clone(field),
        other => Arc::new(Field::new_list_field(other.clone(), true)),
    }
}

/// A list of `values` split at `offsets`, NULL where `nulls` says.
fn rebuild(
    output: &DataType,
    offsets: Vec<i32>,
    values: ArrayRef,
    nulls: Option<&arrow_buffer::NullBuffer>,
) -> Result<ArrayRef> {
    let field = item_field(output);
    let values =
        if values.data_type() == field.data_type() { values } else { arrow_cast::cast(&values, field.data_type())? };
    Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(offsets.into()), values, nulls.cloned())?))
}

/// `kind` over the arrays of `data` (one, two for `zip_with`).
pub(super) fn evaluate(
    kind: &str,
    lambda: &Planned,
    data: &[ArrayRef],
    captured: &[ArrayRef],
    output: &DataType,
) -> Result<ArrayRef> {
    let list = as_list(&data[0])?;
    let parts = elements(&list);
    let params = || vec![Arc::clone(&parts.values), Arc::new(parts.positions.clone()) as ArrayRef];
    match kind {
        "transform" => {
            let values = lambda.evaluate(params(), captured, &parts.rows)?;
            rebuild(output, parts.offsets, values, list.nulls())
        }
        "filter" => {
            let keep = lambda.evaluate(params(), captured, &parts.rows)?;
            let keep = keep.as_boolean();
            let offsets = super::kept_offsets(&parts.offsets, keep);
            let values = arrow_select::filter::filter(parts.values.as_ref(), keep)?;
            rebuild(output, offsets, values, list.nulls())
        }
        "exists" | "forall" => {
            let tested = lambda.evaluate(params(), captured, &parts.rows)?;
            Ok(Arc::new(three_valued(&list, &parts.offsets, tested.as_boolean(), kind == "exists")))
        }
        "zip_with" => zip_with(lambda, &list, &as_list(&data[1])?, captured, output),
        _ => sort_with(lambda, &list, &parts, captured, output),
    }
}

/// `exists` (any true, else NULL if any NULL, else false) or `forall` (the dual), per row.
#[allow(clippy::cast_sign_loss)] // offsets are non-negative
fn three_valued(list: &ListArray, offsets: &[i32], tested: &BooleanArray, any: bool) -> BooleanArray {
    (0..list.len())
        .map(|row| {
            if list.is_null(row) {
                return None;
            }
            let mut unknown = false;
            for i in offsets[row] as usize..offsets[row + 1] as usize {
                if tested.is_null(i) {
                    unknown = true;
                } else if tested.value(i) == any {
                    return Some(any);
                }
            }
            if unknown {
                None
            } else {
                Some(!any)
            }
        })
        .collect()
}

/// `zip_with(a, b, (x, y) -> …)`: pairs up to the longer array, NULL for the shorter's missing.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn zip_with(
    lambda: &Planned,
    a: &ListArray,
    b: &ListArray,
    captured: &[ArrayRef],
    output: &DataType,
) -> Result<ArrayRef> {
    let (mut left, mut right, mut rows, mut offsets) = (Vec::new(), Vec::new(), Vec::new(), vec![0_i32]);
    for row in 0..a.len() {
        let (a_range, b_range) =
            (a.value_offsets()[row]..a.value_offsets()[row + 1], b.value_offsets()[row]..b.value_offsets()[row + 1]);
        let length = if a.is_null(row) || b.is_null(row) { 0 } else { a_range.len().max(b_range.len()) };
        for i in 0..length {
            left.push((i < a_range.len()).then(|| a_range.start as u32 + i as u32));
            right.push((i < b_range.len()).then(|| b_range.start as u32 + i as u32));
            rows.push(row as u32);
        }
        offsets.push(offsets[row] + length as i32);
    }
    let take = |list: &ListArray, at: Vec<Option<u32>>| {
        arrow_select::take::take(list.values().as_ref(), &UInt32Array::from(at), None)
    };
    let values = lambda.evaluate(vec![take(a, left)?, take(b, right)?], captured, &UInt32Array::from(rows))?;
    let nulls = arrow_buffer::NullBuffer::union(a.nulls(), b.nulls());
    rebuild(output, offsets, values, nulls.as_ref())
}

/// `array_sort(xs, (l, r) -> …)`: a stable sort by the comparator's sign, row by row.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn sort_with(
    lambda: &Planned,
    list: &ListArray,
    parts: &Elements,
    captured: &[ArrayRef],
    output: &DataType,
) -> Result<ArrayRef> {
    let mut order: Vec<u32> = Vec::with_capacity(parts.values.len());
    let mut failure = None;
    for row in 0..list.len() {
        let mut indexes: Vec<u32> = (parts.offsets[row] as u32..parts.offsets[row + 1] as u32).collect();
        indexes.sort_by(|l, r| {
            let pair = |i: u32| arrow_select::take::take(parts.values.as_ref(), &UInt32Array::from(vec![i]), None);
            let compared = pair(*l)
                .and_then(|l| Ok((l, pair(*r)?)))
                .map_err(DataFusionError::from)
                .and_then(|(l, r)| lambda.evaluate(vec![l, r], captured, &UInt32Array::from(vec![row as u32])));
            match compared.map(|c| arrow_cast::cast(&c, &DataType::Int32)) {
                Ok(Ok(c)) if c.is_valid(0) => c.as_primitive::<Int32Type>().value(0).cmp(&0),
                Ok(Ok(_)) => {
                    failure.get_or_insert_with(|| {
                        DataFusionError::Execution(
                            "[COMPARATOR_RETURNS_NULL] The comparator has returned a NULL".to_string(),
                        )
                    });
                    std::cmp::Ordering::Equal
                }
                Ok(Err(e)) => {
                    failure.get_or_insert(e.into());
                    std::cmp::Ordering::Equal
                }
                Err(e) => {
                    failure.get_or_insert(e);
                    std::cmp::Ordering::Equal
                }
            }
        });
        order.extend(indexes);
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    let values = arrow_select::take::take(parts.values.as_ref(), &UInt32Array::from(order), None)?;
    rebuild(output, parts.offsets.clone(), values, list.nulls())
}

/// `aggregate(xs, zero, (acc, x) -> …[, acc -> …])`: every row's accumulator, one element at a
/// time; NULL for a NULL array.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) fn aggregate(lambdas: &[Planned], data: &[ArrayRef], captured: &[ArrayRef]) -> Result<ArrayRef> {
    let list = as_list(&data[0])?;
    let parts = elements(&list);
    let mut accumulated = Arc::clone(&data[1]);
    let longest = (0..list.len()).map(|r| parts.offsets[r + 1] - parts.offsets[r]).max().unwrap_or(0);
    for step in 0..longest {
        let rows: Vec<u32> =
            (0..list.len()).filter(|r| parts.offsets[r + 1] - parts.offsets[*r] > step).map(|r| r as u32).collect();
        let at: Vec<u32> = rows.iter().map(|r| (parts.offsets[*r as usize] + step) as u32).collect();
        let rows = UInt32Array::from(rows);
        let acc = arrow_select::take::take(accumulated.as_ref(), &rows, None)?;
        let element = arrow_select::take::take(parts.values.as_ref(), &UInt32Array::from(at), None)?;
        let mut merged = lambdas[0].evaluate(vec![acc, element], captured, &rows)?;
        if merged.data_type() != accumulated.data_type() {
            merged = arrow_cast::cast(&merged, accumulated.data_type())?;
        }
        let mut picks: Vec<(usize, usize)> = (0..list.len()).map(|r| (0, r)).collect();
        for (i, row) in rows.values().iter().enumerate() {
            picks[*row as usize] = (1, i);
        }
        accumulated = arrow_select::interleave::interleave(&[accumulated.as_ref(), merged.as_ref()], &picks)?;
    }
    let all_rows = UInt32Array::from_iter_values(0..list.len() as u32);
    if let Some(finish) = lambdas.get(1) {
        accumulated = finish.evaluate(vec![accumulated], captured, &all_rows)?;
    }
    match list.logical_nulls() {
        Some(nulls) => Ok(arrow_select::nullif::nullif(
            accumulated.as_ref(),
            &BooleanArray::from(nulls.inner().clone()).iter().map(|v| v.map(|valid| !valid)).collect(),
        )?),
        None => Ok(accumulated),
    }
}
