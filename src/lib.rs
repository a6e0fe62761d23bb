//! glueless: the jobs of a Glue lakehouse without Glue.
//!
//! The arrows point one way: `python` → `jobs` → `kernels`, and `landing` → `storage`.
//! Kernels know nothing of files or Python; storage knows nothing of tables.
#![deny(unsafe_code)]

pub mod catalog;
pub mod error;
pub mod frames;
pub mod generate;
pub mod jobs;
pub mod kernels;
pub mod landing;
pub mod pool;
pub mod progress;
pub mod sql;
pub mod storage;
pub mod stream;
#[cfg(test)]
mod testing;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
