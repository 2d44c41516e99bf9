//! Time for eval and commands, in UTC: `strftime`, `strptime`, `relative_time` (Splunk's
//! relative time syntax with snap-to), `now` and spans such as `7d`.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

const DAY: i64 = 86_400;
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
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

/// The wall clock, epoch seconds with microseconds (eval `time()`).
pub fn wall_clock() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| (d.as_micros() as f64) / 1e6)
}

/// When the search started: the same value for every event of one run (eval `now()`).
pub fn now() -> f64 {
    static START: OnceLock<f64> = OnceLock::new();
    *START.get_or_init(|| wall_clock().trunc())
}

/// Days since 1970-01-01 of a proleptic Gregorian date; `day` may run past the month's end.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + day - 1
}

/// The date of a day number: (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

/// A broken-down UTC time.
struct Tm {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 = Sunday
    weekday: i64,
    /// 0-based day of the year
    yday: i64,
    /// fraction of a second, 0 <= frac < 1
    frac: f64,
}

/// Times beyond ±30 million years are not formatted (and cannot overflow the calendar arithmetic).
pub const MAX_EPOCH: f64 = 1e15;

fn tm(epoch: f64) -> Tm {
    let secs = epoch.floor() as i64;
    let days = secs.div_euclid(DAY);
    let rest = secs.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    Tm {
        year,
        month,
        day,
        hour: rest / 3600,
        minute: rest % 3600 / 60,
        second: rest % 60,
        weekday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1),
        frac: epoch - epoch.floor(),
    }
}

/// ISO 8601 week-based year and week number.
fn iso_week(t: &Tm) -> (i64, i64) {
    let wday = (t.weekday + 6) % 7; // Monday = 0
    let week = (t.yday - wday + 10) / 7;
    let weeks_in = |y: i64| {
        let jan1 = (days_from_civil(y, 1, 1) + 4).rem_euclid(7);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if jan1 == 4 || (leap && jan1 == 3) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        (t.year - 1, weeks_in(t.year - 1))
    } else if week > weeks_in(t.year) {
        (t.year + 1, 1)
    } else {
        (t.year, week)
    }
}

/// Formats epoch seconds (UTC) with C/Splunk `%` variables, incl. `%N`/`%3N`/`%6N`/`%9N`, `%Q`,
/// `%f`, `%s`, `%z`, `%Z`; an unknown variable is written as is.
pub fn strftime(epoch: f64, fmt: &str) -> String {
    if !epoch.is_finite() || epoch.abs() > MAX_EPOCH {
        return String::new();
    }
    let t = tm(epoch);
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut width = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            chars.next();
        }
        let colon = chars.peek() == Some(&':') && {
            chars.next();
            true
        };
        match chars.next() {
            Some(spec) => out.push_str(&format_one(&t, epoch, spec, width.parse().ok(), colon)),
            None => out.push('%'),
        }
    }
    out
}

