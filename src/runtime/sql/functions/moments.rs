//! Spark's statistical aggregates with Spark's own arithmetic, so they give its answers to the
//! last digit: the running update and the merge of `CentralMomentAgg` (count, mean and the
//! second to fourth central moments, in doubles) behind `var_pop`, `var_samp` (`variance`),
//! `stddev_pop`, `stddev_samp` (`stddev`, `std`), `skewness`, `kurtosis`, `regr_sxx` /
//! `regr_syy` (templates); and of `Covariance` / `PearsonCorrelation` (co-moments of two
//! columns, rows where both are set) behind `covar_pop`, `covar_samp`, `corr`, `regr_sxy`,
//! `regr_slope`, `regr_intercept` and `regr_r2`. What Spark divides by zero is NULL.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

/// What an aggregate of the family computes from its moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Statistic {
    VarPop,
    VarSamp,
    StddevPop,
    StddevSamp,
    Skewness,
    Kurtosis,
    /// `regr_sxx` / `regr_syy`: the second central moment itself.
    SumOfSquares,
    CovarPop,
    CovarSamp,
    Corr,
    RegrSxy,
    RegrSlope,
    RegrIntercept,
    RegrR2,
}

impl Statistic {
    /// How many columns the aggregate reads: one (central moments) or two (co-moments).
    fn columns(self) -> usize {
        match self {
            Self::VarPop
            | Self::VarSamp
            | Self::StddevPop
            | Self::StddevSamp
            | Self::Skewness
            | Self::Kurtosis
            | Self::SumOfSquares => 1,
            _ => 2,
        }
    }
}

/// The family's aggregates, by the names Spark calls them (and `spark_sum_of_squares`, which the
/// `regr_sxx` / `regr_syy` templates call).
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    use Statistic as S;
    [
        ("var_pop", S::VarPop),
        ("var_samp", S::VarSamp),
        ("stddev_pop", S::StddevPop),
        ("stddev_samp", S::StddevSamp),
        ("stddev", S::StddevSamp),
        ("skewness", S::Skewness),
        ("kurtosis", S::Kurtosis),
        ("spark_sum_of_squares", S::SumOfSquares),
        ("covar_pop", S::CovarPop),
        ("covar_samp", S::CovarSamp),
        ("corr", S::Corr),
        ("regr_sxy", S::RegrSxy),
        ("regr_slope", S::RegrSlope),
        ("regr_intercept", S::RegrIntercept),
        ("regr_r2", S::RegrR2),
    ]
    .into_iter()
    .map(|(name, statistic)| {
        let signature = Signature::exact(vec![DataType::Float64; statistic.columns()], Volatility::Immutable);
        Arc::new(AggregateUDF::new_from_impl(SparkMoments { name, statistic, signature }))
    })
    .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkMoments {
    name: &'static str,
    statistic: Statistic,
    signature: Signature,
}

impl AggregateUDFImpl for SparkMoments {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(MomentsAccumulator {
            statistic: self.statistic,
            moments: Moments::default(),
            x_variance: Moments::default(),
            merged: false,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(STATE
            .iter()
            .map(|part| Arc::new(Field::new(format!("{}[{part}]", args.name), DataType::Float64, false)))
            .collect())
    }
}

const STATE: [&str; 10] = ["n", "x_avg", "y_avg", "m2", "m3", "m4", "y_m2", "xv_n", "xv_avg", "xv_m2"];

/// Spark's aggregation buffer. One column: `x_avg` and `m2`…`m4` are its mean and central
/// moments. Two columns `a`, `b` (Spark's `Covariance(x, y)`): `x_avg`, `y_avg` their means, `m2`
/// the co-moment `ck`, `m3` and `y_m2` the second moments of `a` and `b` (`xMk`, `yMk`).
#[derive(Debug, Default, Clone, Copy)]
struct Moments {
    n: f64,
    x_avg: f64,
    y_avg: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    y_m2: f64,
}

impl Moments {
    /// `CentralMomentAgg`'s update with one value.
    fn update_central(&mut self, x: f64) {
        let n = self.n + 1.0;
        let delta = x - self.x_avg;
        let delta_n = delta / n;
        let m2 = self.m2 + delta * (delta - delta_n);
        let (delta2, delta_n2) = (delta * delta, delta_n * delta_n);
        let m3 = self.m3 - 3.0 * delta_n * m2 + delta * (delta2 - delta_n2);
        self.m4 = self.m4 - 4.0 * delta_n * m3 - 6.0 * delta_n2 * m2 + delta * (delta * delta2 - delta_n * delta_n2);
        self.x_avg += delta_n;
        (self.n, self.m2, self.m3) = (n, m2, m3);
    }

