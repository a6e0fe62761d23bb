//! The named rayon pool all parallel work runs on (never the global pool, so a host application's
//! own rayon work and ours do not fight over threads).

use std::sync::OnceLock;

/// Environment variable that sizes the pool; default: the number of available cores.
pub(crate) const THREADS_ENV: &str = "GLUELESS_THREADS";

static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();

/// The number of threads the pool is built with.
#[must_use]
pub(crate) fn thread_count() -> usize {
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

/// The glueless pool, built on first use.
pub(crate) fn pool() -> &'static rayon::ThreadPool {
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(thread_count())
            .thread_name(|i| format!("glueless-{i}"))
            .build()
            .expect("building a rayon pool only fails when threads cannot be spawned")
    })
}

/// The number of threads of the pool as built (the environment is read once, when it is built).
#[must_use]
pub(crate) fn size() -> usize {
    pool().current_num_threads()
}

/// Run `f` inside the glueless pool.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    pool().install(f)
}
