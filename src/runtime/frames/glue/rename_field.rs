//! `RenameField.apply(frame, old_name, new_name)`.

use super::field_name;
use crate::error::Result;
use crate::runtime::frames::Frame;
use crate::runtime::sql::session::sql_error;

impl Frame {
    /// `RenameField.apply(frame, old, new)`: no change when the frame lacks `old`.
    ///
    /// # Errors
    /// [`Error::Sql`] from planning.
    pub(crate) fn rename_field(&self, old: &str, new: &str) -> Result<Self> {
        let (old, new) = (field_name(old), field_name(new));
        let projection = self.projection(|name| Some(if name == old { new.clone() } else { name.to_string() }));
        Ok(self.with(self.df.clone().select(projection).map_err(sql_error)?))
    }
}
