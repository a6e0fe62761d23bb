//! Crash injection for tests: `GLUELESS_FAILPOINT=<name>` makes the process abort at that point,
//! as a `kill -9` would, so tests can prove that a crash there leaves the lake consistent.

/// Environment variable naming the failpoint at which to abort.
pub const FAILPOINT_ENV: &str = "GLUELESS_FAILPOINT";

/// Abort the process if the failpoint `name` is armed. A no-op otherwise.
pub fn hit(name: &str) {
    if std::env::var(FAILPOINT_ENV).is_ok_and(|armed| armed == name) {
        eprintln!("glueless: failpoint {name} hit, aborting");
        std::process::abort();
    }
}
