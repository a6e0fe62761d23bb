//! The STEDI lake layout: `ROOT/<table>/{landing,trusted,curated,rejected}/`.

use super::output::Target;
use crate::core::storage::{objects, Location, TableFormat};
use crate::error::{Error, Result};

/// A lakehouse root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lake {
    root: Location,
    /// The format jobs write their tables in; `None`: each table's own (Parquet for new ones).
    format: Option<TableFormat>,
}

impl Lake {
    /// The lake at `root` (a path, `file://`, `s3://` or `s3a://` URL).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for a location that cannot be parsed.
    pub fn open(root: &str) -> Result<Self> {
        Ok(Self { root: Location::parse(root)?, format: None })
    }

    /// The same lake, with jobs writing their tables as `format`.
    #[must_use]
    pub(crate) fn with_format(self, format: Option<TableFormat>) -> Self {
        Self { format, ..self }
    }

    /// Where a job writes `table`'s `zone`, in the lake's format.
    #[must_use]
    pub(crate) fn output(&self, table: &str, zone: &str) -> Target {
        Target { table: format!("{table}/{zone}"), location: self.zone(table, zone), format: self.format }
    }

    /// The lake's root.
    #[must_use]
    pub(crate) fn root(&self) -> &Location {
        &self.root
    }

    /// The folder of `table`'s `zone` (landing, trusted, curated or rejected).
    #[must_use]
    pub(crate) fn zone(&self, table: &str, zone: &str) -> Location {
        self.root.join(table).join(zone)
    }

    /// Check that the lake's root exists.
    ///
    /// # Errors
    /// [`Error::NotFound`] naming the lake (or the bucket); storage errors.
    pub(crate) fn check_root(&self) -> Result<()> {
        if objects::folder_exists(&self.root)? {
            Ok(())
        } else {
            Err(Error::NotFound { what: "lake", path: self.root.to_string() })
        }
    }

    /// The folder of `table`'s landing zone, checked to exist.
    ///
    /// # Errors
    /// [`Error::NotFound`] naming the lake when the root is missing, else naming the landing folder.
    pub fn landing(&self, table: &str) -> Result<Location> {
        self.check_root()?;
        let landing = self.zone(table, "landing");
        if !objects::folder_exists(&landing)? {
            return Err(Error::NotFound { what: "landing folder", path: landing.to_string() });
        }
        Ok(landing)
    }
}
