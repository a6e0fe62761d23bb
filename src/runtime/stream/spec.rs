//! What a streaming query computes: an aggregation (the event-time column and its watermark
//! delay, the grouping — a time window and/or plain columns — and the aggregates), or rows that
//! pass through, de-duplicated or not.

use std::fmt;

use super::duration;
use crate::error::{Error, Result};

/// An aggregate function, as in Spark SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggFunc {
    /// count(*): rows of the group.
    CountAll,
    /// count(col): non-null values.
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl AggFunc {
    /// The SQL name.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            AggFunc::CountAll | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
        }
    }
}

/// One output column: `name = func(column)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Aggregate {
    pub(crate) name: String,
    pub(crate) func: AggFunc,
    /// The input column; `None` for count(*).
    pub(crate) column: Option<String>,
}

impl Aggregate {
    /// Parse `name=func(col)` (or `func(col)`, named `func(col)` as Spark names it).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidArgument(format!("bad aggregate {text:?}: {why}"));
        let (name, call) = match text.split_once('=') {
            Some((name, call)) => (Some(name.trim().to_string()), call.trim()),
            None => (None, text.trim()),
        };
        let (func, rest) = call.split_once('(').ok_or_else(|| bad("use name=func(column), e.g. reviews=count(*)"))?;
        let argument = rest.strip_suffix(')').ok_or_else(|| bad("missing )"))?.trim();
        let func = match (func.trim().to_ascii_lowercase().as_str(), argument) {
            ("count", "*" | "1") => AggFunc::CountAll,
            ("count", _) => AggFunc::Count,
            ("sum", _) => AggFunc::Sum,
            ("avg" | "mean", _) => AggFunc::Avg,
            ("min", _) => AggFunc::Min,
            ("max", _) => AggFunc::Max,
            (other, _) => return Err(bad(&format!("unknown function {other} (count, sum, avg, min, max)"))),
        };
        if argument.is_empty() || (argument == "*" && func != AggFunc::CountAll) {
            return Err(bad("needs a column"));
        }
        let column = (func != AggFunc::CountAll).then(|| argument.to_string());
        let name = name.filter(|n| !n.is_empty()).unwrap_or_else(|| format!("{}({argument})", func.name()));
        Ok(Self { name, func, column })
    }
}

impl fmt::Display for Aggregate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}({})", self.name, self.func.name(), self.column.as_deref().unwrap_or("*"))
    }
}

/// A tumbling (`slide == size`) or sliding time window, in microseconds, aligned to the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) size: i64,
    pub(crate) slide: i64,
}

impl Window {
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad duration or a slide longer than the window.
    pub(crate) fn parse(size: &str, slide: Option<&str>) -> Result<Self> {
        let size = duration::parse_micros(size)?;
        let slide = slide.map(duration::parse_micros).transpose()?.unwrap_or(size);
        if slide > size {
            return Err(Error::InvalidArgument(format!(
                "the slide ({}) must not be longer than the window ({})",
                duration::describe(slide),
                duration::describe(size)
            )));
        }
        Ok(Self { size, slide })
    }

    /// The starts of the windows holding the event time `ts` (Spark's rule: `start <= ts < end`).
    pub(crate) fn starts(self, ts: i64, mut each: impl FnMut(i64)) {
        let last = ts - ts.rem_euclid(self.slide);
        let mut start = last;
        while start > ts - self.size {
            each(start);
            start -= self.slide;
        }
    }
}

/// Which groups a micro-batch emits, as Spark's output modes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum OutputMode {
    /// Each group once, when the watermark closes it.
    #[default]
    Append,
    /// The groups the batch's rows changed; the watermark closes groups without emitting them.
    Update,
    /// Every group, every batch; no group is ever closed and no row is late.
    Complete,
}

impl OutputMode {
    /// Parse `append`, `update` or `complete` (any case).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "append" => Ok(OutputMode::Append),
            "update" => Ok(OutputMode::Update),
            "complete" => Ok(OutputMode::Complete),
            _ => Err(Error::InvalidArgument(format!("bad output mode {text:?}: use append, update or complete"))),
        }
    }
}

/// A streaming aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuerySpec {
    pub(crate) event_time: String,
    /// The watermark delay in microseconds.
    pub(crate) watermark_delay: i64,
    pub(crate) window: Option<Window>,
    pub(crate) group_by: Vec<String>,
    pub(crate) aggregates: Vec<Aggregate>,
    /// Not part of [`Self::fingerprint`]: as in Spark, a restart may change it.
    pub(crate) output_mode: OutputMode,
}

