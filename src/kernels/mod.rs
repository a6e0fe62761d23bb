//! Kernels: table operations on Arrow data. They know nothing of files, lakes or Python, so a user
//! can call them on any Arrow table.

pub mod consent;

pub use consent::{consent_filter, consent_mask};
