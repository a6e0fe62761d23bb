//! What a job did: rows read, quarantined, filtered (with the documented reason) and written.
//! `read == quarantined + Σ filtered + written` for every job (`+ matched` instead of `written`
//! for a join, whose output can hold more rows than its input).

use std::time::Instant;

use crate::landing::LandingStats;

/// One table a job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputInfo {
    /// `table/zone`, e.g. `customer/trusted`.
    pub table: String,
    pub location: String,
    pub rows: u64,
    pub files: u64,
    pub bytes: u64,
}

/// The run summary of one job.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobReport {
    pub job: String,
    /// Input records (landing records, or rows of the input tables).
    pub read: u64,
    /// Landing records sent to the quarantine.
    pub quarantined: u64,
    /// Rows left out by a documented filter: (reason, count).
    pub filtered: Vec<(String, u64)>,
    /// For joins: input rows that found a partner (the output may hold more rows than that).
    pub matched: Option<u64>,
    /// Rows written to the job's main output.
    pub written: u64,
    /// Landing bytes read.
    pub bytes_read: u64,
    /// Landing files that held no record.
    pub empty_files: u64,
    pub outputs: Vec<OutputInfo>,
    pub seconds: f64,
}

impl JobReport {
    /// The report of a job that read landing JSON: its counts come from the landing read.
    #[must_use]
    pub fn from_landing(
        job: &str,
        landing: &LandingStats,
        filtered: Vec<(String, u64)>,
        outputs: Vec<OutputInfo>,
        started: Instant,
    ) -> Self {
        JobReport {
            job: job.to_string(),
            read: landing.records,
            quarantined: landing.quarantined,
            filtered,
            written: outputs.first().map_or(0, |o| o.rows),
            bytes_read: landing.bytes,
            empty_files: landing.empty_files,
            outputs,
            seconds: started.elapsed().as_secs_f64(),
            ..JobReport::default()
        }
    }

    /// Whether the counts add up.
    #[must_use]
    pub fn balanced(&self) -> bool {
        let kept = self.matched.unwrap_or(self.written);
        self.read == self.quarantined + self.filtered.iter().map(|(_, n)| n).sum::<u64>() + kept
    }
}
