//! Civil time: dates of the proleptic Gregorian calendar and times of day in UTC, to and from days and
//! seconds since the Unix epoch, with no calendar crate. The key model's timestamps and SigV4's
//! signing dates both convert here. It uses nothing else in the crate, so every layer (and `sigv4`,
//! which stands beside the layers) may use it.
//!
//! Days are counted in 400-year eras that start on 1 March, so that the leap day falls at the end of
//! each year (the civil-from-days arithmetic of Howard Hinnant's "chrono-Compatible Low-Level Date
//! Algorithms").

/// Seconds in a day.
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// The years [`Date::new`] accepts: a billion either side of year 0, far beyond any timestamp paycrypt
/// meets and small enough that no day count overflows.
const YEARS: std::ops::RangeInclusive<i64> = -1_000_000_000..=1_000_000_000;

/// Days from 0000-03-01 (the start of an era) to 1970-01-01.
const EPOCH_FROM_ERA_START: i64 = 719_468;

/// Days in a 400-year era.
const DAYS_PER_ERA: i64 = 146_097;

/// A day of the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, Eq, Ord, PartialEq, PartialOrd)]
pub(crate) struct Date {
    /// The year; 0 is 1 BC, as in ISO 8601.
    pub(crate) year: i64,
    /// The month, 1 to 12.
    pub(crate) month: u32,
    /// The day of the month, 1 to 31.
    pub(crate) day: u32,
}

impl Date {
    /// The date `year`-`month`-`day`, or `None` when there is no such day (a 30 February, a month 13) or
    /// the year is out of range.
    pub(crate) fn new(year: i64, month: u32, day: u32) -> Option<Self> {
        let valid = YEARS.contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(Date { year, month, day })
    }

    /// The date `days` days after 1970-01-01 (before it, for negative `days`). Exact for any `days`
    /// within ±10^14 (the day of any Unix time in seconds).
    pub(crate) fn from_days(days: i64) -> Self {
        let z = days + EPOCH_FROM_ERA_START;
        let era = z.div_euclid(DAYS_PER_ERA);
        let day_of_era = z.rem_euclid(DAYS_PER_ERA);
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        // Both are in range by construction (1 to 31, 1 to 12).
        Date { year, month: small(month), day: small(day) }
    }

    /// Days from 1970-01-01 to this date (negative before it): the inverse of [`Date::from_days`].
    pub(crate) fn days(self) -> i64 {
        let year = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month_from_march = i64::from((self.month + 9) % 12);
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * DAYS_PER_ERA + day_of_era - EPOCH_FROM_ERA_START
    }
}

/// A time to the second in UTC: its date and the time of day.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) struct UtcTime {
    /// The date.
    pub(crate) date: Date,
    /// The hour, 0 to 23.
    pub(crate) hour: u32,
    /// The minute, 0 to 59.
    pub(crate) minute: u32,
    /// The second, 0 to 59 (no leap seconds, as in Unix time).
    pub(crate) second: u32,
}

impl UtcTime {
    /// The time `unix_seconds` after 1970-01-01T00:00:00Z (before it, for negative values). Exact for
    /// any `unix_seconds` within ±10^18.
    pub(crate) fn from_unix(unix_seconds: i64) -> Self {
        let date = Date::from_days(unix_seconds.div_euclid(SECONDS_PER_DAY));
        let of_day = unix_seconds.rem_euclid(SECONDS_PER_DAY);
        UtcTime {
            date,
            hour: small(of_day / 3600),
            minute: small(of_day / 60 % 60),
            second: small(of_day % 60),
        }
    }

    /// `date` at `hour`:`minute`:`second`, or `None` when the time of day is out of range.
    pub(crate) fn new(date: Date, hour: u32, minute: u32, second: u32) -> Option<Self> {
        (hour < 24 && minute < 60 && second < 60).then_some(UtcTime { date, hour, minute, second })
    }

