//! The fastest path of record decoding. The records of a landing file nearly always repeat one
//! shape: the same keys, spelled and spaced alike, in the same order. Once a record has been
//! scanned, its shape — the literal text before each value (`{"user":`, `,"timestamp":`, …) and
//! after the last — is known, and each next record is checked against it with one comparison
//! per key while its values are parsed straight into typed values: no key lookup, no second pass
//! over numbers.
//!
//! Anything else — another key order or spacing, an escape, a value of another JSON kind than its
//! column's, a number the fast rules do not cover — returns `false`, and the record takes the
//! scanner path ([`super::flat`]), which decides and words every error. A record this path accepts
//! is valid JSON with exactly the shape's keys, so the two paths agree on every value.

use std::borrow::Cow;

use arrow_schema::DataType;

use super::coerce::{float_from_number, int_from_number, Typed};
use super::flat::plain_string_end;
use super::schema::LandingSchema;

/// The literal text around the values of one record shape.
pub(crate) struct Shape {
    /// Each value's field and the exact bytes between the previous value (or the record's start)
    /// and it.
    values: Vec<(usize, Literal)>,
    /// The bytes after the last value (the closing brace), trailing whitespace left out.
    tail: Box<[u8]>,
    /// Fields the shape has no key for (null in every record of this shape).
    absent: Vec<usize>,
}

impl Shape {
    /// The shape of `text`, a record the scanner accepted with field values at `slots`; `None`
    /// for a record without fields.
    #[must_use]
    pub(crate) fn learn(text: &str, slots: &[Option<(usize, usize)>]) -> Option<Self> {
        let mut present: Vec<(usize, usize, usize)> =
            slots.iter().enumerate().filter_map(|(field, s)| s.map(|(a, b)| (a, b, field))).collect();
        present.sort_unstable();
        let last_end = present.last()?.1;
        let mut previous_end = 0;
        let values = present
            .iter()
            .map(|&(start, end, field)| {
                let text = text.as_bytes();
                let literal = Literal::new(&text[previous_end..start]);
                previous_end = end;
                (field, literal)
            })
            .collect();
        let absent = slots.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(field, _)| field).collect();
        Some(Self { values, tail: text.as_bytes()[last_end..].trim_ascii_end().into(), absent })
    }

    /// Fields without a key in this shape.
    #[must_use]
    pub(crate) fn absent(&self) -> &[usize] {
        &self.absent
    }

    /// Parse `text` as a record of this shape, handing each `(field, value)` to `put`. Returns
    /// `false` (after handing over some values, maybe) when `text` is not of this shape or a
    /// value needs the scanner path.
    pub(crate) fn decode<'t>(
        &self,
        text: &'t str,
        schema: &LandingSchema,
        mut put: impl FnMut(usize, Typed<'t>),
    ) -> bool {
        let fields = schema.schema().fields();
        let sampled = schema.is_sampled();
        let b = text.as_bytes();
        let mut i = 0;
        for (field, literal) in &self.values {
            if !literal.is_at(b, i) {
                return false;
            }
            i += literal.len;
            let Some((value, end)) = value(text, i, fields[*field].data_type(), sampled) else { return false };
            put(*field, value);
            i = end;
        }
        b[i..].starts_with(&self.tail) && b[i + self.tail.len()..].iter().all(u8::is_ascii_whitespace)
    }
}

/// The literal text before a value, compared eight bytes at a time (no call per key).
struct Literal {
    /// The literal in eight-byte blocks (the last one padded): each as a little-endian word,
    /// the mask of its bytes, and its length.
    blocks: Vec<(u64, u64, usize)>,
    len: usize,
}

impl Literal {
    fn new(bytes: &[u8]) -> Self {
        let blocks = bytes
            .chunks(8)
            .map(|block| {
                let mut word = [0u8; 8];
                word[..block.len()].copy_from_slice(block);
                let mask = if block.len() == 8 { u64::MAX } else { (1u64 << (8 * block.len())) - 1 };
                (u64::from_le_bytes(word), mask, block.len())
            })
            .collect();
        Self { blocks, len: bytes.len() }
    }

    /// `b[i..]` starts with the literal.
    fn is_at(&self, b: &[u8], mut i: usize) -> bool {
        for &(word, mask, len) in &self.blocks {
            if let Some(window) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
                if u64::from_le_bytes(window) & mask != word {
                    return false;
                }
            } else if b.get(i..i + len) != Some(&word.to_le_bytes()[..len]) {
                // Near the record's end: byte by byte.
                return false;
            }
            i += len;
        }
        true
    }
}

