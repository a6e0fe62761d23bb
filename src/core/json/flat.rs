//! The fast path of record decoding: a single-pass scanner for the common record shape, a flat
//! JSON object of scalars without escapes. It finds each known field's value text and validates
//! the JSON grammar as it goes. Anything else (unknown keys, escapes, nested values, repeated keys, bad
//! JSON)
//! returns `false` and the record takes the full serde_json path, which also words the error
//! and collects the keys the schema does not have.

use super::schema::LandingSchema;

/// Fill `slots[i]` with the byte range in `text` of field `i`'s value. Returns `false` when the
/// record is not a flat object of plain scalars (the caller then uses the full parser).
pub(crate) fn scan(text: &str, schema: &LandingSchema, slots: &mut [Option<(usize, usize)>]) -> bool {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return false;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return skip_ws(b, i + 1) == b.len();
    }
    // Records usually list their keys in schema order: try the next field first.
    let mut guess = 0;
    loop {
        // Key.
        if b.get(i) != Some(&b'"') {
            return false;
        }
        let Some(key_end) = plain_string_end(b, i + 1) else { return false };
        let key = &text[i + 1..key_end];
        i = skip_ws(b, key_end + 1);
        if b.get(i) != Some(&b':') {
            return false;
        }
        i = skip_ws(b, i + 1);
        // Value.
        let start = i;
        i = match b.get(i) {
            Some(b'"') => match plain_string_end(b, i + 1) {
                Some(end) => end + 1,
                None => return false,
            },
            Some(b't') if b[i..].starts_with(b"true") => i + 4,
            Some(b'f') if b[i..].starts_with(b"false") => i + 5,
            Some(b'n') if b[i..].starts_with(b"null") => i + 4,
            Some(b'-' | b'0'..=b'9') => match number_end(b, i) {
                Some(end) => end,
                None => return false,
            },
            _ => return false,
        };
        // A key the schema lacks: the full parser collects it for schema evolution.
        let Some(field) = schema.field_index_from(key, guess) else { return false };
        guess = field + 1;
        if slots[field].is_some() {
            return false; // a repeated key: the full parser decides
        }
        slots[field] = Some((start, i));
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return skip_ws(b, i + 1) == b.len(),
            _ => return false,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index of the closing quote of a string starting at `i`, if it has no escapes or control
/// characters. Eight bytes at a time (SWAR): landing strings are short (keys, emails, ids), too
/// short to pay for setting up a vectorised search, too long for a byte loop.
pub(super) fn plain_string_end(b: &[u8], i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // High bit set in each byte of `x` that is zero (exact for the lowest such byte, which is all
    // that is used: a borrow can only flag bytes above a zero byte).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut at = i;
    while let Some(block) = b.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let x = u64::from_le_bytes(block);
        // A quote, a backslash, or a byte below 0x20 (its top three bits zero).
        let special = zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\\')))
            | zero_bytes(x & (ONES * 0xe0));
        if special != 0 {
            let found = at + (special.trailing_zeros() / 8) as usize;
            return (b[found] == b'"').then_some(found);
        }
        at += 8;
    }
    for (offset, &c) in b.get(at..)?.iter().enumerate() {
        match c {
            b'"' => return Some(at + offset),
            b'\\' | 0..=0x1f => return None,
            _ => {}
        }
    }
    None
}

/// The end of a JSON number starting at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(b, i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Option<Vec<Option<String>>> {
        let schema = LandingSchema::known("accelerometer").unwrap();
        let mut slots = vec![None; 5];
        scan(text, &schema, &mut slots).then(|| slots.iter().map(|s| s.map(|(a, b)| text[a..b].to_string())).collect())
    }

    #[test]
    fn finds_values_of_flat_records() {
        let got = fields(r#" {"user":"a@b", "timeStamp" : -1.5e3,"x":0,"y":null} "#).unwrap();
        assert_eq!(got, [Some("\"a@b\"".into()), Some("-1.5e3".into()), Some("0".into()), Some("null".into()), None]);
        assert_eq!(fields("{}").unwrap(), vec![None; 5]);
    }

    #[test]
    fn string_ends_are_found_eight_bytes_at_a_time_as_one_at_a_time() {
        let reference = |b: &[u8], i: usize| {
            let rest = b.get(i..)?;
            let offset = rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
            (rest[offset] == b'"').then_some(i + offset)
        };
        let mut text: Vec<u8> = b"a@b.com Santosh.Clayton@test.com".to_vec();
        for special in [b'"', b'\\', b'\n', 0x1f, 0x7f, 0xc3, b' '] {
            for at in 0..text.len() {
                let saved = text[at];
                text[at] = special;
                for start in 0..4 {
                    assert_eq!(plain_string_end(&text, start), reference(&text, start), "{special} at {at}");
                }
                text[at] = saved;
            }
        }
    }

    #[test]
    fn leaves_everything_unusual_to_the_full_parser() {
        for text in [
            r#"{"user":"a\"b"}"#,
            r#"{"user":{"a":1}}"#,
            r#"{"x":01}"#,
            r#"{"x":1.}"#,
            r#"{"x":-}"#,
            r#"{"x":1,}"#,
            r#"{"x":1} x"#,
            r#"{"x":1,"X":1}"#,
            r#"{"x":1,"extra":true}"#,
            r#"{"x":tru}"#,
            "{\"user\":\"a\tb\"}",
            "[1]",
            "",
            r#"{"x":1"#,
        ] {
            assert!(fields(text).is_none(), "{text}");
        }
    }
}
