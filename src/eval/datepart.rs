//! Date parts for Sigma's time modifiers (`|minute` .. `|year`): a value read as a date (ISO-8601
//! text or epoch seconds, taken as UTC) and the part of it asked for.

use crate::eval::event::{days_from_civil, parse_time};
use crate::eval::value::Value;
use crate::ir::DatePart;

/// The part of `v` read as a date, or `None` when it is not a date.
pub fn date_part(v: &Value, part: DatePart) -> Option<f64> {
    let secs = parse_time(v)?;
    if !secs.is_finite() || secs.abs() > 1e13 {
        return None;
    }
    let secs = secs.floor() as i64;
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Some(match part {
        DatePart::Minute => (in_day / 60 % 60) as f64,
        DatePart::Hour => (in_day / 3600) as f64,
        DatePart::Day => day as f64,
        DatePart::Month => month as f64,
        DatePart::Year => year as f64,
        DatePart::Week => iso_week(days) as f64,
    })
}

/// Year, month, day of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The ISO-8601 week number (1..53) of a day.
fn iso_week(days: i64) -> i64 {
    let weekday = (days + 3).rem_euclid(7); // Monday = 0; 1970-01-01 was a Thursday
    let thursday = days - weekday + 3;
    let (year, _, _) = civil_from_days(thursday);
    let jan1 = days_from_civil(year, 1, 1);
    (thursday - jan1) / 7 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str, p: DatePart) -> Option<f64> {
        date_part(&Value::str(text), p)
    }

    #[test]
    fn parts_of_an_iso_date() {
        let t = "2024-12-30T23:59:10Z";
        assert_eq!(part(t, DatePart::Year), Some(2024.0));
        assert_eq!(part(t, DatePart::Month), Some(12.0));
        assert_eq!(part(t, DatePart::Day), Some(30.0));
        assert_eq!(part(t, DatePart::Hour), Some(23.0));
        assert_eq!(part(t, DatePart::Minute), Some(59.0));
        assert_eq!(part(t, DatePart::Week), Some(1.0));
        assert_eq!(part("2021-01-03 10:00:00", DatePart::Week), Some(53.0));
        assert_eq!(part("2024-03-01T00:00:00Z", DatePart::Week), Some(9.0));
        assert_eq!(part("not a date", DatePart::Hour), None);
    }
}