/// The `n`th weekday or month name (from 0).
fn name_at(names: &[&'static str], n: i64) -> &'static str {
    usize::try_from(n)
        .ok()
        .and_then(|n| names.get(n))
        .copied()
        .unwrap_or("")
}

/// A name's three-letter abbreviation (`Mon`, `Jan`).
fn short(name: &str) -> String {
    name.chars().take(3).collect()
}

fn format_one(t: &Tm, epoch: f64, spec: char, width: Option<usize>, colon: bool) -> String {
    let hour12 = if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
    let subsec = |digits: usize| {
        let scaled = (t.frac * 10f64.powi(digits as i32)).floor() as u64;
        format!("{scaled:0digits$}")
    };
    match spec {
        'a' => short(name_at(&WEEKDAYS, t.weekday)),
        'A' => name_at(&WEEKDAYS, t.weekday).to_string(),
        'b' | 'h' => short(name_at(&MONTHS, t.month - 1)),
        'B' => name_at(&MONTHS, t.month - 1).to_string(),
        'c' => strftime(epoch, "%a %b %e %H:%M:%S %Y"),
        'C' => format!("{:02}", t.year.div_euclid(100)),
        'd' => format!("{:02}", t.day),
        'D' | 'x' => strftime(epoch, "%m/%d/%y"),
        'e' => format!("{:>2}", t.day),
        'F' => strftime(epoch, "%Y-%m-%d"),
        'f' => subsec(6),
        'g' => format!("{:02}", iso_week(t).0.rem_euclid(100)),
        'G' => iso_week(t).0.to_string(),
        'H' => format!("{:02}", t.hour),
        'I' => format!("{hour12:02}"),
        'j' => format!("{:03}", t.yday + 1),
        'k' => format!("{:>2}", t.hour),
        'l' => format!("{hour12:>2}"),
        'm' => format!("{:02}", t.month),
        'M' => format!("{:02}", t.minute),
        'n' => "\n".to_string(),
        'N' => subsec(width.unwrap_or(9).clamp(1, 9)),
        'p' => (if t.hour < 12 { "AM" } else { "PM" }).to_string(),
        'Q' => subsec(width.unwrap_or(3).clamp(1, 9)),
        'r' => strftime(epoch, "%I:%M:%S %p"),
        'R' => strftime(epoch, "%H:%M"),
        's' => (epoch.floor() as i64).to_string(),
        'S' => format!("{:02}", t.second),
        't' => "\t".to_string(),
        'T' | 'X' => strftime(epoch, "%H:%M:%S"),
        'u' => (if t.weekday == 0 { 7 } else { t.weekday }).to_string(),
        'U' => format!("{:02}", (t.yday + 7 - t.weekday) / 7),
        'V' => format!("{:02}", iso_week(t).1),
        'w' => t.weekday.to_string(),
        'W' => format!("{:02}", (t.yday + 7 - (t.weekday + 6) % 7) / 7),
        'y' => format!("{:02}", t.year.rem_euclid(100)),
        'Y' => t.year.to_string(),
        'z' if colon => "+00:00".to_string(),
        'z' => "+0000".to_string(),
        'Z' => "UTC".to_string(),
        '+' => strftime(epoch, "%a %b %e %H:%M:%S %Z %Y"),
        '%' => "%".to_string(),
        other => format!("%{other}"),
    }
}

/// Fields read by `strptime`.
#[derive(Default)]
struct Parsed {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    yday: Option<i64>,
    hour: i64,
    minute: i64,
    second: i64,
    pm: Option<bool>,
    frac: f64,
    offset: i64,
    epoch: Option<f64>,
}

/// Parses `text` with a `%` format into epoch seconds (UTC unless the text has `%z`); null when
/// the text does not match. Text after the format's end is ignored.
pub fn strptime(text: &str, fmt: &str) -> Option<f64> {
    let mut p = Parsed::default();
    let rest = parse_with(text, fmt, &mut p)?;
    let _ = rest;
    if let Some(e) = p.epoch {
        return Some(e);
    }
    let hour = match p.pm {
        Some(true) if p.hour < 12 => p.hour + 12,
        Some(false) if p.hour == 12 => 0,
        _ => p.hour,
    };
    let year = p.year.unwrap_or(1970);
    let days = match (p.yday, p.month) {
        (Some(yd), None) => days_from_civil(year, 1, 1) + yd - 1,
        _ => days_from_civil(year, p.month.unwrap_or(1), p.day.unwrap_or(1)),
    };
    let secs = days * DAY + hour * 3600 + p.minute * 60 + p.second - p.offset;
    Some(secs as f64 + p.frac)
}

/// Consumes `text` by `fmt`, filling `p`; returns the unread rest.
fn parse_with<'t>(mut text: &'t str, fmt: &str, p: &mut Parsed) -> Option<&'t str> {
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            text = text.trim_start();
            continue;
        }
        if c != '%' {
            text = text.strip_prefix(c)?;
            continue;
        }
        let mut width = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            chars.next();
        }
        if chars.peek() == Some(&':') {
            chars.next();
        }
        let spec = chars.next()?;
        text = parse_one(text, spec, width.parse().ok(), p)?;
    }
    Some(text)
}

/// Reads up to `max` digits (with an optional sign when `signed`).
fn digits(text: &str, max: usize, signed: bool) -> Option<(i64, &str)> {
    let text = if max > 2 {
        text
    } else {
        text.trim_start_matches(' ')
    };
    let sign_len = usize::from(signed && text.starts_with(['-', '+']));
    let n = text[sign_len..]
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    if n == 0 {
        return None;
    }
    let (num, rest) = text.split_at(sign_len + n);
    Some((num.parse().ok()?, rest))
}

