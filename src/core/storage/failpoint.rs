//! Crash injection for tests: `GLUELESS_FAILPOINT=<name>` makes the process abort at that point,
//! as a `kill -9` would, so tests can prove that a crash there leaves the lake consistent.
//! `GLUELESS_FAILPOINT=<name>:sleep=<seconds>` pauses there instead, so tests can make two runs
//! overlap at a chosen point. `<name>#<n>` acts at the n-th hit of that point in the process
//! only (a job commits its quarantine before its table: `commit.before_swap#2` is the table's).
//!
//! Only builds with the cargo feature `failpoints` (the wheel the tests install) read the
//! variable: in the build users install, [`hit`] is an empty function, so no environment
//! variable can make a production run abort.

/// Environment variable naming the failpoint at which to abort.
pub(crate) const FAILPOINT_ENV: &str = "GLUELESS_FAILPOINT";

/// Whether this build honours [`FAILPOINT_ENV`] (built with the `failpoints` feature).
pub(crate) const ENABLED: bool = cfg!(feature = "failpoints");

/// Abort (or pause) the process if the failpoint `name` is armed. A no-op otherwise, and always
/// a no-op in builds without the `failpoints` feature.
#[cfg(feature = "failpoints")]
pub(crate) fn hit(name: &str) {
    use std::sync::atomic::{AtomicU32, Ordering};
    /// Hits of the armed failpoint so far (for `<name>#<n>`).
    static HITS: AtomicU32 = AtomicU32::new(0);

    let Ok(armed) = std::env::var(FAILPOINT_ENV) else { return };
    let (point, action) = armed.split_once(':').unwrap_or((armed.as_str(), "abort"));
    let (point, nth) = match point.split_once('#') {
        Some((point, n)) => (point, n.parse::<u32>().unwrap_or(1)),
        None => (point, 1),
    };
    if point != name {
        return;
    }
    let hit = HITS.fetch_add(1, Ordering::Relaxed) + 1;
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

/// Abort (or pause) the process if the failpoint `name` is armed: never, in this build.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn hit(_name: &str) {}

#[cfg(all(test, not(feature = "failpoints")))]
mod tests {
    /// Set in the child process that [`a_production_build_ignores_the_failpoint_variable`] starts.
    const CHILD: &str = "GLUELESS_FAILPOINT_TEST_CHILD";

    #[test]
    fn a_production_build_ignores_the_failpoint_variable() {
        if std::env::var_os(CHILD).is_some() {
            super::hit("test.production");
            return;
        }
        // This test binary again, running only this test with the failpoint armed: it must
        // pass through the point instead of aborting.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "core::storage::failpoint::tests::a_production_build_ignores_the_failpoint_variable"])
            .env(super::FAILPOINT_ENV, "test.production")
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        // The child ran this test (a rename would make it run none and pass).
        assert!(String::from_utf8_lossy(&status.stdout).contains("1 passed"));
    }
}
