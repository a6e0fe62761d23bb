//! Deterministic generators of demo and test data with the real data's shape and quirks.

pub(crate) mod replicate;
pub(crate) mod reviews;
pub(crate) mod rng;
pub(crate) mod stedi;

pub(crate) use replicate::replicate_stedi;
pub(crate) use reviews::{generate_silver, SilverSpec};
pub(crate) use stedi::{generate_stedi, StediSpec};
