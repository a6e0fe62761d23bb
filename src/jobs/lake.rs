//! The STEDI lake layout: `ROOT/<table>/{landing,trusted,curated,rejected}/`.

use crate::error::Result;
use crate::storage::Location;

/// A lakehouse root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lake {
    root: Location,
}

impl Lake {
    /// The lake at `root` (a path, `file://`, `s3://` or `s3a://` URL).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for a location that cannot be parsed.
    pub fn open(root: &str) -> Result<Self> {
        Ok(Self { root: Location::parse(root)? })
    }

    /// The lake's root.
    #[must_use]
    pub fn root(&self) -> &Location {
        &self.root
    }

    /// The folder of `table`'s `zone` (landing, trusted, curated or rejected).
    #[must_use]
    pub fn zone(&self, table: &str, zone: &str) -> Location {
        self.root.join(table).join(zone)
    }
}
