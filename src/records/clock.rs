//! Wall-clock times as stored (milliseconds since the Unix epoch, UTC) and as people and xAPI
//! read them (ISO 8601). Civil dates use the days-from-civil algorithm, so no time zone database
//! is needed; every time shown is UTC and says so.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

pub const DAY_MS: Millis = 86_400_000;

pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// Days since the epoch of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since the epoch: (year, month 1..=12, day 1..=31).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A due date as a rep reads it: `Friday 4 December` (UTC), with the year when it is not the
/// year of `now`.
pub fn due_date(ms: Millis, now: Millis) -> String {
    const WEEKDAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
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
    let days = ms.div_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    let (this_year, _, _) = civil_from_days(now.div_euclid(DAY_MS));
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(m as usize).clamp(1, 12) - 1];
    if y == this_year {
        format!("{weekday} {d} {month}")
    } else {
        format!("{weekday} {d} {month} {y}")
    }
}

/// `2026-11-22T14:05:09.250Z`: what xAPI timestamps and exports use.
pub fn iso8601(ms: Millis) -> String {
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// `2026-11-22 14:05`: what tables show (UTC).
pub fn short(ms: Millis) -> String {
    let full = iso8601(ms);
    format!("{} {}", &full[..10], &full[11..16])
}

/// `2026-11-22`.
pub fn date(ms: Millis) -> String {
    iso8601(ms)[..10].to_string()
}

/// Reads `2026-11-22`, `2026-11-22T14:05`, `2026-11-22T14:05:09` or `2026-11-22T14:05:09.5Z`
/// (UTC), or a time with an offset as an LRS writes it (`2026-11-22T16:05:09.123456+02:00`),
/// into milliseconds; the message says what was expected.
pub fn parse(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    // An offset after a time (`+02:00`, `-05:00`): read the time, then bring it to UTC.
    if let Some(split) = text.len().checked_sub(6)
        && text.contains('T')
        && text.is_char_boundary(split)
    {
        let (time, offset) = text.split_at(split);
        let sign = match offset.as_bytes()[0] {
            b'+' => Some(1),
            b'-' => Some(-1),
            _ => None,
        };
        if let (Some(sign), Some((hours, minutes))) = (sign, offset[1..].split_once(':'))
            && let (Ok(hours), Ok(minutes)) = (hours.parse::<i64>(), minutes.parse::<i64>())
        {
            return parse_utc(time).map(|ms| ms - sign * (hours * 60 + minutes) * 60_000);
        }
    }
    parse_utc(text)
}

fn parse_utc(text: &str) -> Result<Millis, String> {
    let expected = || {
        format!(
            "`{text}` is not a date; expected YYYY-MM-DD, optionally followed by THH:MM[:SS] (UTC)"
        )
    };
    let text = text.trim();
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time.trim_end_matches('Z'))),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let number = |part: Option<&str>, digits: usize| {
        part.filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i64>().ok())
    };
    let (Some(year), Some(month), Some(day), None) = (
        number(parts.next(), 4),
        number(parts.next(), 2),
        number(parts.next(), 2),
        parts.next(),
    ) else {
        return Err(expected());
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return Err(expected()),
    };
    if !(1..=days_in_month).contains(&day) {
        return Err(expected());
    }
    let mut ms = days_from_civil(year, month as u32, day as u32) * DAY_MS;
    if let Some(time) = time {
        let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut parts = hms.split(':');
        let (Some(h), Some(mi)) = (number(parts.next(), 2), number(parts.next(), 2)) else {
            return Err(expected());
        };
        let s = match parts.next() {
            Some(s) => number(Some(s), 2).ok_or_else(expected)?,
            None => 0,
        };
        if h > 23 || mi > 59 || s > 60 || parts.next().is_some() {
            return Err(expected());
        }
        let milli = if fraction.is_empty() {
            0
        } else if fraction.bytes().all(|b| b.is_ascii_digit()) {
            format!("{fraction:0<3}")[..3].parse::<i64>().unwrap_or(0)
        } else {
            return Err(expected());
        };
        ms += h * 3_600_000 + mi * 60_000 + s * 1000 + milli;
    }
    Ok(ms)
}

/// An xAPI duration: `PT4M12.5S`, `PT1H0M3S`, `PT0S`.
pub fn iso_duration(ms: Millis) -> String {
    let ms = ms.max(0);
    let (hours, minutes) = (ms / 3_600_000, ms / 60_000 % 60);
    let seconds = ms % 60_000;
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    if seconds % 1000 == 0 {
        out.push_str(&format!("{}S", seconds / 1000));
    } else {
        let text = format!("{}.{:03}", seconds / 1000, seconds % 1000);
        out.push_str(text.trim_end_matches('0'));
        out.push('S');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_date_reads_as_a_weekday() {
        let friday = parse("2026-12-04T23:59:59").unwrap();
        let now = parse("2026-12-01").unwrap();
        assert_eq!(due_date(friday, now), "Friday 4 December");
        assert_eq!(
            due_date(parse("2027-01-04").unwrap(), now),
            "Monday 4 January 2027"
        );
        assert_eq!(due_date(0, 0), "Thursday 1 January");
    }

    #[test]
    fn lrs_times_with_offsets_and_microseconds_are_read() {
        let utc = parse("2026-12-01T15:29:00.123Z").unwrap();
        assert_eq!(parse("2026-12-01T15:29:00.123456+00:00"), Ok(utc));
        assert_eq!(parse("2026-12-01T17:29:00.123+02:00"), Ok(utc));
        assert!(parse("not a time").is_err());
    }

    #[test]
    fn dates_round_trip_across_leap_years_and_the_epoch() {
        for &(text, ms) in &[
            ("1970-01-01T00:00:00.000Z", 0),
            ("2000-02-29T12:00:00.000Z", 951_825_600_000),
            ("2026-11-22T14:05:09.250Z", 1_795_356_309_250),
            ("1969-12-31T23:59:59.999Z", -1),
        ] {
            assert_eq!(iso8601(ms), text);
            assert_eq!(parse(text), Ok(ms), "{text}");
        }
        assert_eq!(parse("2026-11-22"), Ok(1_795_305_600_000));
        assert_eq!(parse("2026-11-22T14:05"), Ok(1_795_356_300_000));
    }

    #[test]
    fn impossible_dates_are_refused_with_the_expected_form() {
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "22/11/2026",
            "2026-11-22T25:00",
            "",
        ] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains("YYYY-MM-DD"), "{bad}: {error}");
        }
        assert!(parse("2024-02-29").is_ok());
    }

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(iso_duration(252_500), "PT4M12.5S");
        assert_eq!(iso_duration(3_603_000), "PT1H0M3S");
        assert_eq!(iso_duration(1_001), "PT1.001S");
    }
}
