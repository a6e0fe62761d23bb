//! Spark's datetime patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `dd/MMM/yyyy`, `EEE, d MMM`): parsing
//! text into a local date-time and formatting one, as `to_timestamp`, `to_date`, `date_format`,
//! `unix_timestamp` and `from_unixtime` read them (Spark 3's `DateTimeFormatter` rules).
//!
//! A field of one letter reads as many digits as there are (`M` reads `1` and `12`); a repeated
//! letter reads exactly that many (`MM` needs `01`), except the year (`yyyy` reads four or more)
//! and the fraction (`SSS` reads up to three). What the text leaves out is the start of its unit
//! (1970-01-01 00:00:00). Text that does not match gives `None` (NULL, with ANSI off).
//! `[…]` is an optional section (read when the text has it, skipped when not); a zone field
//! (`z`, `V`, `X`, `x`, `Z`) that the text fills says in which zone the local time is.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::core::text::datetime::SessionZone;
use crate::error::{Error, Result};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// One part of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Field(char, usize),
    Literal(String),
    Optional(Vec<Part>),
}

/// A compiled Spark datetime pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    parts: Vec<Part>,
}

impl Pattern {
    /// Compile `pattern`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a letter Spark does not know or an unclosed quote.
    pub(crate) fn new(pattern: &str) -> Result<Self> {
        // The open optional sections, innermost last, above the pattern's own parts.
        let mut open: Vec<Vec<Part>> = vec![Vec::new()];
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '[' {
                open.push(Vec::new());
                i += 1;
                continue;
            }
            if c == ']' && open.len() > 1 {
                let section = open.pop().expect("an open section");
                open.last_mut().expect("the enclosing parts").push(Part::Optional(section));
                i += 1;
                continue;
            }
            let parts = open.last_mut().expect("the pattern's own parts");
            if c == '\'' {
                // '' is a quote; 'text' is literal text.
                if chars.get(i + 1) == Some(&'\'') {
                    parts.push(Part::Literal("'".into()));
                    i += 2;
                    continue;
                }
                let end = chars[i + 1..].iter().position(|&q| q == '\'').map(|p| p + i + 1).ok_or_else(|| {
                    Error::InvalidArgument(format!("the datetime pattern {pattern:?} has an unclosed quote"))
                })?;
                parts.push(Part::Literal(chars[i + 1..end].iter().collect()));
                i = end + 1;
                continue;
            }
            if c.is_ascii_alphabetic() {
                if !"yMLdDHhKkmsSaEuzZXxVGQq".contains(c) {
                    return Err(Error::InvalidArgument(format!(
                        "[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION] the datetime pattern letter '{c}' in {pattern:?} is not supported"
                    )));
                }
                let run = chars[i..].iter().take_while(|&&d| d == c).count();
                // Spark 3 refuses five or more letters of a text field (and two of `a`).
                if ("MLEGQqz".contains(c) && run >= 5) || (c == 'a' && run > 1) {
                    return Err(Error::InvalidArgument(format!(
                        "[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION] too many pattern letters '{c}' in {pattern:?}"
                    )));
                }
                parts.push(Part::Field(c, run));
                i += run;
                continue;
            }
            parts.push(Part::Literal(c.to_string()));
            i += 1;
        }
        // An unclosed `[` runs to the end of the pattern, as Java's builder reads it.
        while open.len() > 1 {
            let section = open.pop().expect("an open section");
            open.last_mut().expect("the enclosing parts").push(Part::Optional(section));
        }
        Ok(Self { parts: open.pop().expect("the pattern's own parts") })
    }

    /// The local date-time `text` spells, or `None` when it does not match.
    #[cfg(test)]
    #[must_use]
    pub(crate) fn parse(&self, text: &str) -> Option<NaiveDateTime> {
        self.parse_zoned(text).map(|(local, _)| local)
    }

    /// The local date-time `text` spells and the zone it names, if it names one.
    #[must_use]
    pub(crate) fn parse_zoned(&self, text: &str) -> Option<(NaiveDateTime, Option<SessionZone>)> {
        let mut fields = Fields::default();
        let rest = read_parts(&self.parts, &mut fields, text)?;
        if !rest.is_empty() {
            return None;
        }
        Some((fields.date_time()?, fields.zone))
    }

    /// `value` written in this pattern.
    #[must_use]
    pub(crate) fn format(&self, value: NaiveDateTime) -> String {
        let mut out = String::new();
        write_parts(&mut out, &self.parts, value);
        out
    }
}

fn read_parts<'t>(parts: &[Part], fields: &mut Fields, mut rest: &'t str) -> Option<&'t str> {
    for part in parts {
        match part {
            Part::Literal(literal) => rest = rest.strip_prefix(literal.as_str())?,
            Part::Field(letter, count) => rest = fields.read(*letter, *count, rest)?,
            // A section the text does not have leaves the fields as they were.
            Part::Optional(section) => {
                let mut tried = fields.clone();
                if let Some(after) = read_parts(section, &mut tried, rest) {
                    *fields = tried;
                    rest = after;
                }
            }
        }
    }
    Some(rest)
}

