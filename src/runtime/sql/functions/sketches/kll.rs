//! Spark's KLL quantile sketches (4.x), one set per item type (`bigint`, `float`, `double`):
//! `kll_sketch_agg_*(x[, k])` (k 8–65535, default 200), `kll_merge_agg_*(sketch[, k])`,
//! `kll_sketch_merge_*`, `kll_sketch_get_n_*`, `kll_sketch_get_quantile_*(sketch, rank | ranks)`,
//! `kll_sketch_get_rank_*(sketch, item | items)` and `kll_sketch_to_string_*`.
//!
//! Images are DataSketches' compact KLL format (Java's `KllLongsSketch` / `KllFloatsSketch` /
//! `KllDoublesSketch`). Java merges a sketch holding every item it saw by updating with its items
//! in stored order; Spark builds a group's sketch in one step when its rows are in one partition
//! and otherwise merges the partial sketches into a new one, as glueless does in DataFusion's
//! single and partial steps. So a sketch of up to k items is Spark's byte for byte. Past k items, Java
//! compacts with an unseeded random generator: counts, bounds and ranks agree, retained items
//! may not. Quantiles round the natural rank to 7 decimals first, as Java does.

use std::fmt::{Debug, Write};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int64Type};
use arrow_array::ArrayRef;
use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    AggregateUDF, ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datasketches::common::SearchCriteria;
use datasketches::kll::{KllFloat, KllSketch, KllValue};

use super::super::row::{bytes, each_row, RowContext, RowFunction};
use super::{aggregate, arity, each_image, int_argument, is_binary, unexpected_type, AggregateKind, Sketch};
use crate::core::text::java::{java_double_text, java_float_text};

/// The seven function names of an item type's suffix (part of Spark's function names, not a
/// type name: `kll_sketch_agg_bigint`).
macro_rules! names {
    ($suffix:ident) => {
        Names {
            agg: concat!("kll_sketch_agg_", stringify!($suffix)),
            merge_agg: concat!("kll_merge_agg_", stringify!($suffix)),
            to_string: concat!("kll_sketch_to_string_", stringify!($suffix)),
            get_n: concat!("kll_sketch_get_n_", stringify!($suffix)),
            merge: concat!("kll_sketch_merge_", stringify!($suffix)),
            quantile: concat!("kll_sketch_get_quantile_", stringify!($suffix)),
            rank: concat!("kll_sketch_get_rank_", stringify!($suffix)),
        }
    };
}

const DEFAULT_K: u16 = 200;
const K_RANGE: std::ops::RangeInclusive<i64> = 8..=65535;

/// An item type: Spark's type, Java's sketch class, and how items are read and written.
trait Item: KllValue + Ord + Clone + Debug + Send + Sync + 'static {
    const NAMES: Names;
    /// Java's class name in `toString` (`Longs`, `Floats`, `Doubles`).
    const JAVA: &'static str;
    const WIDTH: usize;
    fn data_type() -> DataType;
    /// Add a column's non-NULL values (NaN is skipped, as Java's `update` skips it).
    fn update_all(sketch: &mut KllSketch<Self>, input: &ArrayRef) -> Result<()>;
    /// One item of a compact image (little-endian; None for a NaN, never written).
    fn read(bytes: &[u8]) -> Option<Self>;
    fn of(value: &ScalarValue) -> Result<Option<Self>>;
    fn scalar(self) -> ScalarValue;
    fn text(&self) -> String;
    /// Spark's accepted input types, as its type error lists them.
    fn accepts(input: &DataType) -> bool;
    const ACCEPTED: &'static str;
}

/// The functions of one item type.
struct Names {
    agg: &'static str,
    merge_agg: &'static str,
    to_string: &'static str,
    get_n: &'static str,
    merge: &'static str,
    quantile: &'static str,
    rank: &'static str,
}