impl QuerySpec {
    /// Whether a group's key holds an event time (a window, or the event-time column itself):
    /// only then can the watermark make a row late or close a group.
    #[must_use]
    pub(crate) fn time_keyed(&self) -> bool {
        self.window.is_some() || self.group_by.iter().any(|c| c == &self.event_time)
    }

    /// The input columns the query reads: the event time, the group-by columns and the
    /// aggregated columns (a reader need not decode the others).
    #[must_use]
    pub(crate) fn input_columns(&self) -> Vec<&str> {
        let mut columns = vec![self.event_time.as_str()];
        columns.extend(self.group_by.iter().map(String::as_str));
        columns.extend(self.aggregates.iter().filter_map(|a| a.column.as_deref()));
        columns.sort_unstable();
        columns.dedup();
        columns
    }

    /// Check the query can run in its output mode.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a query without aggregates, with duplicate output names, or
    /// (append mode needs it) grouped neither by a window nor by the event-time column.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.aggregates.is_empty() {
            return Err(Error::InvalidArgument("at least one aggregate is needed".into()));
        }
        let append = self.output_mode == OutputMode::Append;
        if append && self.window.is_none() && !self.group_by.iter().any(|c| c == &self.event_time) {
            return Err(Error::InvalidArgument(format!(
                "append mode needs the groups to close: group by a window of {0} or by {0} itself",
                self.event_time
            )));
        }
        let mut names: Vec<&str> = self.output_names();
        names.sort_unstable();
        if let Some([name, _]) = names.windows(2).find(|p| p[0] == p[1]) {
            return Err(Error::InvalidArgument(format!("two output columns are named {name}")));
        }
        Ok(())
    }

    /// Output column names in order: window_start, window_end, the group-by columns, the aggregates.
    #[must_use]
    pub(crate) fn output_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        if self.window.is_some() {
            names.extend(["window_start", "window_end"]);
        }
        names.extend(self.group_by.iter().map(String::as_str));
        names.extend(self.aggregates.iter().map(|a| a.name.as_str()));
        names
    }

    /// A one-line description that identifies the query (stored in the checkpoint).
    #[must_use]
    pub(crate) fn fingerprint(&self) -> String {
        let window = self.window.map_or_else(
            || "none".to_string(),
            |w| format!("{} sliding {}", duration::describe(w.size), duration::describe(w.slide)),
        );
        let aggregates: Vec<String> = self.aggregates.iter().map(ToString::to_string).collect();
        format!(
            "event_time={} watermark={} window={} group_by=[{}] aggregates=[{}]",
            self.event_time,
            duration::describe(self.watermark_delay),
            window,
            self.group_by.join(","),
            aggregates.join(",")
        )
    }
}

/// `dropDuplicates(keys)` or `dropDuplicatesWithinWatermark(keys)` on a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deduplicate {
    pub(crate) keys: Vec<String>,
    /// Spark's `dropDuplicatesWithinWatermark`: a key is remembered until the watermark passes
    /// its first row's event time plus the delay. Else (`dropDuplicates`) a key is remembered
    /// until the watermark passes its event time when the keys hold the event-time column, and
    /// for ever when they do not.
    pub(crate) within_watermark: bool,
}

/// A query without aggregation: every row passes (after the stateless operations the caller
/// applies), de-duplicated when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowsSpec {
    /// `withWatermark(column, delay)`: the event-time column and the delay in microseconds.
    pub(crate) watermark: Option<(String, i64)>,
    pub(crate) deduplicate: Option<Deduplicate>,
    /// Append or update (the same rows for a query without aggregation); not complete.
    pub(crate) output_mode: OutputMode,
}

/// What a streaming query computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamSpec {
    Aggregate(QuerySpec),
    Rows(RowsSpec),
}

impl From<QuerySpec> for StreamSpec {
    fn from(spec: QuerySpec) -> Self {
        StreamSpec::Aggregate(spec)
    }
}

impl From<RowsSpec> for StreamSpec {
    fn from(spec: RowsSpec) -> Self {
        StreamSpec::Rows(spec)
    }
}

