//! Kernels: table operations on Arrow data. They know nothing of files, lakes or Python, so a user
//! can call them on any Arrow table.

pub mod consent;
pub mod distinct;
pub mod join;
pub mod key_rows;
pub mod keys;
pub mod project;

pub use consent::{consent_dated_filter, consent_filter, consent_mask, ConsentDates, DatedConsentOutput};
pub use distinct::distinct;
pub use join::{
    inner_join, semi_join, InnerJoinBuild, InnerJoinOutput, JoinInput, Probed, SemiJoinFilter, SemiJoinOutput,
};
pub use project::{conform, drop_pii, filter_by_text, is_pii, select, select_schema, PII_COLUMNS};