impl Item for i64 {
    const NAMES: Names = names!(bigint);
    const JAVA: &'static str = "Longs";
    const WIDTH: usize = 8;
    const ACCEPTED: &'static str = "(\"TINYINT\" or \"INT\" or \"BIGINT\" or \"SMALLINT\")";
    fn data_type() -> DataType {
        DataType::Int64
    }
    fn update_all(sketch: &mut KllSketch<Self>, input: &ArrayRef) -> Result<()> {
        let values = arrow_cast::cast(input, &DataType::Int64)?;
        values.as_primitive::<Int64Type>().iter().flatten().for_each(|v| sketch.update(v));
        Ok(())
    }
    fn read(bytes: &[u8]) -> Option<Self> {
        Some(i64::from_le_bytes(bytes.try_into().ok()?))
    }
    fn of(value: &ScalarValue) -> Result<Option<Self>> {
        match value.cast_to(&DataType::Int64)? {
            ScalarValue::Int64(v) => Ok(v),
            _ => Ok(None),
        }
    }
    fn scalar(self) -> ScalarValue {
        ScalarValue::Int64(Some(self))
    }
    fn text(&self) -> String {
        self.to_string()
    }
    fn accepts(input: &DataType) -> bool {
        matches!(input, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)
    }
}

impl Item for KllFloat<f32> {
    const NAMES: Names = names!(float);
    const JAVA: &'static str = "Floats";
    const WIDTH: usize = 4;
    const ACCEPTED: &'static str = "\"FLOAT\"";
    fn data_type() -> DataType {
        DataType::Float32
    }
    fn update_all(sketch: &mut KllSketch<Self>, input: &ArrayRef) -> Result<()> {
        let values = arrow_cast::cast(input, &DataType::Float32)?;
        values
            .as_primitive::<Float32Type>()
            .iter()
            .flatten()
            .filter_map(|v| KllFloat::<f32>::new(v).ok())
            .for_each(|v| sketch.update(v));
        Ok(())
    }
    fn read(bytes: &[u8]) -> Option<Self> {
        KllFloat::<f32>::new(f32::from_le_bytes(bytes.try_into().ok()?)).ok()
    }
    fn of(value: &ScalarValue) -> Result<Option<Self>> {
        match value.cast_to(&DataType::Float32)? {
            ScalarValue::Float32(Some(v)) => Ok(KllFloat::<f32>::new(v).ok()),
            _ => Ok(None),
        }
    }
    fn scalar(self) -> ScalarValue {
        ScalarValue::Float32(Some(self.into_inner()))
    }
    fn text(&self) -> String {
        java_float_text((*self).into_inner())
    }
    fn accepts(input: &DataType) -> bool {
        *input == DataType::Float32
    }
}

impl Item for KllFloat<f64> {
    const NAMES: Names = names!(double);
    const JAVA: &'static str = "Doubles";
    const WIDTH: usize = 8;
    const ACCEPTED: &'static str = "(\"FLOAT\" or \"DOUBLE\")";
    fn data_type() -> DataType {
        DataType::Float64
    }
    fn update_all(sketch: &mut KllSketch<Self>, input: &ArrayRef) -> Result<()> {
        let values = arrow_cast::cast(input, &DataType::Float64)?;
        values
            .as_primitive::<Float64Type>()
            .iter()
            .flatten()
            .filter_map(|v| KllFloat::<f64>::new(v).ok())
            .for_each(|v| sketch.update(v));
        Ok(())
    }
    fn read(bytes: &[u8]) -> Option<Self> {
        KllFloat::<f64>::new(f64::from_le_bytes(bytes.try_into().ok()?)).ok()
    }
    fn of(value: &ScalarValue) -> Result<Option<Self>> {
        match value.cast_to(&DataType::Float64)? {
            ScalarValue::Float64(Some(v)) => Ok(KllFloat::<f64>::new(v).ok()),
            _ => Ok(None),
        }
    }
    fn scalar(self) -> ScalarValue {
        ScalarValue::Float64(Some(self.into_inner()))
    }
    fn text(&self) -> String {
        java_double_text((*self).into_inner())
    }
    fn accepts(input: &DataType) -> bool {
        matches!(input, DataType::Float32 | DataType::Float64)
    }
}

