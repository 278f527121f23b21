//! Signing time: ISO 8601 basic format (`20260101T000000Z`, the `X-Amz-Date` form) and RFC 1123 dates
//! (`Thu, 01 Jan 2026 00:00:00 GMT`, the HTTP `Date` form), to and from unix seconds, with no calendar
//! crate: days are converted with the proleptic Gregorian civil-from-days arithmetic.

use std::fmt;

/// A signing time in whole seconds since the unix epoch (UTC), years 1970 to 9999.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct AmzDate(u64);

/// Seconds in a day.
const DAY: u64 = 86_400;
/// `9999-12-31T23:59:59Z`, the last second an ISO basic date can hold.
const MAX: u64 = 253_402_300_799;
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl AmzDate {
    /// The time `unix_seconds` after the epoch, or `None` past the year 9999.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::sigv4::AmzDate;
    /// assert_eq!(AmzDate::from_unix(1_767_225_600).map(|d| d.to_string()).as_deref(), Some("20260101T000000Z"));
    /// ```
    pub fn from_unix(unix_seconds: u64) -> Option<Self> {
        (unix_seconds <= MAX).then_some(AmzDate(unix_seconds))
    }

    /// The time `unix_seconds` after the epoch, or the last second of 9999 if later.
    pub fn from_unix_saturating(unix_seconds: u64) -> Self {
        AmzDate(unix_seconds.min(MAX))
    }

    /// Parses the ISO 8601 basic form `YYYYMMDD'T'HHMMSS'Z'` exactly (16 characters, UTC).
    ///
    /// # Examples
    /// ```
    /// use paycrypt::sigv4::AmzDate;
    /// assert_eq!(AmzDate::parse_iso_basic("20240229T235959Z").map(|d| d.unix()), Some(1_709_251_199));
    /// assert_eq!(AmzDate::parse_iso_basic("20230229T000000Z"), None);
    /// ```
    pub fn parse_iso_basic(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let (month, day) = (digits(&b[4..6])?, digits(&b[6..8])?);
        let (hour, minute, second) = (digits(&b[9..11])?, digits(&b[11..13])?, digits(&b[13..15])?);
        Self::from_civil(year, month, day, hour, minute, second)
    }

    /// Parses an HTTP `Date` header: `[Www, ]DD Mon YYYY HH:MM:SS` then `GMT`, `UTC`, `+0000` or
    /// `-0000` (RFC 1123, and RFC 2822 as Python's `formatdate` writes it).
    ///
    /// # Examples
    /// ```
    /// use paycrypt::sigv4::AmzDate;
    /// let d = AmzDate::parse_http_date("Thu, 01 Jan 2026 00:00:00 GMT");
    /// assert_eq!(d.map(|d| d.to_string()).as_deref(), Some("20260101T000000Z"));
    /// ```
    pub fn parse_http_date(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = match s.split_once(',') {
            Some((weekday, rest)) if weekday.len() == 3 => rest.trim_start(),
            Some(_) => return None,
            None => s,
        };
        let mut parts = s.split_ascii_whitespace();
        let day = digits(parts.next()?.as_bytes())?;
        let month_name = parts.next()?;
        let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month_name))?;
        let year = digits(parts.next()?.as_bytes())?;
        let clock = parts.next()?.as_bytes();
        if clock.len() != 8 || clock[2] != b':' || clock[5] != b':' {
            return None;
        }
        let zone = parts.next()?;
        if parts.next().is_some() || !["GMT", "UTC", "+0000", "-0000"].contains(&zone) {
            return None;
        }
        let (hour, minute, second) = (digits(&clock[0..2])?, digits(&clock[3..5])?, digits(&clock[6..8])?);
        Self::from_civil(year, u64::try_from(month).ok()? + 1, day, hour, minute, second)
    }

    /// Seconds since the unix epoch.
    pub fn unix(self) -> u64 {
        self.0
    }

    /// The day as `YYYYMMDD`, the date of a credential scope.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::sigv4::AmzDate;
    /// assert_eq!(AmzDate::from_unix(951_782_400).map(|d| d.day()).as_deref(), Some("20000229"));
    /// ```
    pub fn day(self) -> String {
        let (y, m, d) = civil_from_days(self.0 / DAY);
        format!("{y:04}{m:02}{d:02}")
    }

    fn from_civil(year: u64, month: u64, day: u64, hour: u64, minute: u64, second: u64) -> Option<Self> {
        let valid = (1970..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then(|| AmzDate(days_from_civil(year, month, day) * DAY + hour * 3600 + minute * 60 + second))
    }
}

