//! Crash injection for tests: `GLUELESS_FAILPOINT=<name>` makes the process abort at that point,
//! as a `kill -9` would, so tests can prove that a crash there leaves the lake consistent.
//! `GLUELESS_FAILPOINT=<name>:sleep=<seconds>` pauses there instead, so tests can make two runs
//! overlap at a chosen point.

/// Environment variable naming the failpoint at which to abort.
pub const FAILPOINT_ENV: &str = "GLUELESS_FAILPOINT";

/// Abort (or pause) the process if the failpoint `name` is armed. A no-op otherwise.
pub fn hit(name: &str) {
    let Ok(armed) = std::env::var(FAILPOINT_ENV) else { return };
    let (point, action) = armed.split_once(':').unwrap_or((armed.as_str(), "abort"));
    if point != name {
        return;
    }
    if let Some(seconds) = action.strip_prefix("sleep=").and_then(|s| s.parse::<f64>().ok()) {
        std::thread::sleep(std::time::Duration::from_secs_f64(seconds.max(0.0)));
        return;
    }
    eprintln!("glueless: failpoint {name} hit, aborting");
    std::process::abort();
}
