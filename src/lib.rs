//! glueless: the jobs of a Glue lakehouse without Glue.
//!
//! The arrows point one way: `python` → `jobs` → `kernels`, and `landing` → `storage`.
//! Kernels know nothing of files or Python; storage knows nothing of tables.
#![deny(unsafe_code)]
// The crate's public surface is what the example and the Python bindings use; the rest is
// `pub(crate)`, so the compiler finds dead code. Without the bindings (`cargo test`), what only
// they call would look dead: the wheel's build, linted with `-D warnings`, is the one that judges.
#![cfg_attr(not(feature = "python"), allow(dead_code, unused_imports))]

pub(crate) mod catalog;
pub mod error;
pub(crate) mod frames;
pub(crate) mod generate;
pub mod jobs;
pub mod kernels;
pub mod landing;
pub mod pool;
pub(crate) mod progress;
pub(crate) mod sql;
pub mod storage;
pub(crate) mod stream;
#[cfg(test)]
mod testing;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