fn write_parts(out: &mut String, parts: &[Part], value: NaiveDateTime) {
    for part in parts {
        match part {
            Part::Literal(literal) => out.push_str(literal),
            Part::Field(letter, count) => write_field(out, *letter, *count, value),
            Part::Optional(section) => write_parts(out, section, value),
        }
    }
}

/// The fields read so far.
#[derive(Debug, Default, Clone)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: Option<u32>,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
    zone: Option<SessionZone>,
}

impl Fields {
    fn read<'t>(&mut self, letter: char, count: usize, text: &'t str) -> Option<&'t str> {
        match letter {
            'y' => {
                let (value, rest) = if count == 2 { digits(text, 2, 2)? } else { digits(text, count.max(1), 9)? };
                let value = i32::try_from(value).ok()?;
                self.year = Some(if count == 2 { 2000 + value } else { value });
                Some(rest)
            }
            'M' | 'L' if count >= 3 => {
                let (index, rest) = name(text, &MONTHS, count == 3)?;
                self.month = Some(u32::try_from(index).ok()? + 1);
                Some(rest)
            }
            'E' => Some(name(text, &DAYS, count <= 3)?.1),
            'a' => {
                let upper = text.get(..2)?.to_ascii_uppercase();
                self.pm = Some(match upper.as_str() {
                    "AM" => false,
                    "PM" => true,
                    _ => return None,
                });
                Some(&text[2..])
            }
            'S' => {
                let (value, rest) = digits(text, 1, count)?;
                let read = text.len() - rest.len();
                let nanos = u32::try_from(value).ok()? * 10u32.pow(u32::try_from(9 - read).ok()?);
                // A field read twice must agree with itself (Java's resolver refuses the text).
                if self.nanos.is_some_and(|before| before != nanos) {
                    return None;
                }
                self.nanos = Some(nanos);
                Some(rest)
            }
            'z' | 'Z' | 'X' | 'x' | 'V' => {
                let rest = text.trim_start_matches(|c: char| {
                    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | ':' | '/' | '_')
                });
                self.zone = Some(SessionZone::parse(&text[..text.len() - rest.len()])?);
                Some(rest)
            }
            _ => {
                let (min, max) = if count == 1 { (1, 2) } else { (count, count) };
                let max = if letter == 'D' && count == 1 { 3 } else { max };
                let (value, rest) = digits(text, min, max)?;
                let value = u32::try_from(value).ok()?;
                let slot = match letter {
                    'M' | 'L' => &mut self.month,
                    'd' => &mut self.day,
                    'D' => &mut self.day_of_year,
                    'H' | 'k' => &mut self.hour,
                    'h' | 'K' => &mut self.hour12,
                    'm' => &mut self.minute,
                    's' => &mut self.second,
                    _ => return Some(rest),
                };
                if slot.is_some_and(|before| before != value) {
                    return None;
                }
                *slot = Some(value);
                Some(rest)
            }
        }
    }

    fn date_time(&self) -> Option<NaiveDateTime> {
        let year = self.year.unwrap_or(1970);
        let date = match self.day_of_year {
            Some(ordinal) if self.month.is_none() => NaiveDate::from_yo_opt(year, ordinal)?,
            _ => NaiveDate::from_ymd_opt(year, self.month.unwrap_or(1), self.day.unwrap_or(1))?,
        };
        let hour = match (self.hour, self.hour12, self.pm) {
            (Some(h), _, _) => h,
            (None, Some(h), pm) => h % 12 + if pm == Some(true) { 12 } else { 0 },
            (None, None, Some(true)) => 12,
            _ => 0,
        };
        date.and_hms_nano_opt(hour, self.minute.unwrap_or(0), self.second.unwrap_or(0), self.nanos.unwrap_or(0))
    }
}

/// Between `min` and `max` ASCII digits at the start of `text`.
fn digits(text: &str, min: usize, max: usize) -> Option<(u64, &str)> {
    let count = text.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if count < min {
        return None;
    }
    Some((text[..count].parse().ok()?, &text[count..]))
}

/// The index of the name (`January`, or `Jan` when `short`) at the start of `text`.
fn name<'t>(text: &'t str, names: &[&str], short: bool) -> Option<(usize, &'t str)> {
    names.iter().enumerate().find_map(|(i, full)| {
        let word = if short { &full[..3] } else { full };
        let head = text.get(..word.len())?;
        head.eq_ignore_ascii_case(word).then(|| (i, &text[word.len()..]))
    })
}

