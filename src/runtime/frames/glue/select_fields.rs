//! `SelectFields.apply(frame, paths)`.

use std::collections::HashSet;

use super::field_name;
use crate::error::Result;
use crate::runtime::frames::Frame;
use crate::runtime::sql::session::sql_error;

impl Frame {
    /// `SelectFields.apply(frame, paths)`: the named fields the frame has, in the frame's order.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub(crate) fn select_fields(&self, paths: &[String]) -> Result<Self> {
        let kept: HashSet<String> = paths.iter().map(|p| field_name(p)).collect();
        let projection = self.projection(|name| kept.contains(name).then(|| name.to_string()));
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }
}