    /// `PearsonCorrelation`'s update with one pair.
    fn update_pair(&mut self, a: f64, b: f64) {
        let n = self.n + 1.0;
        let (dx, dy) = (a - self.x_avg, b - self.y_avg);
        self.x_avg += dx / n;
        self.y_avg += dy / n;
        self.m2 += dx * (b - self.y_avg);
        self.m3 += dx * (a - self.x_avg);
        self.y_m2 += dy * (b - self.y_avg);
        self.n = n;
    }

    /// `CentralMomentAgg`'s merge of two partial buffers.
    fn merge_central(&mut self, other: &Self) {
        let (n1, n2) = (self.n, other.n);
        let n = n1 + n2;
        let delta = other.x_avg - self.x_avg;
        let delta_n = if n == 0.0 { 0.0 } else { delta / n };
        let m2 = self.m2 + other.m2 + delta * delta_n * n1 * n2;
        let m3 = self.m3
            + other.m3
            + delta_n * delta_n * delta * n1 * n2 * (n1 - n2)
            + 3.0 * delta_n * (n1 * other.m2 - n2 * self.m2);
        self.m4 = self.m4
            + other.m4
            + delta_n * delta_n * delta_n * delta * n1 * n2 * (n1 * n1 - n1 * n2 + n2 * n2)
            + 6.0 * delta_n * delta_n * (n1 * n1 * other.m2 + n2 * n2 * self.m2)
            + 4.0 * delta_n * (n1 * other.m3 - n2 * self.m3);
        self.x_avg += delta_n * n2;
        (self.n, self.m2, self.m3) = (n, m2, m3);
    }

    /// `PearsonCorrelation`'s merge of two partial buffers.
    fn merge_pair(&mut self, other: &Self) {
        let (n1, n2) = (self.n, other.n);
        let n = n1 + n2;
        let (dx, dy) = (other.x_avg - self.x_avg, other.y_avg - self.y_avg);
        let (x_shift, y_shift) = if n == 0.0 { (0.0, 0.0) } else { (dx / n, dy / n) };
        self.m2 += other.m2 + dx * y_shift * n1 * n2;
        self.m3 += other.m3 + dx * x_shift * n1 * n2;
        self.y_m2 += other.y_m2 + dy * y_shift * n1 * n2;
        self.x_avg += x_shift * n2;
        self.y_avg += y_shift * n2;
        self.n = n;
    }