fn write_field(out: &mut String, letter: char, count: usize, value: NaiveDateTime) {
    let number = |out: &mut String, n: i64, width: usize| {
        let _ = write!(out, "{n:0width$}");
    };
    match letter {
        'y' if count == 2 => number(out, i64::from(value.year().rem_euclid(100)), 2),
        'y' => number(out, i64::from(value.year()), count),
        'M' | 'L' if count == 3 => out.push_str(&MONTHS[value.month0() as usize][..3]),
        'M' | 'L' if count >= 4 => out.push_str(MONTHS[value.month0() as usize]),
        'M' | 'L' => number(out, i64::from(value.month()), count),
        'd' => number(out, i64::from(value.day()), count),
        'D' => number(out, i64::from(value.ordinal()), count),
        'H' => number(out, i64::from(value.hour()), count),
        'k' => number(out, i64::from(if value.hour() == 0 { 24 } else { value.hour() }), count),
        'h' => number(out, i64::from((value.hour() + 11) % 12 + 1), count),
        'K' => number(out, i64::from(value.hour() % 12), count),
        'm' => number(out, i64::from(value.minute()), count),
        's' => number(out, i64::from(value.second()), count),
        'S' => {
            let nanos = format!("{:09}", value.nanosecond());
            out.push_str(&nanos[..count.min(9)]);
            out.push_str(&"0".repeat(count.saturating_sub(9)));
        }
        'a' => out.push_str(if value.hour() < 12 { "AM" } else { "PM" }),
        'E' if count <= 3 => out.push_str(&DAYS[value.weekday().num_days_from_monday() as usize][..3]),
        'E' => out.push_str(DAYS[value.weekday().num_days_from_monday() as usize]),
        'u' => number(out, i64::from(value.weekday().number_from_monday()), count),
        'Q' | 'q' => number(out, i64::from(value.month0() / 3 + 1), count),
        // Zones and eras are written for UTC local times only by their callers.
        'X' | 'x' | 'Z' => out.push_str(if letter == 'X' { "Z" } else { "+0000" }),
        'z' | 'V' => out.push_str("UTC"),
        'G' => out.push_str("AD"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn parses_as_spark_reads() {
        let p = Pattern::new("yyyy-MM-dd HH:mm:ss.SSS").unwrap();
        assert_eq!(p.parse("2019-10-06 10:11:12.123"), Some(at("2019-10-06 10:11:12.123")));
        assert_eq!(p.parse("2019-10-06 10:11:12.12"), Some(at("2019-10-06 10:11:12.120")));
        assert_eq!(p.parse("2019-10-06 10:11:12.1234"), None);
        assert_eq!(Pattern::new("dd/MM/yyyy").unwrap().parse("26/08/2015"), Some(at("2015-08-26 00:00:00")));
        assert_eq!(Pattern::new("MM-dd").unwrap().parse("02-20"), Some(at("1970-02-20 00:00:00")));
        assert_eq!(
            Pattern::new("yyyy-MM-dd'S'HH:mm").unwrap().parse("2019-10-06S10:11"),
            Some(at("2019-10-06 10:11:00"))
        );
        assert_eq!(
            Pattern::new("dd MMM yyyy hh:mm a").unwrap().parse("05 Jan 2020 01:30 PM"),
            Some(at("2020-01-05 13:30:00"))
        );
        assert_eq!(Pattern::new("yyyy-MM-dd").unwrap().parse("2019-1-06"), None);
        assert!(Pattern::new("yyyy-MM-dd'T").is_err());
        assert!(Pattern::new("yyyy-MM-dd B").is_err());
    }

    #[test]
    fn reads_optional_sections_and_zones() {
        let p = Pattern::new("yyyy-MM-dd HH:mm[:ss.SSSSSS]").unwrap();
        assert_eq!(p.parse("2019-10-06 10:11"), Some(at("2019-10-06 10:11:00")));
        assert_eq!(p.parse("2019-10-06 10:11:12.12"), Some(at("2019-10-06 10:11:12.120")));
        let p = Pattern::new("yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]").unwrap();
        assert_eq!(p.parse_zoned("2019-10-06 10:11:12.0"), Some((at("2019-10-06 10:11:12"), None)));
        let (local, zone) = p.parse_zoned("2019-10-06 10:11:12.123UTC").unwrap();
        assert_eq!((local, zone), (at("2019-10-06 10:11:12.123"), Some(SessionZone::utc())));
        assert_eq!(p.parse("2019-10-06 10:11:12.1XYZ"), None);
        assert_eq!(p.format(at("2019-10-06 10:11:12.5")), "2019-10-06 10:11:12.500000UTC");
    }

    #[test]
    fn formats_as_spark_writes() {
        let value = at("2019-03-05 13:04:05.120");
        assert_eq!(Pattern::new("yyyy-MM-dd HH:mm:ss").unwrap().format(value), "2019-03-05 13:04:05");
        assert_eq!(Pattern::new("d MMM yy, h:mm a, EEE").unwrap().format(value), "5 Mar 19, 1:04 PM, Tue");
        assert_eq!(Pattern::new("yyyy-MM-dd'T'HH:mm:ss.SSS").unwrap().format(value), "2019-03-05T13:04:05.120");
    }
}