impl fmt::Display for AmzDate {
    /// The ISO 8601 basic form, `YYYYMMDD'T'HHMMSS'Z'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.0 / DAY);
        let s = self.0 % DAY;
        write!(f, "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", s / 3600, s / 60 % 60, s % 60)
    }
}

/// The value of 1 to 4 ASCII digits.
fn digits(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &c| n * 10 + u64::from(c - b'0')))
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (year >= 1970), counting in 400-year eras that start on
/// 1 March so the leap day falls at the end of each year.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719_468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01, as (year, month, day): the inverse of [`days_from_civil`].
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn iso(unix: u64) -> String {
        AmzDate::from_unix(unix).unwrap().to_string()
    }

    #[test]
    fn known_dates() {
        assert_eq!(iso(0), "19700101T000000Z");
        assert_eq!(iso(1_767_225_600), "20260101T000000Z");
        assert_eq!(iso(1_767_226_200), "20260101T001000Z");
        assert_eq!(iso(1_440_938_160), "20150830T123600Z"); // the AWS documentation's example request
        assert_eq!(iso(MAX), "99991231T235959Z");
        assert_eq!(AmzDate::from_unix(MAX + 1), None);
    }

    #[test]
    fn leap_years() {
        // 2000 is a leap year (divisible by 400), 1900 and 2100 are not (by 100), 2024 is (by 4).
        assert_eq!(iso(951_782_400), "20000229T000000Z");
        assert_eq!(iso(951_868_800), "20000301T000000Z");
        assert_eq!(iso(1_709_164_800), "20240229T000000Z");
        assert_eq!(iso(4_107_542_400), "21000301T000000Z");
        assert_eq!(iso(4_107_456_000), "21000228T000000Z");
        assert_eq!(iso(1_735_603_200), "20241231T000000Z"); // day 366 of a leap year
        assert!(AmzDate::parse_iso_basic("20000229T000000Z").is_some());
        assert!(AmzDate::parse_iso_basic("21000229T000000Z").is_none());
        assert!(AmzDate::parse_iso_basic("20240229T000000Z").is_some());
        assert!(AmzDate::parse_iso_basic("20230229T000000Z").is_none());
    }

    #[test]
    fn rejects_malformed_iso() {
        for bad in [
            "",
            "20260101T000000",
            "20260101T000000z",
            "2026-01-01T00:00:00Z",
            "20261301T000000Z",
            "20260100T000000Z",
            "20260132T000000Z",
            "20260101T240000Z",
            "20260101T006000Z",
            "20260101T000060Z",
            "19691231T235959Z",
            "2026010+T000000Z",
            "20260101T00000éZ",
        ] {
            assert_eq!(AmzDate::parse_iso_basic(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn http_dates() {
        let want = AmzDate::parse_iso_basic("20260101T000000Z");
        assert_eq!(AmzDate::parse_http_date("Thu, 01 Jan 2026 00:00:00 GMT"), want);
        assert_eq!(AmzDate::parse_http_date("Thu, 01 Jan 2026 00:00:00 -0000"), want);
        assert_eq!(AmzDate::parse_http_date("1 jan 2026 00:00:00 UTC"), want);
        for bad in
            ["Thu, 01 Jan 2026 00:00:00 CET", "Thu 01 Jan 2026 00:00:00 GMT", "01 Foo 2026 00:00:00 GMT"]
        {
            assert_eq!(AmzDate::parse_http_date(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn iso_round_trips(unix in 0..=MAX) {
            let d = AmzDate::from_unix(unix).unwrap();
            prop_assert_eq!(AmzDate::parse_iso_basic(&d.to_string()), Some(d));
        }

        #[test]
        fn days_round_trip(days in 0..(MAX / DAY)) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
