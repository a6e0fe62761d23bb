//! Spark's reading of a date or timestamp written as text (`CAST(text AS TIMESTAMP)`, and what
//! the JSON and CSV readers do without a `timestampFormat`): `2026-01-01`, `2026-01-01 10:00`,
//! `2026-01-01T10:00:00.123456Z`, `2026-1-1 10:00:00+01:00`, `… UTC`, `… Europe/Paris`. A time
//! without a zone is in the session time zone.

use std::str::FromStr;

use chrono::{Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Java's `ZoneId.SHORT_IDS` (what Spark's `getZoneId` reads as well): three-letter names of
/// regions; `EST`, `MST` and `HST` are fixed offsets there.
const JAVA_SHORT_ZONES: [(&str, &str); 28] = [
    ("ACT", "Australia/Darwin"),
    ("AET", "Australia/Sydney"),
    ("AGT", "America/Argentina/Buenos_Aires"),
    ("ART", "Africa/Cairo"),
    ("AST", "America/Anchorage"),
    ("BET", "America/Sao_Paulo"),
    ("BST", "Asia/Dhaka"),
    ("CAT", "Africa/Harare"),
    ("CNT", "America/St_Johns"),
    ("CST", "America/Chicago"),
    ("CTT", "Asia/Shanghai"),
    ("EAT", "Africa/Addis_Ababa"),
    ("ECT", "Europe/Paris"),
    ("IET", "America/Indiana/Indianapolis"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("MIT", "Pacific/Apia"),
    ("NET", "Asia/Yerevan"),
    ("NST", "Pacific/Auckland"),
    ("PLT", "Asia/Karachi"),
    ("PNT", "America/Phoenix"),
    ("PRT", "America/Puerto_Rico"),
    ("PST", "America/Los_Angeles"),
    ("SST", "Pacific/Guadalcanal"),
    ("VST", "Asia/Ho_Chi_Minh"),
    ("EST", "-05:00"),
    ("MST", "-07:00"),
    ("HST", "-10:00"),
];

/// The zone id a Java short zone name stands for (`PST` is `America/Los_Angeles`).
#[must_use]
pub(crate) fn java_short_zone(id: &str) -> Option<&'static str> {
    JAVA_SHORT_ZONES.iter().find(|(short, _)| *short == id.trim()).map(|(_, full)| *full)
}

/// A time zone of the session (`spark.sql.session.timeZone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionZone {
    Fixed(FixedOffset),
    Region(Tz),
}

impl SessionZone {
    /// Parse a zone id: `UTC`, `Z`, `+01:00`, `GMT+1`, `Europe/Paris`, `PST`.
    #[must_use]
    pub(crate) fn parse(id: &str) -> Option<Self> {
        let id = java_short_zone(id).unwrap_or(id.trim());
        let upper = id.to_ascii_uppercase();
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = upper.strip_prefix(prefix) {
                return if rest.is_empty() { Some(Self::utc()) } else { offset(rest).map(Self::Fixed) };
            }
        }
        if upper == "Z" {
            return Some(Self::utc());
        }
        if id.starts_with(['+', '-']) {
            return offset(id).map(Self::Fixed);
        }
        Tz::from_str(id).ok().map(Self::Region)
    }

    #[must_use]
    pub(crate) fn utc() -> Self {
        Self::Fixed(FixedOffset::east_opt(0).expect("zero offset"))
    }

    /// The wall-clock time in this zone of the instant `micros` after the epoch.
    #[must_use]
    pub(crate) fn local(self, micros: i64) -> Option<NaiveDateTime> {
        let utc = chrono::DateTime::from_timestamp_micros(micros)?.naive_utc();
        Some(match self {
            Self::Fixed(offset) => utc + offset.fix(),
            Self::Region(tz) => tz.from_utc_datetime(&utc).naive_local(),
        })
    }

    /// Microseconds since the epoch of `local` in this zone; a time in a daylight-saving gap moves
    /// forward by the gap and an ambiguous one takes the earlier offset, as Java's `atZone`.
    #[must_use]
    pub(crate) fn micros(self, local: NaiveDateTime) -> i64 {
        let utc = match self {
            Self::Fixed(offset) => local - offset.fix(),
            Self::Region(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.naive_utc(),
                LocalResult::None => {
                    let before = tz.offset_from_utc_datetime(&(local - chrono::Duration::days(1))).fix();
                    local - before
                }
            },
        };
        utc.and_utc().timestamp_micros()
    }
}

/// `±h`, `±hh`, `±hhmm`, `±hh:mm`, `±hh:mm:ss`.
fn offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let parts: Vec<&str> = if rest.contains(':') {
        rest.split(':').collect()
    } else if rest.len() > 2 {
        vec![&rest[..2], &rest[2..]]
    } else {
        vec![rest]
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    let mut seconds = 0i32;
    for (part, unit) in parts.iter().zip([3600, 60, 1]) {
        seconds += part.parse::<i32>().ok()? * unit;
    }
    if seconds > 18 * 3600 {
        return None;
    }
    FixedOffset::east_opt(sign * seconds)
}