/// The family's aggregates.
pub(super) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [typed_aggregates::<i64>(), typed_aggregates::<KllFloat<f32>>(), typed_aggregates::<KllFloat<f64>>()].concat()
}

/// The family's scalar functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    [typed_functions::<i64>(), typed_functions::<KllFloat<f32>>(), typed_functions::<KllFloat<f64>>()].concat()
}

fn typed_aggregates<T: Item>() -> Vec<Arc<AggregateUDF>> {
    let constant = ("KLL_SKETCH_K_MUST_BE_CONSTANT", "k");
    vec![
        aggregate(AggregateKind {
            name: T::NAMES.agg,
            coerce: coerce_values::<T>,
            start: start_sketch::<T>,
            nullable: false,
            constant,
            columns: 1,
        }),
        aggregate(AggregateKind {
            name: T::NAMES.merge_agg,
            coerce: coerce_images::<T>,
            start: start_merge::<T>,
            nullable: false,
            constant,
            columns: 1,
        }),
    ]
}

fn typed_functions<T: Item>() -> Vec<Arc<ScalarUDF>> {
    let binary = || vec![DataType::Binary];
    vec![
        RowFunction::strict(T::NAMES.to_string, binary(), 1, DataType::Utf8, |args, _: RowContext| {
            let image = bytes(&args[0]);
            Ok(ScalarValue::Utf8(Some(summary(&read::<T>(T::NAMES.to_string, &image)?, &image))))
        }),
        RowFunction::strict(T::NAMES.get_n, binary(), 1, DataType::Int64, |args, _: RowContext| {
            let n = read::<T>(T::NAMES.get_n, &bytes(&args[0]))?.n();
            Ok(ScalarValue::Int64(Some(i64::try_from(n).unwrap_or(i64::MAX))))
        }),
        RowFunction::strict(
            T::NAMES.merge,
            vec![DataType::Binary, DataType::Binary],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let mut left = read::<T>(T::NAMES.merge, &bytes(&args[0]))?;
                java_merge(&mut left, &bytes(&args[1]), T::NAMES.merge)?;
                Ok(ScalarValue::Binary(Some(left.serialize())))
            },
        ),
        query::<T>(Query::Quantile),
        query::<T>(Query::Rank),
    ]
}

fn coerce_values<T: Item>(types: &[DataType]) -> Result<Vec<DataType>> {
    arity(T::NAMES.agg, types.len(), 1, 2)?;
    if !T::accepts(&types[0]) {
        return Err(unexpected_type(T::NAMES.agg, 1, T::ACCEPTED, &types[0]));
    }
    k_type(T::NAMES.agg, types)
}

fn coerce_images<T: Item>(types: &[DataType]) -> Result<Vec<DataType>> {
    arity(T::NAMES.merge_agg, types.len(), 1, 2)?;
    if !is_binary(&types[0]) || types[0] == DataType::Null {
        return Err(unexpected_type(T::NAMES.merge_agg, 1, "\"BINARY\"", &types[0]));
    }
    k_type(T::NAMES.merge_agg, types)
}

/// The first argument's type and k, which must be an int.
fn k_type(function: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    if let Some(k) = types.get(1).filter(|k| !matches!(k, DataType::Int32 | DataType::Null)) {
        return Err(unexpected_type(function, 2, "\"INT\"", k));
    }
    Ok(types.iter().enumerate().map(|(i, t)| if i == 1 { DataType::Int32 } else { t.clone() }).collect())
}

