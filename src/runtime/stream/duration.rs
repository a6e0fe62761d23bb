//! Durations as Spark writes them: "10 seconds", "1 minute", "500 milliseconds", "2 hours".

use crate::error::{Error, Result};

const MICROS_PER: [(&[&str], i64); 6] = [
    (&["microsecond", "microseconds", "us"], 1),
    (&["millisecond", "milliseconds", "ms"], 1_000),
    (&["second", "seconds", "sec", "secs", "s"], 1_000_000),
    (&["minute", "minutes", "min", "mins", "m"], 60_000_000),
    (&["hour", "hours", "h"], 3_600_000_000),
    (&["day", "days", "d"], 86_400_000_000),
];

/// Parse a duration into microseconds; several parts add up ("1 minute 30 seconds").
///
/// # Errors
/// [`Error::InvalidArgument`] naming the text for anything else, or a duration that is not positive.
pub(crate) fn parse_micros(text: &str) -> Result<i64> {
    let bad = || Error::InvalidArgument(format!("bad duration {text:?}: use a number and a unit, like \"10 seconds\""));
    let trimmed = text.trim();
    let body = trimmed.strip_prefix("interval ").unwrap_or(trimmed);
    let mut words = body.split_whitespace().peekable();
    let mut total: i64 = 0;
    if words.peek().is_none() {
        return Err(bad());
    }
    while let Some(word) = words.next() {
        // "10seconds" and "10 seconds" are both accepted.
        let split = word.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(word.len());
        let (number, unit) = word.split_at(split);
        let unit = if unit.is_empty() { words.next().ok_or_else(bad)? } else { unit };
        let amount: f64 = number.parse().map_err(|_| bad())?;
        let unit = unit.to_ascii_lowercase();
        let per = MICROS_PER.iter().find(|(names, _)| names.contains(&unit.as_str())).ok_or_else(bad)?.1;
        let micros = amount * per as f64;
        if !micros.is_finite() || micros.fract() != 0.0 || micros > i64::MAX as f64 / 2.0 {
            return Err(bad());
        }
        // In range and integral: checked just above.
        #[allow(clippy::cast_possible_truncation)]
        let micros = micros as i64;
        total = total.checked_add(micros).ok_or_else(bad)?;
    }
    if total <= 0 {
        return Err(Error::InvalidArgument(format!("bad duration {text:?}: must be longer than zero")));
    }
    Ok(total)
}

/// A duration in microseconds as short text ("10 seconds", "1 minute", "1500 milliseconds").
#[must_use]
pub(crate) fn describe(micros: i64) -> String {
    for (names, per) in MICROS_PER.iter().rev() {
        if micros % per == 0 {
            let n = micros / per;
            let name = if n == 1 { names[0] } else { names[1] };
            return format!("{n} {name}");
        }
    }
    format!("{micros} microseconds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spark_durations() {
        assert_eq!(parse_micros("10 seconds").unwrap(), 10_000_000);
        assert_eq!(parse_micros("1 minute").unwrap(), 60_000_000);
        assert_eq!(parse_micros("interval 2 hours").unwrap(), 7_200_000_000);
        assert_eq!(parse_micros("1 minute 30 seconds").unwrap(), 90_000_000);
        assert_eq!(parse_micros("500ms").unwrap(), 500_000);
        assert_eq!(parse_micros("1.5 seconds").unwrap(), 1_500_000);
        for bad in ["", "ten seconds", "10", "10 fortnights", "0 seconds", "-1 seconds"] {
            assert!(parse_micros(bad).is_err(), "{bad}");
        }
        assert_eq!(describe(60_000_000), "1 minute");
        assert_eq!(describe(1_500_000), "1500 milliseconds");
    }
}