/// Digits at the start of `text`: their value and how many there were.
fn digits(text: &str) -> (Option<u32>, usize) {
    let n = text.bytes().take_while(u8::is_ascii_digit).count();
    (text[..n].parse().ok(), n)
}

/// `yyyy[-[m]m[-[d]d]]` at the start of `text`: the date and the rest.
fn date_part(text: &str) -> Option<(NaiveDate, &str)> {
    let (year, n) = digits(text);
    if !(4..=7).contains(&n) {
        return None;
    }
    let mut rest = &text[n..];
    let mut fields = [1u32, 1];
    for field in &mut fields {
        let Some(after) = rest.strip_prefix('-') else { break };
        let (value, n) = digits(after);
        if !(1..=2).contains(&n) {
            return None;
        }
        *field = value?;
        rest = &after[n..];
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year?).ok()?, fields[0], fields[1])?;
    Some((date, rest))
}

/// Spark's `CAST(text AS DATE)`: a date, with any time after a space or `T` ignored.
#[must_use]
pub(crate) fn parse_date(text: &str) -> Option<i32> {
    let (date, rest) = date_part(text.trim())?;
    if !(rest.is_empty() || rest.starts_with([' ', 'T'])) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch");
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok().filter(|_| date.year() > 0)
}

/// Spark's `CAST(text AS TIMESTAMP)` in the session zone `zone`: microseconds since the epoch.
#[must_use]
pub(crate) fn parse_timestamp(text: &str, zone: SessionZone) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = date_part(text)?;
    if rest.is_empty() {
        return Some(zone.micros(date.and_time(NaiveTime::MIN)));
    }
    let rest = rest.strip_prefix([' ', 'T'])?;
    let mut fields = [0u32; 3];
    let mut rest = rest;
    for (i, field) in fields.iter_mut().enumerate() {
        if i > 0 {
            match rest.strip_prefix(':') {
                Some(after) => rest = after,
                None if i == 2 => break,
                None => return None,
            }
        }
        let (value, n) = digits(rest);
        if !(1..=2).contains(&n) {
            return None;
        }
        *field = value?;
        rest = &rest[n..];
    }
    let mut micros = 0u32;
    if let Some(after) = rest.strip_prefix('.') {
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return None;
        }
        let six = &after[..n.min(6)];
        micros = six.parse::<u32>().ok()? * 10u32.pow(6 - u32::try_from(six.len()).ok()?);
        rest = &after[n..];
    }
    let time = NaiveTime::from_hms_micro_opt(fields[0], fields[1], fields[2], micros)?;
    let local = date.and_time(time);
    let zone_text = rest.trim_start();
    if zone_text.is_empty() {
        return Some(zone.micros(local));
    }
    Some(SessionZone::parse(zone_text)?.micros(local))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTC_2026: i64 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z

    #[test]
    fn timestamps_read_as_sparks_cast() {
        let utc = SessionZone::utc();
        for text in
            ["2026-01-01", "2026-01-01 00:00", "2026-01-01T00:00:00Z", "2026-1-1 0:0:0", " 2026-01-01 00:00:00.000 "]
        {
            assert_eq!(parse_timestamp(text, utc), Some(UTC_2026), "{text}");
        }
        assert_eq!(parse_timestamp("2026-01-01T01:00:00+01:00", utc), Some(UTC_2026));
        assert_eq!(parse_timestamp("2026-01-01 01:00:00 UTC+1", utc), Some(UTC_2026));
        assert_eq!(parse_timestamp("2026-01-01T00:00:00.5Z", utc), Some(UTC_2026 + 500_000));
        assert_eq!(parse_timestamp("2026-01-01T00:00:00.1234567Z", utc), Some(UTC_2026 + 123_456));
        let paris = SessionZone::parse("Europe/Paris").unwrap();
        assert_eq!(parse_timestamp("2026-01-01 01:00:00", paris), Some(UTC_2026));
        assert_eq!(parse_timestamp("2026-01-01 00:00:00 Europe/Paris", utc), Some(UTC_2026 - 3_600_000_000));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-01-01 25:00",
            "2026-01-01X",
            "26-01-01",
            "2026-01-01 00:00:00 Mars/Base",
        ] {
            assert_eq!(parse_timestamp(bad, utc), None, "{bad}");
        }
    }

    #[test]
    fn dates_read_as_sparks_cast() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("1970-01-02 10:00:00"), Some(1));
        assert_eq!(parse_date("1970-2"), Some(31));
        assert_eq!(parse_date("1970-01-02x"), None);
    }
}
