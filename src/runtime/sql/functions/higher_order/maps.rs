//! The higher-order functions over maps: `map_filter`, `transform_keys`, `transform_values`
//! and `map_zip_with` (the keys of the first map in order, then the second's new ones).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, MapArray, StructArray, UInt32Array};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};

use super::Planned;

/// A map type's key and value types.
pub(super) fn entry_types(map: &DataType) -> Result<(DataType, DataType)> {
    match map {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(fields) if fields.len() == 2 => {
                Ok((fields[0].data_type().clone(), fields[1].data_type().clone()))
            }
            _ => Err(DataFusionError::Plan("a map's entries are a key and a value".to_string())),
        },
        other => Err(DataFusionError::Plan(format!("a map is needed, not {other}"))),
    }
}

/// The type of `kind`'s result over `input` when the lambda gives `body`.
pub(super) fn output_type(kind: &str, input: &DataType, body: DataType) -> Result<DataType> {
    let (key, value) = entry_types(input)?;
    let (key, value) = if kind == "transform_keys" { (body, value) } else { (key, body) };
    let entries = Fields::from(vec![Field::new("key", key, false), Field::new("value", value, true)]);
    Ok(DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false))
}

/// A map of `keys` and `values` split at `offsets`, typed as `output`.
fn rebuild(
    output: &DataType,
    offsets: Vec<i32>,
    keys: ArrayRef,
    values: ArrayRef,
    nulls: Option<&arrow_buffer::NullBuffer>,
) -> Result<ArrayRef> {
    let DataType::Map(entries_field, sorted) = output else {
        return Err(DataFusionError::Internal(format!("a map type, not {output}")));
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return Err(DataFusionError::Internal("a map's entries are a struct".to_string()));
    };
    let cast = |a: ArrayRef, t: &DataType| if a.data_type() == t { Ok(a) } else { arrow_cast::cast(&a, t) };
    let entries = StructArray::try_new(
        fields.clone(),
        vec![cast(keys, fields[0].data_type())?, cast(values, fields[1].data_type())?],
        None,
    )?;
    let map = MapArray::try_new(
        Arc::clone(entries_field),
        OffsetBuffer::new(offsets.into()),
        entries,
        nulls.cloned(),
        *sorted,
    )?;
    Ok(Arc::new(map))
}

/// `kind` over the maps of `data`.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
pub(super) fn evaluate(
    kind: &str,
    lambda: &Planned,
    data: &[ArrayRef],
    captured: &[ArrayRef],
    output: &DataType,
) -> Result<ArrayRef> {
    let map = data[0].as_map();
    if kind == "map_zip_with" {
        return zip_with(lambda, map, data[1].as_map(), captured, output);
    }
    let offsets = map.value_offsets();
    let start = offsets[0] as usize;
    let length = offsets[map.len()] as usize - start;
    let (keys, values) = (map.keys().slice(start, length), map.values().slice(start, length));
    let rows: UInt32Array =
        (0..map.len()).flat_map(|r| std::iter::repeat_n(r as u32, (offsets[r + 1] - offsets[r]) as usize)).collect();
    let computed = lambda.evaluate(vec![Arc::clone(&keys), Arc::clone(&values)], captured, &rows)?;
    let relative: Vec<i32> = offsets.iter().map(|o| o - offsets[0]).collect();
    match kind {
        "transform_keys" => {
            if computed.null_count() > 0 {
                return Err(DataFusionError::Execution("[NULL_MAP_KEY] Cannot use null as map key.".to_string()));
            }
            rebuild(output, relative, computed, values, map.nulls())
        }
        "transform_values" => rebuild(output, relative, keys, computed, map.nulls()),
        _ => {
            let keep = computed.as_boolean();
            let kept_offsets = super::kept_offsets(&relative, keep);
            let keys = arrow_select::filter::filter(keys.as_ref(), keep)?;
            let values = arrow_select::filter::filter(values.as_ref(), keep)?;
            rebuild(output, kept_offsets, keys, values, map.nulls())
        }
    }
}

/// `map_zip_with(m1, m2, (k, v1, v2) -> …)` over the union of the keys.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
fn zip_with(
    lambda: &Planned,
    first: &MapArray,
    second: &MapArray,
    captured: &[ArrayRef],
    output: &DataType,
) -> Result<ArrayRef> {
    let (mut key_picks, mut left, mut right, mut rows, mut offsets) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), vec![0_i32]);
    for row in 0..first.len() {
        let range = |m: &MapArray| m.value_offsets()[row] as usize..m.value_offsets()[row + 1] as usize;
        let key = |m: &MapArray, i: usize| ScalarValue::try_from_array(m.keys(), i);
        let mut count = 0;
        if first.is_valid(row) && second.is_valid(row) {
            let seconds: Vec<(usize, ScalarValue)> =
                range(second).map(|i| Ok((i, key(second, i)?))).collect::<Result<_>>()?;
            for i in range(first) {
                let k = key(first, i)?;
                let matched = seconds.iter().find(|(_, s)| *s == k).map(|(j, _)| *j as u32);
                key_picks.push((0, i));
                left.push(Some(i as u32));
                right.push(matched);
                rows.push(row as u32);
                count += 1;
            }
            for (j, k) in &seconds {
                let known = range(first).map(|i| key(first, i)).collect::<Result<Vec<_>>>()?.contains(k);
                if !known {
                    key_picks.push((1, *j));
                    left.push(None);
                    right.push(Some(*j as u32));
                    rows.push(row as u32);
                    count += 1;
                }
            }
        }
        offsets.push(offsets[row] + count);
    }
    let keys = arrow_select::interleave::interleave(&[first.keys().as_ref(), second.keys().as_ref()], &key_picks)?;
    let v1 = arrow_select::take::take(first.values().as_ref(), &UInt32Array::from(left), None)?;
    let v2 = arrow_select::take::take(second.values().as_ref(), &UInt32Array::from(right), None)?;
    let values = lambda.evaluate(vec![Arc::clone(&keys), v1, v2], captured, &UInt32Array::from(rows))?;
    let nulls = arrow_buffer::NullBuffer::union(first.nulls(), second.nulls());
    rebuild(output, offsets, keys, values, nulls.as_ref())
}
