//! The I/O runtime: a small tokio runtime that drives object_store requests. CPU work (decoding,
//! encoding) stays on the rayon pool; its threads wait here for I/O with [`block_on`].

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

/// Threads serving I/O: requests are mostly waiting, so two keep dozens of them in flight.
const IO_THREADS: usize = 2;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(IO_THREADS)
            .thread_name("glueless-io")
            .enable_all()
            .build()
            .expect("the I/O runtime starts (threads and timers are available)")
    })
}

/// Run `future` to completion on the I/O runtime and wait for it on this thread.
///
/// Must not be called from inside an async context (a runtime thread); the rayon pool and the
/// Python caller's thread are fine.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    runtime().handle().block_on(future)
}