/// The value at `text[i..]` typed for `to`, and where it ends; `None` when the scanner path must
/// decide (the value is of another kind, has escapes, or is a number outside the fast rules —
/// all of them for a `sampled` schema, whose fast rules take only numbers its type fits).
fn value<'t>(text: &'t str, i: usize, to: &DataType, sampled: bool) -> Option<(Typed<'t>, usize)> {
    let b = text.as_bytes();
    match (b.get(i)?, to) {
        (b'n', _) if b[i..].starts_with(b"null") => Some((Typed::Null, i + 4)),
        (b'"', DataType::Utf8) => {
            let end = plain_string_end(b, i + 1)?;
            Some((Typed::Str(Cow::Borrowed(text.get(i + 1..end)?)), end + 1))
        }
        (b'-' | b'0'..=b'9', DataType::Int64) => {
            let (number, end) = Number::parse(b, i)?;
            let v = match number {
                Number { digits: 1..=18, fraction: 0, exponent: false, mantissa, negative, .. } => {
                    let v = mantissa as i64;
                    if negative {
                        -v
                    } else {
                        v
                    }
                }
                // `1655564376361.0` and the like: the coercion rules decide.
                _ if !sampled => int_from_number(text.get(i..end)?)?,
                _ => return None,
            };
            Some((Typed::Int(v), end))
        }
        (b'-' | b'0'..=b'9', DataType::Float64) => {
            let (number, end) = Number::parse(b, i)?;
            let v = match number {
                // Clinger's fast path: at most 15 digits and the power of ten are exact doubles,
                // so one division rounds correctly, as `str::parse` would.
                Number { digits: 1..=15, fraction, exponent: false, mantissa, negative, whole } => {
                    // `-1.0`: the integer part is the value, no division (which is slow) needed.
                    #[allow(clippy::cast_precision_loss)]
                    let v = match whole {
                        Some(whole) => whole as f64,
                        None => mantissa as f64 / POW10[fraction],
                    };
                    if negative {
                        -v
                    } else {
                        v
                    }
                }
                _ if !sampled => float_from_number(text.get(i..end)?)?,
                _ => return None,
            };
            Some((Typed::Float(v), end))
        }
        (b't', DataType::Boolean) if b[i..].starts_with(b"true") => Some((Typed::Bool(true), i + 4)),
        (b'f', DataType::Boolean) if b[i..].starts_with(b"false") => Some((Typed::Bool(false), i + 5)),
        _ => None,
    }
}

const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// A JSON number's digits (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) as an integer
/// mantissa and the count of fraction digits; `digits` counts the significant digits seen.
#[derive(Debug, PartialEq)]
struct Number {
    mantissa: u64,
    digits: usize,
    fraction: usize,
    /// The integer part when the fraction is all zeros (`-1.0`, `2.00`; `1` too).
    whole: Option<u64>,
    exponent: bool,
    negative: bool,
}

impl Number {
    /// The number at `b[i..]` and where it ends, `None` if it breaks the JSON grammar.
    fn parse(b: &[u8], mut i: usize) -> Option<(Self, usize)> {
        let mut n = Number { mantissa: 0, digits: 0, fraction: 0, whole: None, exponent: false, negative: false };
        if b.get(i) == Some(&b'-') {
            n.negative = true;
            i += 1;
        }
        let int_start = i;
        match b.get(i) {
            Some(b'0') => {
                n.digits = 1;
                i += 1;
            }
            Some(b'1'..=b'9') => i = n.digits_from(b, i),
            _ => return None,
        }
        debug_assert!(i > int_start);
        n.whole = Some(n.mantissa);
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = n.digits_from(b, start);
            n.fraction = i - start;
            if n.fraction == 0 {
                return None;
            }
            if b[start..i].iter().any(|&d| d != b'0') {
                n.whole = None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            n.exponent = true;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        Some((n, i))
    }

    /// Read digits from `i` into the mantissa (counting, but not adding, digits past 19).
    fn digits_from(&mut self, b: &[u8], mut i: usize) -> usize {
        // Eight digits at a time while the mantissa has room for them (an epoch-ms time has 13).
        while self.digits + 8 <= 19 {
            let Some(block) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) else { break };
            let Some(value) = eight_digits(u64::from_le_bytes(block)) else { break };
            self.mantissa = self.mantissa * 100_000_000 + value;
            self.digits += 8;
            i += 8;
        }
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if self.digits < 19 {
                self.mantissa = self.mantissa * 10 + u64::from(c - b'0');
            }
            self.digits += 1;
            i += 1;
        }
        i
    }
}

