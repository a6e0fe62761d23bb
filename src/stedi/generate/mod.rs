//! Deterministic generators of demo and test data with the real data's shape and quirks.

pub mod replicate;
pub mod reviews;
pub mod rng;
pub mod stedi;

pub use replicate::replicate_stedi;
pub use reviews::{generate_silver, SilverSpec};
pub use stedi::{generate_stedi, StediSpec};