/// Matches a month or weekday name (full or three-letter), case-insensitive.
fn name(text: &str, names: &[&str]) -> Option<(i64, usize)> {
    let lower = text.to_ascii_lowercase();
    names.iter().enumerate().find_map(|(i, n)| {
        let n = n.to_ascii_lowercase();
        if lower.starts_with(&n) {
            Some((i as i64, n.len()))
        } else if lower.starts_with(&n[..3]) {
            Some((i as i64, 3))
        } else {
            None
        }
    })
}

fn parse_one<'t>(
    text: &'t str,
    spec: char,
    width: Option<usize>,
    p: &mut Parsed,
) -> Option<&'t str> {
    let num = |max: usize, slot: &mut i64| -> Option<&'t str> {
        let (n, rest) = digits(text, max, false)?;
        *slot = n;
        Some(rest)
    };
    let mut value = 0;
    let rest = match spec {
        'Y' => {
            let (n, rest) = digits(text, 4, true)?;
            p.year = Some(n);
            return Some(rest);
        }
        'y' => {
            let rest = num(2, &mut value)?;
            p.year = Some(if value < 69 {
                2000 + value
            } else {
                1900 + value
            });
            return Some(rest);
        }
        'm' => {
            let rest = num(2, &mut value)?;
            p.month = Some(value).filter(|m| (1..=12).contains(m));
            p.month?;
            return Some(rest);
        }
        'd' | 'e' => {
            let rest = num(2, &mut value)?;
            p.day = Some(value).filter(|d| (1..=31).contains(d));
            p.day?;
            return Some(rest);
        }
        'j' => {
            let rest = num(3, &mut value)?;
            p.yday = Some(value);
            return Some(rest);
        }
        'H' | 'k' => num(2, &mut p.hour)?,
        'I' | 'l' => num(2, &mut p.hour)?,
        'M' => num(2, &mut p.minute)?,
        'S' => num(2, &mut p.second)?,
        'p' => {
            let upper = text.get(..2)?.to_ascii_uppercase();
            p.pm = Some(match upper.as_str() {
                "AM" => false,
                "PM" => true,
                _ => return None,
            });
            &text[2..]
        }
        'b' | 'B' | 'h' => {
            let (m, len) = name(text, &MONTHS)?;
            p.month = Some(m + 1);
            &text[len..]
        }
        'a' | 'A' => {
            let (_, len) = name(text, &WEEKDAYS)?;
            &text[len..]
        }
        'N' | 'Q' | 'f' => {
            let max = width.unwrap_or(match spec {
                'Q' => 3,
                'f' => 6,
                _ => 9,
            });
            let n = text
                .bytes()
                .take(max)
                .take_while(u8::is_ascii_digit)
                .count();
            if n == 0 {
                return None;
            }
            p.frac = format!("0.{}", &text[..n]).parse().ok()?;
            &text[n..]
        }
        's' => {
            let (n, rest) = digits(text, 12, true)?;
            p.epoch = Some(n as f64);
            rest
        }
        'z' => return parse_offset(text, p),
        'Z' => {
            let n = text.bytes().take_while(u8::is_ascii_alphabetic).count();
            if n == 0 {
                return parse_offset(text, p);
            }
            &text[n..]
        }
        'T' => parse_with(text, "%H:%M:%S", p)?,
        'D' => parse_with(text, "%m/%d/%y", p)?,
        'F' => parse_with(text, "%Y-%m-%d", p)?,
        'R' => parse_with(text, "%H:%M", p)?,
        'c' => parse_with(text, "%a %b %d %H:%M:%S %Y", p)?,
        '%' => text.strip_prefix('%')?,
        _ => return None,
    };
    Some(rest)
}

/// `Z`, `+hhmm`, `+hh:mm` or `+hh`.
fn parse_offset<'t>(text: &'t str, p: &mut Parsed) -> Option<&'t str> {
    if let Some(rest) = text.strip_prefix(['Z', 'z']) {
        p.offset = 0;
        return Some(rest);
    }
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    let (hours, rest) = digits(body, 2, false)?;
    let rest_trim = rest.strip_prefix(':').unwrap_or(rest);
    let (minutes, rest) = digits(rest_trim, 2, false).unwrap_or((0, rest));
    p.offset = sign * (hours * 3600 + minutes * 60);
    Some(rest)
}

/// A unit of relative time or span.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

fn unit(text: &str) -> Option<Unit> {
    Some(match text.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Second,
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Hour,
        "d" | "day" | "days" => Unit::Day,
        "w" | "week" | "weeks" => Unit::Week,
        "mon" | "month" | "months" => Unit::Month,
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => Unit::Quarter,
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Year,
        _ => return None,
    })
}

