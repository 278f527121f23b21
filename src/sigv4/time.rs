//! Signing time: ISO 8601 basic format (`20260101T000000Z`, the `X-Amz-Date` form) and RFC 1123 dates
//! (`Thu, 01 Jan 2026 00:00:00 GMT`, the HTTP `Date` form), to and from unix seconds. The calendar
//! arithmetic is the crate's one civil-time conversion (`crate::time`), which uses no layer.

use std::fmt;

use crate::time::{Date, UtcTime};

/// A signing time in whole seconds since the unix epoch (UTC), years 1970 to 9999.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct AmzDate(u64);

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
        let date = Date::new(digits(&b[0..4])?.into(), digits(&b[4..6])?, digits(&b[6..8])?)?;
        Self::from_civil(date, digits(&b[9..11])?, digits(&b[11..13])?, digits(&b[13..15])?)
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
        let date = Date::new(year.into(), u32::try_from(month).ok()? + 1, day)?;
        Self::from_civil(date, digits(&clock[0..2])?, digits(&clock[3..5])?, digits(&clock[6..8])?)
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
        let Date { year, month, day } = self.utc().date;
        format!("{year:04}{month:02}{day:02}")
    }

    /// `date` at the time of day, or `None` when there is no such time or it is before 1970.
    fn from_civil(date: Date, hour: u32, minute: u32, second: u32) -> Option<Self> {
        let time = UtcTime::new(date, hour, minute, second)?;
        u64::try_from(time.unix()).ok().and_then(AmzDate::from_unix)
    }

    fn utc(self) -> UtcTime {
        // Always in range: at most `MAX`.
        UtcTime::from_unix(i64::try_from(self.0).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for AmzDate {
    /// The ISO 8601 basic form, `YYYYMMDD'T'HHMMSS'Z'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let UtcTime { date: Date { year, month, day }, hour, minute, second } = self.utc();
        write!(f, "{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z")
    }
}

/// The value of 1 to 4 ASCII digits.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')))
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
    }
}