/// k as Spark checks it.
fn k_value(function: &str, constants: &[Option<ScalarValue>]) -> Result<Option<u16>> {
    match constants.first() {
        None => Ok(None),
        Some(None) => Err(DataFusionError::Plan(format!(
            "[DATATYPE_MISMATCH.UNEXPECTED_NULL] Cannot resolve \"{function}\" due to data type mismatch: The k must not be null."
        ))),
        some => {
            let k = int_argument(some, i64::from(DEFAULT_K))?;
            if !K_RANGE.contains(&k) {
                return Err(DataFusionError::Plan(format!(
                    "[KLL_SKETCH_K_OUT_OF_RANGE] For function `{function}`, the k parameter must be between {} and {} (inclusive), but got {k}.",
                    K_RANGE.start(),
                    K_RANGE.end()
                )));
            }
            Ok(u16::try_from(k).ok())
        }
    }
}

fn start_sketch<T: Item>(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let k = k_value(T::NAMES.agg, constants)?.unwrap_or(DEFAULT_K);
    Ok(Box::new(ValueSketch::<T> { sketch: new_sketch(k)? }))
}

fn start_merge<T: Item>(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let k = k_value(T::NAMES.merge_agg, constants)?;
    Ok(Box::new(MergeSketch::<T> { sketch: None, k }))
}

fn new_sketch<T: Item>(k: u16) -> Result<KllSketch<T>> {
    KllSketch::new(k).map_err(|e| DataFusionError::Execution(format!("KLL sketch: {}", e.message())))
}

/// `kll_sketch_agg_*`: one step builds the sketch (Spark's plan for one partition); partial
/// sketches are merged into a new one (Spark's final step).
#[derive(Debug)]
struct ValueSketch<T: Item> {
    sketch: KllSketch<T>,
}

impl<T: Item> Sketch for ValueSketch<T> {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let input = &input[0];
        T::update_all(&mut self.sketch, input)
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        java_merge(&mut self.sketch, image, T::NAMES.agg)
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(self.sketch.serialize())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.sketch.serialize())))
    }

    fn size(&self) -> usize {
        self.sketch.num_retained() * T::WIDTH
    }
}

/// `kll_merge_agg_*`: without k, a group's sketch takes the first sketch's k and Spark's final
/// step keeps the first partial as it is; with k, every step merges into a new sketch.
#[derive(Debug)]
struct MergeSketch<T: Item> {
    sketch: Option<KllSketch<T>>,
    k: Option<u16>,
}

impl<T: Item> MergeSketch<T> {
    fn add(&mut self, image: &[u8]) -> Result<()> {
        let sketch = if let Some(sketch) = &mut self.sketch {
            sketch
        } else {
            let k = match self.k {
                Some(k) => k,
                None => read::<T>(T::NAMES.merge_agg, image)?.k(),
            };
            self.sketch.insert(new_sketch(k)?)
        };
        java_merge(sketch, image, T::NAMES.merge_agg)
    }

    fn result(&self) -> Result<Vec<u8>> {
        match (&self.sketch, self.k) {
            (None, k) => Ok(new_sketch::<T>(k.unwrap_or(DEFAULT_K))?.serialize()),
            (Some(sketch), _) => Ok(sketch.serialize()),
        }
    }
}

impl<T: Item> Sketch for MergeSketch<T> {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let input = &input[0];
        each_image(input, |image| self.add(image))
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        if image.is_empty() {
            return Ok(());
        }
        if self.sketch.is_none() && self.k.is_none() {
            self.sketch = Some(read::<T>(T::NAMES.merge_agg, image)?);
            return Ok(());
        }
        self.add(image)
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(self.sketch.as_ref().map(KllSketch::serialize).unwrap_or_default())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.result()?)))
    }

    fn size(&self) -> usize {
        self.sketch.as_ref().map_or(0, |s| s.num_retained() * T::WIDTH)
    }
}

/// Java's `merge`: a sketch holding every item it saw is added item by item in stored order;
/// one that compacted is merged level by level.
fn java_merge<T: Item>(sketch: &mut KllSketch<T>, image: &[u8], function: &str) -> Result<()> {
    let other = read::<T>(function, image)?;
    if other.is_empty() {
        return Ok(());
    }
    if let Some(items) = stored_items::<T>(image, other.n()) {
        for item in items {
            sketch.update(item);
        }
        return Ok(());
    }
    sketch.merge(&other).map_err(|_| invalid(function))
}

