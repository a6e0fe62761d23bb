//! The STEDI lake layout: `ROOT/<table>/{landing,trusted,curated,rejected}/`.

use std::path::PathBuf;

use crate::error::{Error, Result};
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

    /// The local folder of `table`'s landing zone, checked to exist.
    ///
    /// # Errors
    /// [`Error::NotFound`] naming the lake when the root is missing, else naming the landing folder.
    pub fn landing_dir(&self, table: &str) -> Result<PathBuf> {
        let root = self.root.local_path()?;
        if !root.is_dir() {
            return Err(Error::NotFound { what: "lake", path: self.root.to_string() });
        }
        let landing = self.zone(table, "landing");
        let dir = landing.local_path()?;
        if !dir.is_dir() {
            return Err(Error::NotFound { what: "landing folder", path: landing.to_string() });
        }
        Ok(dir.to_path_buf())
    }
}
