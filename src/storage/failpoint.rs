//! Crash injection for tests: `GLUELESS_FAILPOINT=<name>` makes the process abort at that point,
//! as a `kill -9` would, so tests can prove that a crash there leaves the lake consistent.
//! `GLUELESS_FAILPOINT=<name>:sleep=<seconds>` pauses there instead, so tests can make two runs
//! overlap at a chosen point. `<name>#<n>` acts at the n-th hit of that point in the process
//! only (a job commits its quarantine before its table: `commit.before_swap#2` is the table's).

/// Environment variable naming the failpoint at which to abort.
pub const FAILPOINT_ENV: &str = "GLUELESS_FAILPOINT";

/// Hits of the armed failpoint so far (for `<name>#<n>`).
static HITS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Abort (or pause) the process if the failpoint `name` is armed. A no-op otherwise.
pub fn hit(name: &str) {
    let Ok(armed) = std::env::var(FAILPOINT_ENV) else { return };
    let (point, action) = armed.split_once(':').unwrap_or((armed.as_str(), "abort"));
    let (point, nth) = match point.split_once('#') {
        Some((point, n)) => (point, n.parse::<u32>().unwrap_or(1)),
        None => (point, 1),
    };
    if point != name {
        return;
    }
    let hit = HITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    if nth > 1 && hit != nth {
        return;
    }
    if let Some(seconds) = action.strip_prefix("sleep=").and_then(|s| s.parse::<f64>().ok()) {
        std::thread::sleep(std::time::Duration::from_secs_f64(seconds.max(0.0)));
        return;
    }
    eprintln!("glueless: failpoint {name} hit, aborting");
    std::process::abort();
}