/// The items of an image of one level, in stored order (None for a compacted sketch).
fn stored_items<T: Item>(image: &[u8], n: u64) -> Option<Vec<T>> {
    let single = image.get(3)? & 4 != 0;
    if single {
        return T::read(image.get(8..8 + T::WIDTH)?).map(|item| vec![item]);
    }
    let levels = usize::from(*image.get(18)?);
    if levels != 1 {
        return None;
    }
    let start = 20 + 4 * levels + 2 * T::WIDTH;
    let count = usize::try_from(n).ok()?;
    image.get(start..start + count * T::WIDTH)?.chunks_exact(T::WIDTH).map(T::read).collect()
}

/// The sketch of an image, or Spark's error naming `function`.
fn read<T: Item>(function: &str, image: &[u8]) -> Result<KllSketch<T>> {
    KllSketch::deserialize(image).map_err(|_| invalid(function))
}

fn invalid(function: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[KLL_INVALID_INPUT_SKETCH_BUFFER] Invalid call to `{function}`; only valid KLL sketch buffers are supported \
         as inputs (such as those produced by the `kll_sketch_agg` function)."
    ))
}

/// Java's `toString` of a sketch; levels and capacity are read from its compact image.
fn summary<T: Item>(sketch: &KllSketch<T>, image: &[u8]) -> String {
    let full = image.len() > 20 && image[3] & 5 == 0;
    let levels = if full { usize::from(image[18]) } else { 1 };
    let free = if full { image.get(20..24).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])) } else { 0 };
    let retained = sketch.num_retained();
    let capacity = if full { retained + free as usize } else { usize::from(sketch.k()) };
    let min_k = f64::from(sketch.min_k());
    let item = |v: Option<&T>| v.map_or_else(|| "NaN".to_string(), Item::text);
    let lines = [
        ("K", sketch.k().to_string()),
        ("Dynamic min K", sketch.min_k().to_string()),
        ("M", "8".to_string()),
        ("N", sketch.n().to_string()),
        ("Epsilon", format!("{:.3}%", 100.0 * 2.296 / min_k.powf(0.9723))),
        ("Epsilon PMF", format!("{:.3}%", 100.0 * 2.446 / min_k.powf(0.9433))),
        ("Empty", sketch.is_empty().to_string()),
        ("Estimation Mode", (levels > 1).to_string()),
        ("Levels", levels.to_string()),
        ("Level 0 Sorted", "false".to_string()),
        ("Capacity Items", capacity.to_string()),
        ("Retained Items", retained.to_string()),
        ("Free Space", (capacity - retained).to_string()),
        ("ReadOnly", "false".to_string()),
        ("Updatable Storage Bytes", (20 + 4 * (levels + 1) + T::WIDTH * (capacity + 2)).to_string()),
        ("Compact Storage Bytes", image.len().to_string()),
        ("Min Item", item(sketch.min_item())),
        ("Max Item", item(sketch.max_item())),
    ];
    let body = lines.iter().fold(String::new(), |mut body, (label, value)| {
        let _ = writeln!(body, "   {label:<23}: {value}");
        body
    });
    format!("\n### KllKll{}Sketch Summary:\n{body}### End sketch summary\n", T::JAVA)
}

/// What a query function asks of a sketch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Query {
    /// The item at a normalized rank (or each of an array of ranks).
    Quantile,
    /// The normalized rank of an item (or of each of an array of items).
    Rank,
}

/// `kll_sketch_get_quantile_*` / `kll_sketch_get_rank_*`: one answer, or an array for an array.
#[derive(Debug)]
struct KllQuery {
    name: &'static str,
    query: Query,
    item: DataType,
    evaluate: fn(&str, Query, &[ScalarValue]) -> Result<ScalarValue>,
    signature: Signature,
}

same_by_name!(KllQuery);

