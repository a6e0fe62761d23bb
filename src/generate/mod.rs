//! Deterministic generators of demo and test data with the real data's shape and quirks.

pub mod rng;
pub mod stedi;

pub use stedi::{generate_stedi, GeneratedStedi, StediSpec};
