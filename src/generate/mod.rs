//! Deterministic generators of demo and test data with the real data's shape and quirks.

pub mod replicate;
pub mod rng;
pub mod stedi;

pub use replicate::{replicate_stedi, Replicated};
pub use stedi::{generate_stedi, GeneratedStedi, StediSpec};