    /// Spark's evaluation; a division by zero is NULL.
    fn evaluate(&self, statistic: Statistic) -> Option<f64> {
        use Statistic as S;
        let divide = |a: f64, b: f64| (b != 0.0).then(|| a / b);
        if self.n == 0.0 {
            return None;
        }
        match statistic {
            S::VarPop | S::CovarPop => divide(self.m2, self.n),
            S::VarSamp | S::CovarSamp => divide(self.m2, self.n - 1.0),
            S::StddevPop => divide(self.m2, self.n).map(f64::sqrt),
            S::StddevSamp => divide(self.m2, self.n - 1.0).map(f64::sqrt),
            S::Skewness => divide(self.n.sqrt() * self.m3, (self.m2 * self.m2 * self.m2).sqrt()),
            S::Kurtosis => divide(self.n * self.m4, self.m2 * self.m2).map(|k| k - 3.0),
            S::SumOfSquares | S::RegrSxy => Some(self.m2),
            S::Corr => divide(self.m2, (self.m3 * self.y_m2).sqrt()),
            // Over the swapped pair; the accumulator passes VariancePop(x)'s m2.
            S::RegrSlope | S::RegrIntercept => None,
            S::RegrR2 if self.m3 == 0.0 => None,
            S::RegrR2 if self.y_m2 == 0.0 => Some(1.0),
            S::RegrR2 => {
                let corr = self.m2 / (self.m3 * self.y_m2).sqrt();
                Some(corr * corr)
            }
        }
    }
}

#[derive(Debug)]
struct MomentsAccumulator {
    statistic: Statistic,
    moments: Moments,
    /// `regr_slope` / `regr_intercept`: Spark's `VariancePop(x)` beside `CovPopulation(x, y)`
    /// (over the same pairs, as PySpark's answers show).
    x_variance: Moments,
    /// Whether partial buffers were merged in (DataFusion's final step); see `evaluate`.
    merged: bool,
}

impl MomentsAccumulator {
    fn merge(&mut self, other: &Moments, other_x_variance: &Moments) {
        if self.statistic.columns() == 1 {
            self.moments.merge_central(other);
        } else {
            self.moments.merge_pair(other);
            self.x_variance.merge_central(other_x_variance);
        }
    }

    fn value(&self) -> Option<f64> {
        let (m, variance) = (&self.moments, self.x_variance.m2);
        match self.statistic {
            Statistic::RegrSlope => (variance != 0.0).then(|| m.m2 / variance),
            Statistic::RegrIntercept => (variance != 0.0).then(|| m.y_avg - m.m2 / variance * m.x_avg),
            statistic => m.evaluate(statistic),
        }
    }
}

impl Accumulator for MomentsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let first = values[0].as_primitive::<Float64Type>();
        if self.statistic.columns() == 1 {
            for x in first.iter().flatten() {
                self.moments.update_central(x);
            }
            return Ok(());
        }
        let second = values[1].as_primitive::<Float64Type>();
        // regr_slope(y, x) and regr_intercept are Spark's Covariance(x, y): the pair swapped.
        let swapped = matches!(self.statistic, Statistic::RegrSlope | Statistic::RegrIntercept);
        for (first, second) in first.iter().zip(second.iter()) {
            if let (Some(first), Some(second)) = (first, second) {
                if swapped {
                    self.moments.update_pair(second, first);
                    self.x_variance.update_central(second);
                } else {
                    self.moments.update_pair(first, second);
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let parts: Vec<_> = states.iter().map(AsArray::as_primitive::<Float64Type>).collect();
        for row in 0..states[0].len() {
            let value = |i: usize| parts[i].value(row);
            let other = Moments {
                n: value(0),
                x_avg: value(1),
                y_avg: value(2),
                m2: value(3),
                m3: value(4),
                m4: value(5),
                y_m2: value(6),
            };
            let x_variance = Moments { n: value(7), x_avg: value(8), m2: value(9), ..Moments::default() };
            self.merge(&other, &x_variance);
        }
        self.merged = true;
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (m, v) = (self.moments, self.x_variance);
        Ok([m.n, m.x_avg, m.y_avg, m.m2, m.m3, m.m4, m.y_m2, v.n, v.x_avg, v.m2]
            .into_iter()
            .map(|v| ScalarValue::Float64(Some(v)))
            .collect())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        // Spark always aggregates in two steps, the final one merging each partition's buffer
        // into an empty one, which rounds the mean again; where DataFusion ran one step, do
        // that merge here.
        if !self.merged {
            let (partial, x_variance) = (std::mem::take(&mut self.moments), std::mem::take(&mut self.x_variance));
            self.merge(&partial, &x_variance);
            self.merged = true;
        }
        Ok(ScalarValue::Float64(self.value()))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}
