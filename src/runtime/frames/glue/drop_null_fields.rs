//! `DropNullFields.apply(frame)`.

use std::collections::HashSet;

use crate::error::Result;
use crate::runtime::frames::Frame;

impl Frame {
    /// `DropNullFields.apply(frame)`: drops the fields that are null in every record. Runs the
    /// plan once to find them; the result reuses what it computed.
    ///
    /// # Errors
    /// As [`Frame::collect`].
    pub(crate) fn drop_null_fields(&self) -> Result<Self> {
        let materialized = self.materialize()?;
        let (schema, batches) = materialized.collect()?;
        let all_null: HashSet<String> = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(i, _)| batches.iter().all(|b| b.column(*i).null_count() == b.num_rows()))
            .map(|(_, f)| f.name().clone())
            .collect();
        materialized.drop_fields(&all_null.into_iter().collect::<Vec<_>>())
    }
}
