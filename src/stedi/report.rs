//! What a job did: rows read, quarantined, filtered (with the documented reason) and written.
//! `read == quarantined + Σ filtered + written` for every job (`+ matched` instead of `written`
//! for a join, whose output can hold more rows than its input).

use crate::core::json::LandingStats;

/// What a table a job wrote is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum OutputRole {
    /// The job's table (trusted, curated).
    #[default]
    Output,
    /// The landing records that could not be read.
    Quarantine,
}

impl OutputRole {
    /// The role's name in summaries.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OutputRole::Output => "output",
            OutputRole::Quarantine => "quarantine",
        }
    }
}

/// One table a job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputInfo {
    pub(crate) role: OutputRole,
    /// The columns written.
    pub(crate) schema: arrow_schema::SchemaRef,
    /// `table/zone`, e.g. `customer/trusted`.
    pub(crate) table: String,
    pub(crate) location: String,
    /// Rows this run wrote (appended, for an incremental run).
    pub(crate) rows: u64,
    /// Rows of the table after this run.
    pub(crate) table_rows: u64,
    pub(crate) files: u64,
    pub(crate) bytes: u64,
}

impl Default for JobReport {
    fn default() -> Self {
        JobReport {
            job: String::new(),
            engine: "local",
            read: 0,
            quarantined: 0,
            filtered: Vec::new(),
            matched: None,
            written: 0,
            bytes_read: 0,
            stored_bytes_read: 0,
            compressed_files: 0,
            empty_files: 0,
            outputs: Vec::new(),
            seconds: 0.0,
            incremental: false,
            files_skipped: 0,
            landing_table: None,
            schema_version: 0,
            schema_change: None,
        }
    }
}

/// The run summary of one job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobReport {
    pub(crate) job: String,
    /// The engine that ran the job (`local`, `spark`).
    pub(crate) engine: &'static str,
    /// Input records (landing records, or rows of the input tables).
    pub(crate) read: u64,
    /// Landing records sent to the quarantine.
    pub(crate) quarantined: u64,
    /// Rows left out by a documented filter: (reason, count).
    pub(crate) filtered: Vec<(String, u64)>,
    /// For joins: input rows that found a partner (the output may hold more rows than that).
    pub(crate) matched: Option<u64>,
    /// Rows written to the job's main output.
    pub(crate) written: u64,
    /// Landing text read (compressed files counted uncompressed).
    pub(crate) bytes_read: u64,
    /// Landing bytes as stored: less than `bytes_read` when some files are compressed.
    pub(crate) stored_bytes_read: u64,
    /// Landing files that were compressed.
    pub(crate) compressed_files: u64,
    /// Landing files that held no record.
    pub(crate) empty_files: u64,
    pub(crate) outputs: Vec<OutputInfo>,
    pub(crate) seconds: f64,
    /// Whether the run took only landing files its table's bookmark did not name.
    pub(crate) incremental: bool,
    /// Landing files skipped because an earlier run took them.
    pub(crate) files_skipped: u64,
    /// The landing table the job read, if any.
    pub(crate) landing_table: Option<String>,
    /// The landing table's schema version after the run (0 for jobs that read no landing data).
    pub(crate) schema_version: u32,
    /// The schema change this run made, in words.
    pub(crate) schema_change: Option<String>,
}

impl JobReport {
    /// The report of a job that read landing JSON: its counts come from the landing read.
    #[must_use]
    pub(crate) fn from_landing(
        job: &str,
        landing: &LandingStats,
        filtered: Vec<(String, u64)>,
        output: OutputInfo,
        quarantine: OutputInfo,
    ) -> Self {
        JobReport {
            job: job.to_string(),
            read: landing.records,
            quarantined: landing.quarantined,
            filtered,
            written: output.rows,
            bytes_read: landing.bytes,
            stored_bytes_read: landing.stored_bytes,
            compressed_files: landing.compressed_files,
            empty_files: landing.empty_files,
            outputs: vec![output, OutputInfo { role: OutputRole::Quarantine, ..quarantine }],
            ..JobReport::default()
        }
    }

    #[cfg(test)]
    /// The output of `role`.
    #[must_use]
    pub(crate) fn output(&self, role: OutputRole) -> Option<&OutputInfo> {
        self.outputs.iter().find(|o| o.role == role)
    }

    /// Whether the counts add up.
    #[must_use]
    pub(crate) fn balanced(&self) -> bool {
        let kept = self.matched.unwrap_or(self.written);
        self.read == self.quarantined + self.filtered.iter().map(|(_, n)| n).sum::<u64>() + kept
    }
}
