//! The vocabulary of a job description: where its rows come from, the steps they pass (each
//! filter with the reason its rows are counted under), and where they go. A description says what
//! a job does, never how: the local engine ([`super::execute`]) and the Spark engine
//! (`glueless.spark.jobs`, which receives it as JSON) each run it their own way, and neither
//! restates a rule. The STEDI jobs' descriptions are in [`super::jobs`].

use serde::Serialize;

/// A table of the lake that an earlier job writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct TableRef {
    pub(crate) table: &'static str,
    pub(crate) zone: &'static str,
    /// The job that writes it (named when it is missing).
    pub(crate) producer: &'static str,
}

impl TableRef {
    #[cfg(test)]
    /// `table/zone`, as reports name it.
    #[must_use]
    pub(crate) fn name(&self) -> String {
        format!("{}/{}", self.table, self.zone)
    }
}

/// Where a job's rows come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Source {
    /// The landing JSON of `table`, decoded with its current schema version; records that cannot
    /// be read go to `table/rejected`. The job's output takes job bookmarks (`--incremental`).
    Landing { table: &'static str },
    /// A table an earlier job wrote, which must have `columns`.
    Table { of: TableRef, columns: Vec<&'static str> },
}

/// The columns of another table that a row of the job gains when their keys meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Lookup {
    pub(crate) of: TableRef,
    /// The row's key columns, and the looked-up table's.
    pub(crate) keys: Vec<&'static str>,
    pub(crate) of_keys: Vec<&'static str>,
    /// The looked-up table's columns added to the row.
    pub(crate) carry: Vec<&'static str>,
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Step {
    /// Keep the rows whose `column` holds a consent (present and non-zero).
    Consent { column: &'static str, reason: &'static str },
    /// Keep the rows whose `keys` appear among the `of_keys` of `of`.
    SemiJoin {
        of: TableRef,
        keys: Vec<&'static str>,
        of_keys: Vec<&'static str>,
        null_reason: &'static str,
        unmatched_reason: &'static str,
    },
    /// Keep the readings whose `user` is a customer of `of` (by `email`) and whose `time` is at
    /// or after that customer's `consent` time.
    ConsentDated {
        of: TableRef,
        user: &'static str,
        time: &'static str,
        email: &'static str,
        consent: &'static str,
        null_reason: &'static str,
        unmatched_reason: &'static str,
        before_reason: &'static str,
    },
    /// Pair every row with the rows of `with` (only `with_columns` read) whose `with_keys` equal
    /// its `keys`; `with`'s rows first gain the columns of `lookup` when there is one. A row
    /// without a partner is left out; one with several gives several rows, so the report counts
    /// the rows that matched.
    Join {
        with: TableRef,
        with_columns: Vec<&'static str>,
        lookup: Option<Lookup>,
        keys: Vec<&'static str>,
        with_keys: Vec<&'static str>,
        null_reason: &'static str,
        unmatched_reason: &'static str,
    },
    /// Keep the first of equal rows; appending to a table also leaves out rows it already has.
    Distinct { reason: &'static str, already_reason: &'static str },
    /// Keep `columns`, in that order.
    Select { columns: Vec<&'static str> },
}

impl Step {
    /// The step's kind, as the JSON form names it.
    #[must_use]
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Step::Consent { .. } => "consent",
            Step::SemiJoin { .. } => "semi_join",
            Step::ConsentDated { .. } => "consent_dated",
            Step::Join { .. } => "join",
            Step::Distinct { .. } => "distinct",
            Step::Select { .. } => "select",
        }
    }

    /// The reasons this step's left-out rows are counted under, in report order.
    #[must_use]
    pub(crate) fn reasons(&self, appending: bool) -> Vec<&'static str> {
        match self {
            Step::Distinct { reason, already_reason } if appending => vec![reason, already_reason],
            Step::Consent { reason, .. } | Step::Distinct { reason, .. } => vec![reason],
            Step::SemiJoin { null_reason, unmatched_reason, .. } | Step::Join { null_reason, unmatched_reason, .. } => {
                vec![null_reason, unmatched_reason]
            }
            Step::ConsentDated { null_reason, unmatched_reason, before_reason, .. } => {
                vec![null_reason, unmatched_reason, before_reason]
            }
            Step::Select { .. } => Vec::new(),
        }
    }
}

/// A job: its rows' source, steps and output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct JobPlan {
    pub(crate) job: &'static str,
    pub(crate) source: Source,
    pub(crate) steps: Vec<Step>,
    /// The table written (replaced, or appended to by an incremental run of a landing job).
    pub(crate) output: TableRef,
    /// Columns the output must never hold (compared ignoring case): the job fails instead.
    pub(crate) forbidden: Vec<&'static str>,
}

impl JobPlan {
    /// The landing table the job reads, if it reads one.
    #[must_use]
    pub(crate) fn landing_table(&self) -> Option<&'static str> {
        match self.source {
            Source::Landing { table } => Some(table),
            Source::Table { .. } => None,
        }
    }

    /// Every reason of the report's `filtered`, in order (`appending`: an incremental run that
    /// adds to an existing table).
    #[must_use]
    pub(crate) fn reasons(&self, appending: bool) -> Vec<&'static str> {
        self.steps.iter().flat_map(|s| s.reasons(appending)).collect()
    }

    #[cfg(test)]
    /// The step that makes this a join (its output may hold more rows than its input).
    #[must_use]
    pub(crate) fn join(&self) -> Option<&Step> {
        self.steps.iter().find(|s| matches!(s, Step::Join { .. }))
    }

    #[cfg(test)]
    /// The tables the job reads besides its source.
    #[must_use]
    pub(crate) fn inputs(&self) -> Vec<TableRef> {
        let mut inputs: Vec<TableRef> = match &self.source {
            Source::Table { of, .. } => vec![*of],
            Source::Landing { .. } => Vec::new(),
        };
        for step in &self.steps {
            match step {
                Step::SemiJoin { of, .. } | Step::ConsentDated { of, .. } => inputs.push(*of),
                Step::Join { with, lookup, .. } => {
                    inputs.push(*with);
                    inputs.extend(lookup.iter().map(|l| l.of));
                }
                _ => {}
            }
        }
        inputs
    }

    /// A column of `columns` the output must not hold.
    #[must_use]
    pub(crate) fn forbidden_in<'c>(&self, columns: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
        columns.into_iter().find(|c| self.forbidden.iter().any(|f| f.eq_ignore_ascii_case(c)))
    }
}