fn query<T: Item>(query: Query) -> Arc<ScalarUDF> {
    let name = if query == Query::Quantile { T::NAMES.quantile } else { T::NAMES.rank };
    let signature = Signature::user_defined(Volatility::Immutable);
    Arc::new(ScalarUDF::new_from_impl(KllQuery { name, query, item: T::data_type(), evaluate: answer::<T>, signature }))
}

impl KllQuery {
    /// The argument's type: a rank is a double, an item the sketch's type.
    fn argument(&self) -> DataType {
        if self.query == Query::Quantile {
            DataType::Float64
        } else {
            self.item.clone()
        }
    }

    fn answer(&self) -> DataType {
        if self.query == Query::Quantile {
            self.item.clone()
        } else {
            DataType::Float64
        }
    }
}

impl ScalarUDFImpl for KllQuery {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        arity(self.name, arg_types.len(), 2, 2)?;
        if !is_binary(&arg_types[0]) {
            return Err(unexpected_type(self.name, 1, "\"BINARY\"", &arg_types[0]));
        }
        let argument = match &arg_types[1] {
            DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
                DataType::new_list(self.argument(), true)
            }
            _ => self.argument(),
        };
        Ok(vec![DataType::Binary, argument])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match arg_types.get(1) {
            Some(DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)) => {
                DataType::new_list(self.answer(), true)
            }
            _ => self.answer(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let list = matches!(args.arg_fields[1].data_type(), DataType::List(_));
        let null =
            ScalarValue::try_from(&self.return_type(&[DataType::Binary, args.arg_fields[1].data_type().clone()])?)?;
        each_row(&args, |row| {
            if row.iter().any(ScalarValue::is_null) {
                return Ok(null.clone());
            }
            if !list {
                return (self.evaluate)(self.name, self.query, row);
            }
            let ScalarValue::List(items) = &row[1] else { return Ok(null.clone()) };
            let items = items.value(0);
            let answers = (0..items.len())
                .map(|i| {
                    let item = ScalarValue::try_from_array(&items, i)?;
                    (self.evaluate)(self.name, self.query, &[row[0].clone(), item])
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(ScalarValue::List(ScalarValue::new_list_nullable(&answers, &self.answer())))
        })
    }
}

/// One quantile or rank of a sketch.
fn answer<T: Item>(function: &str, query: Query, args: &[ScalarValue]) -> Result<ScalarValue> {
    let sketch = read::<T>(function, &bytes(&args[0]))?;
    if sketch.is_empty() {
        return Err(invalid(function));
    }
    match query {
        Query::Quantile => {
            let rank = match args[1].cast_to(&DataType::Float64)? {
                ScalarValue::Float64(Some(r)) => r,
                _ => f64::NAN,
            };
            // NaN passes Java's check (and reads the minimum).
            if !rank.is_nan() && !(0.0..=1.0).contains(&rank) {
                return Err(DataFusionError::Execution(format!(
                    "[KLL_SKETCH_INVALID_QUANTILE_RANGE] For function `{function}`, the quantile value must be between 0.0 and 1.0 (inclusive)."
                )));
            }
            let n = sketch.n() as f64;
            // Java's natural rank: r·n rounded to 7 decimals (up to 10^7 items), then up.
            let mut natural = rank * n;
            if n <= 1e7 {
                natural = (natural * 1e7 + 0.5).floor() / 1e7;
            }
            let natural = natural.ceil();
            let normalized = if rank.is_nan() || natural < 1.0 { 0.0 } else { ((natural - 0.5) / n).min(1.0) };
            let item = sketch.quantile(normalized, SearchCriteria::Inclusive).map_err(|_| invalid(function))?;
            Ok(item.map_or(ScalarValue::try_from(T::data_type())?, Item::scalar))
        }
        Query::Rank => {
            let item = T::of(&args[1])?.ok_or_else(|| invalid(function))?;
            Ok(ScalarValue::Float64(sketch.rank(&item, SearchCriteria::Inclusive)))
        }
    }
}
