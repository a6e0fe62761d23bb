//! Process-wide progress counters (landing bytes and records decoded), read by the command line
//! from another thread to draw a progress bar while the GIL is released.

use std::sync::atomic::{AtomicU64, Ordering};

static BYTES: AtomicU64 = AtomicU64::new(0);
static RECORDS: AtomicU64 = AtomicU64::new(0);

/// Count work done.
pub(crate) fn add(bytes: u64, records: u64) {
    BYTES.fetch_add(bytes, Ordering::Relaxed);
    RECORDS.fetch_add(records, Ordering::Relaxed);
}

/// Landing bytes and records decoded since the process started.
#[must_use]
pub(crate) fn snapshot() -> (u64, u64) {
    (BYTES.load(Ordering::Relaxed), RECORDS.load(Ordering::Relaxed))
}
