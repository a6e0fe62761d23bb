//! `DropFields.apply(frame, paths)`.

use std::collections::HashSet;

use super::field_name;
use crate::error::Result;
use crate::runtime::frames::Frame;
use crate::runtime::sql::session::sql_error;

impl Frame {
    /// `DropFields.apply(frame, paths)`: fields the frame lacks are ignored.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub(crate) fn drop_fields(&self, paths: &[String]) -> Result<Self> {
        let dropped: HashSet<String> = paths.iter().map(|p| field_name(p)).collect();
        let projection = self.projection(|name| (!dropped.contains(name)).then(|| name.to_string()));
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }
}