    /// Seconds since 1970-01-01T00:00:00Z: the inverse of [`UtcTime::from_unix`].
    pub(crate) fn unix(self) -> i64 {
        let of_day = i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        self.date.days() * SECONDS_PER_DAY + of_day
    }
}

/// Whether `year` has 29 February.
fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// The number of days in `month` (1 to 12) of `year`.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A value already known to lie in 0..=86_399 (a field of a date or a time of day).
fn small(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(year: i64, month: u32, day: u32) -> Date {
        Date { year, month, day }
    }

    /// Known answers: Python's `date(y, m, d).toordinal() - 719163` for every date from year 1 on;
    /// 0000-03-01 is the start of an era by definition.
    #[test]
    fn known_days() {
        for (d, days) in [
            (date(1970, 1, 1), 0),
            (date(1969, 12, 31), -1),
            (date(2000, 2, 29), 11_016),
            (date(2000, 3, 1), 11_017),
            (date(1900, 1, 1), -25_567),
            (date(1600, 2, 29), -135_081),
            (date(1, 1, 1), -719_162),
            (date(0, 3, 1), -719_468),
            (date(2026, 1, 1), 20_454),
            (date(2100, 3, 1), 47_541),
            (date(9999, 12, 31), 2_932_896),
        ] {
            assert_eq!(d.days(), days, "{d:?}");
            assert_eq!(Date::from_days(days), d, "{days}");
        }
    }

    #[test]
    fn known_times() {
        let t = UtcTime::from_unix(1_440_938_160); // AWS's SigV4 example: 2015-08-30T12:36:00Z
        assert_eq!((t.date, t.hour, t.minute, t.second), (date(2015, 8, 30), 12, 36, 0));
        let t = UtcTime::from_unix(-1); // 1969-12-31T23:59:59Z
        assert_eq!((t.date, t.hour, t.minute, t.second), (date(1969, 12, 31), 23, 59, 59));
        assert_eq!(UtcTime::from_unix(253_402_300_799).date, date(9999, 12, 31));
    }

    #[test]
    fn rejects_days_that_do_not_exist() {
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2023, 4, 31).is_none());
        assert!(Date::new(2023, 13, 1).is_none());
        assert!(Date::new(2023, 0, 1).is_none());
        assert!(Date::new(2023, 1, 0).is_none());
        assert!(Date::new(1_000_000_001, 1, 1).is_none());
        assert!(UtcTime::new(date(2023, 1, 1), 24, 0, 0).is_none());
        assert!(UtcTime::new(date(2023, 1, 1), 23, 60, 0).is_none());
        assert!(UtcTime::new(date(2023, 1, 1), 23, 59, 60).is_none());
    }

    proptest! {
        /// Nearly a billion years either side of 1970.
        #[test]
        fn days_round_trip(days in -365_000_000_000i64..=365_000_000_000) {
            let d = Date::from_days(days);
            prop_assert_eq!(Date::new(d.year, d.month, d.day), Some(d));
            prop_assert_eq!(d.days(), days);
        }

        /// The day after a date is the next day of the calendar, counted without the era arithmetic.
        #[test]
        fn days_follow_the_calendar(days in -365_000_000_000i64..=365_000_000_000) {
            let d = Date::from_days(days);
            let next = if d.day < days_in_month(d.year, d.month) {
                date(d.year, d.month, d.day + 1)
            } else if d.month < 12 {
                date(d.year, d.month + 1, 1)
            } else {
                date(d.year + 1, 1, 1)
            };
            prop_assert_eq!(Date::from_days(days + 1), next);
        }

        #[test]
        fn seconds_round_trip(unix in -1_000_000_000_000_000_000i64..=1_000_000_000_000_000_000) {
            let t = UtcTime::from_unix(unix);
            prop_assert_eq!(UtcTime::new(t.date, t.hour, t.minute, t.second), Some(t));
            prop_assert_eq!(t.unix(), unix);
        }
    }
}
