//! CSV as Spark's CSV source reads it with a declared schema: fields by position, the first line
//! of each file skipped with `header`, an empty field null, a record with fewer fields than
//! columns filled with nulls and one with more cut (both malformed).

use super::{CsvOptions, Rows};
use crate::error::{Error, Result};

pub(super) fn read(text: &str, options: &CsvOptions, rows: &mut Rows<'_>) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(options.header)
        .delimiter(options.separator)
        .quoting(options.quote.is_some())
        .quote(options.quote.unwrap_or(b'"'))
        .escape(options.escape)
        .flexible(true)
        .from_reader(text.as_bytes());
    let zone = rows.options.zone;
    let data_columns = rows.columns.len() - usize::from(rows.corrupt.is_some());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => return Err(Error::InvalidArgument(format!("{}: {err}", rows.file))),
        }
        let line = record.position().map_or(0, csv::Position::line);
        let raw = record.iter().collect::<Vec<_>>().join(",");
        if record.len() == 1 && record.get(0) == Some("") {
            continue; // a blank line
        }
        rows.record(line, &raw, |columns, corrupt| {
            let mut clean = record.len() == data_columns;
            let mut fields = record.iter();
            for (i, column) in columns.iter_mut().enumerate() {
                if Some(i) == corrupt {
                    column.append_null();
                    continue;
                }
                match fields.next() {
                    Some(field) => clean &= column.append_csv(Some(field), zone),
                    None => column.append_null(),
                }
            }
            clean
        })?;
    }
    Ok(())
}