/// A span such as `7d`, `30m`, `1h` in seconds (months and longer are not fixed: none).
pub fn span_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let n: f64 = if split == 0 {
        1.0
    } else {
        text[..split].parse().ok()?
    };
    let secs = match unit(&text[split..])? {
        Unit::Second => 1.0,
        Unit::Minute => 60.0,
        Unit::Hour => 3600.0,
        Unit::Day => 86_400.0,
        Unit::Week => 604_800.0,
        Unit::Month | Unit::Quarter | Unit::Year => return None,
    };
    Some(n * secs)
}

/// Adds `n` units to `epoch`; months, quarters and years move the calendar date.
fn offset(epoch: f64, n: i64, unit: Unit) -> f64 {
    let fixed = |s: i64| epoch + (n * s) as f64;
    let months = |m: i64| {
        let t = tm(epoch);
        let total = t.year * 12 + (t.month - 1) + n * m;
        let days = days_from_civil(total.div_euclid(12), total.rem_euclid(12) + 1, t.day);
        (days * DAY + t.hour * 3600 + t.minute * 60 + t.second) as f64 + t.frac
    };
    match unit {
        Unit::Second => fixed(1),
        Unit::Minute => fixed(60),
        Unit::Hour => fixed(3600),
        Unit::Day => fixed(DAY),
        Unit::Week => fixed(7 * DAY),
        Unit::Month => months(1),
        Unit::Quarter => months(3),
        Unit::Year => months(12),
    }
}

/// Rounds `epoch` down to the start of the unit; `weekday` snaps to the latest such day.
fn snap(epoch: f64, unit: Unit, weekday: Option<i64>) -> f64 {
    let t = tm(epoch);
    let secs = epoch.floor() as i64;
    let day_start = secs - secs.rem_euclid(DAY);
    let at = |days: i64| (days * DAY) as f64;
    match unit {
        Unit::Second => secs as f64,
        Unit::Minute => (secs - secs.rem_euclid(60)) as f64,
        Unit::Hour => (secs - secs.rem_euclid(3600)) as f64,
        Unit::Day => day_start as f64,
        Unit::Week => {
            let back = (t.weekday - weekday.unwrap_or(0)).rem_euclid(7);
            (day_start - back * DAY) as f64
        }
        Unit::Month => at(days_from_civil(t.year, t.month, 1)),
        Unit::Quarter => at(days_from_civil(t.year, (t.month - 1) / 3 * 3 + 1, 1)),
        Unit::Year => at(days_from_civil(t.year, 1, 1)),
    }
}

/// Applies a relative time modifier such as `-1d@d`, `+1h`, `@w1`, `-24h@h+30m` or `now` to
/// epoch seconds (UTC); null for a modifier it cannot read.
pub fn relative_time(epoch: f64, spec: &str) -> Option<f64> {
    let spec = spec.trim();
    if spec.is_empty() || spec.eq_ignore_ascii_case("now") {
        return Some(epoch);
    }
    let mut t = epoch;
    let mut rest = spec;
    while !rest.is_empty() {
        let (token, after) = split_token(rest)?;
        rest = after;
        if let Some(u) = token.strip_prefix('@') {
            let (name, weekday) = match u.strip_prefix(['w', 'W']).map(str::parse::<i64>) {
                Some(Ok(d)) if (0..=7).contains(&d) => ("w", Some(d % 7)),
                _ => (u, None),
            };
            t = snap(t, unit(name)?, weekday);
        } else {
            let sign = if token.starts_with('-') { -1 } else { 1 };
            let body = token.trim_start_matches(['+', '-']);
            let split = body
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(body.len());
            let n: i64 = if split == 0 {
                1
            } else {
                body[..split].parse().ok()?
            };
            t = offset(t, sign * n, unit(&body[split..])?);
        }
    }
    Some(t)
}

/// The next modifier token: `@unit`, or `[+-]Nunit`.
fn split_token(text: &str) -> Option<(&str, &str)> {
    let body_start = usize::from(text.starts_with(['+', '-', '@']));
    if body_start == 0 {
        return None;
    }
    let end = text[body_start..]
        .find(['+', '-', '@'])
        .map_or(text.len(), |i| i + body_start);
    Some((&text[..end], &text[end..]))
}