/// The value of eight ASCII digits read as a little-endian word, `None` if one is not a digit
/// (the SWAR method of simdjson: pairs, then quads, then all eight in three multiplications).
fn eight_digits(word: u64) -> Option<u64> {
    let all_digits = (word & 0xf0f0_f0f0_f0f0_f0f0)
        | (((word.wrapping_add(0x0606_0606_0606_0606)) & 0xf0f0_f0f0_f0f0_f0f0) >> 4)
        == 0x3333_3333_3333_3333;
    if !all_digits {
        return None;
    }
    let mut v = word - 0x3030_3030_3030_3030;
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let pairs = 0x0000_00ff_0000_00ff;
    v = ((v & pairs).wrapping_mul(100 + (1_000_000 << 32)))
        .wrapping_add(((v >> 16) & pairs).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<Number> {
        Number::parse(text.as_bytes(), 0).filter(|(_, end)| *end == text.len()).map(|(n, _)| n)
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        for bad in ["01", "1.", "-", ".5", "1e", "1e+", "+1", "--1"] {
            assert!(number(bad).is_none(), "{bad}");
        }
        let n = number("-12.50").unwrap();
        assert_eq!((n.mantissa, n.digits, n.fraction, n.negative, n.exponent), (1250, 4, 2, true, false));
        assert!(number("1.5E-3").unwrap().exponent);
        assert_eq!(number("0").unwrap().digits, 1);
    }

    #[test]
    fn digits_are_read_eight_at_a_time_as_one_at_a_time() {
        assert_eq!(eight_digits(u64::from_le_bytes(*b"16555644")), Some(16_555_644));
        assert_eq!(eight_digits(u64::from_le_bytes(*b"00000009")), Some(9));
        for bad in [b"1655564:", b"/6555644", b"1655 644", b"165556\x004"] {
            assert_eq!(eight_digits(u64::from_le_bytes(*bad)), None);
        }
        let digits = "9876543210123456789012345";
        for len in 1..digits.len() {
            let text = format!("{}.5,", &digits[..len]);
            let (n, end) = Number::parse(text.as_bytes(), 0).unwrap();
            assert_eq!((n.digits, end), (len + 1, len + 2), "{text}");
            if len < 19 {
                assert_eq!(n.mantissa, format!("{}5", &digits[..len]).parse::<u64>().unwrap(), "{text}");
            }
        }
    }

    #[test]
    fn values_agree_with_the_coercion_rules() {
        let cases: [(&str, DataType); 15] = [
            ("-0", DataType::Float64),
            ("-1.0", DataType::Float64),
            ("123456789012.000", DataType::Float64),
            ("3.0", DataType::Int64),
            ("-0.0", DataType::Float64),
            ("0.1", DataType::Float64),
            ("123456789012345", DataType::Float64),
            ("9007199254740993", DataType::Float64),
            ("1.7976931348623157e308", DataType::Float64),
            ("-123456789012345678", DataType::Int64),
            ("9223372036854775807", DataType::Int64),
            ("9223372036854775808", DataType::Int64),
            ("1655564376361.0", DataType::Int64),
            ("1.5", DataType::Int64),
            ("2e3", DataType::Int64),
        ];
        for (text, to) in cases {
            let reference = super::super::coerce::coerce(text, &to, false).ok();
            let fast = value(text, 0, &to, false).map(|(v, end)| {
                assert_eq!(end, text.len());
                v
            });
            match (&reference, &fast) {
                (Some(Typed::Float(a)), Some(Typed::Float(b))) => assert_eq!(a.to_bits(), b.to_bits(), "{text}"),
                _ => assert_eq!(reference, fast, "{text}"),
            }
        }
    }

    fn decode<'t>(shape: &Shape, schema: &LandingSchema, b: &'t str) -> Option<Vec<(usize, Typed<'t>)>> {
        let mut got = Vec::new();
        shape.decode(b, schema, |f, v| got.push((f, v))).then_some(got)
    }

    #[test]
    fn records_of_the_shape_decode_and_others_do_not() {
        let schema = LandingSchema::known("accelerometer").unwrap();
        let first = r#"{"user": "a@b", "timeStamp": 5, "x": 1.5}"#;
        let slots = [Some((9, 14)), Some((29, 30)), Some((37, 40)), None, None];
        let shape = Shape::learn(first, &slots).unwrap();
        assert_eq!(shape.absent(), [3, 4]);
        let got = decode(&shape, &schema, "{\"user\": \"c\u{e9}\", \"timeStamp\": -7, \"x\": null}  ").unwrap();
        assert_eq!(got, [(0, Typed::Str("c\u{e9}".into())), (1, Typed::Int(-7)), (2, Typed::Null)]);
        for other in [
            r#"{"user":"a","timeStamp": 5, "x": 1.5}"#,
            r#"{"user": "a\"", "timeStamp": 5, "x": 1.5}"#,
            r#"{"user": 7, "timeStamp": 5, "x": 1.5}"#,
            r#"{"user": "a", "timeStamp": 5, "x": 1.5, "y": 1}"#,
            r#"{"user": "a", "timeStamp": 5, "x": 1.5} x"#,
            r#"{"user": "a", "timeStamp": 05, "x": 1.5}"#,
            r#"{"user": "a", "timeStamp": 5, "x": 1.5"#,
        ] {
            assert!(decode(&shape, &schema, other).is_none(), "{other}");
        }
    }
}