impl StreamSpec {
    /// The event-time column and the watermark delay (microseconds), if the query has a watermark.
    #[must_use]
    pub(crate) fn watermark(&self) -> Option<(&str, i64)> {
        match self {
            StreamSpec::Aggregate(spec) => Some((spec.event_time.as_str(), spec.watermark_delay)),
            StreamSpec::Rows(spec) => spec.watermark.as_ref().map(|(c, d)| (c.as_str(), *d)),
        }
    }

    #[must_use]
    pub(crate) fn output_mode(&self) -> OutputMode {
        match self {
            StreamSpec::Aggregate(spec) => spec.output_mode,
            StreamSpec::Rows(spec) => spec.output_mode,
        }
    }

    /// The input columns the query reads, or `None` for all of them (rows that pass through).
    #[must_use]
    pub(crate) fn input_columns(&self) -> Option<Vec<&str>> {
        match self {
            StreamSpec::Aggregate(spec) => Some(spec.input_columns()),
            StreamSpec::Rows(_) => None,
        }
    }

    /// Whether a moved watermark runs a batch without data, as Spark does for a stateful
    /// operator with a watermark: it closes groups or forgets keys.
    #[must_use]
    pub(crate) fn runs_no_data_batches(&self) -> bool {
        match self {
            StreamSpec::Aggregate(spec) => spec.output_mode != OutputMode::Complete,
            StreamSpec::Rows(spec) => spec.watermark.is_some() && spec.deduplicate.is_some(),
        }
    }

    /// Check the query can run in its output mode, with Spark's rules.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] as [`QuerySpec::validate`]; for rows, complete mode, no keys,
    /// or `dropDuplicatesWithinWatermark` without a watermark.
    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            StreamSpec::Aggregate(spec) => spec.validate(),
            StreamSpec::Rows(spec) => {
                if spec.output_mode == OutputMode::Complete {
                    return Err(Error::InvalidArgument(
                        "Complete output mode not supported when there are no streaming aggregations on streaming \
                         DataFrames/Datasets"
                            .into(),
                    ));
                }
                match &spec.deduplicate {
                    Some(d) if d.keys.is_empty() => {
                        Err(Error::InvalidArgument("de-duplication needs at least one key column".into()))
                    }
                    Some(d) if d.within_watermark && spec.watermark.is_none() => Err(Error::InvalidArgument(
                        "dropDuplicatesWithinWatermark is not supported on a stream without withWatermark(...)".into(),
                    )),
                    _ => Ok(()),
                }
            }
        }
    }

    /// A one-line description that identifies the query (stored in the checkpoint). An
    /// aggregation's is [`QuerySpec::fingerprint`], as before rows queries existed.
    #[must_use]
    pub(crate) fn fingerprint(&self) -> String {
        match self {
            StreamSpec::Aggregate(spec) => spec.fingerprint(),
            StreamSpec::Rows(spec) => {
                let watermark = spec
                    .watermark
                    .as_ref()
                    .map_or_else(|| "none".to_string(), |(c, d)| format!("{c} {}", duration::describe(*d)));
                let dedup = spec.deduplicate.as_ref().map_or_else(
                    || "none".to_string(),
                    |d| {
                        format!("{}[{}]", if d.within_watermark { "within_watermark" } else { "all" }, d.keys.join(","))
                    },
                );
                format!("rows watermark={watermark} deduplicate={dedup}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aggregates() {
        let a = Aggregate::parse("reviews=count(*)").unwrap();
        assert_eq!((a.func, a.column), (AggFunc::CountAll, None));
        let a = Aggregate::parse("avg(total_votes)").unwrap();
        assert_eq!(a.name, "avg(total_votes)");
        assert_eq!(Aggregate::parse("v=SUM(helpful_votes)").unwrap().func, AggFunc::Sum);
        for bad in ["count", "x=median(a)", "x=sum(*)", "x=sum()"] {
            assert!(Aggregate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows_hold_their_event_times() {
        let tumbling = Window::parse("10 seconds", None).unwrap();
        let mut starts = Vec::new();
        tumbling.starts(25_000_000, |s| starts.push(s));
        assert_eq!(starts, [20_000_000]);
        let sliding = Window::parse("10 seconds", Some("5 seconds")).unwrap();
        starts.clear();
        sliding.starts(25_000_000, |s| starts.push(s));
        assert_eq!(starts, [25_000_000, 20_000_000]);
        starts.clear();
        sliding.starts(-1, |s| starts.push(s));
        assert_eq!(starts, [-5_000_000, -10_000_000]);
        assert!(Window::parse("5 seconds", Some("10 seconds")).is_err());
    }
}
