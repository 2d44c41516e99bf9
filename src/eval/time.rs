//! strftime-style formatting and parsing of epoch seconds, in UTC, with Splunk's common `%` codes.
//!
//! Codes: `%Y %y %m %d %e %H %I %k %l %M %S %p %j %b %h %B %a %A %z %:z %Z %s %T %F %D %R %c %x %X
//! %u %w %%`, and sub-seconds `%N` (9 digits) / `%3N` `%6N` `%9N` / `%Q` (3 digits) / `%3Q` `%6Q`.

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
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Times beyond ±30 million years are not formatted (and cannot overflow the calendar arithmetic).
pub const MAX_EPOCH: f64 = 1e15;

/// A broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// nanoseconds
    nanos: i64,
    /// 0 = Sunday
    weekday: i64,
    /// 1-based day of the year
    yday: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of `days_from_civil`).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
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

fn civil(epoch: f64) -> Civil {
    let mut secs = epoch.floor();
    let mut micros = ((epoch - secs) * 1e6).round() as i64;
    if micros >= 1_000_000 {
        secs += 1.0;
        micros -= 1_000_000;
    }
    let nanos = micros * 1000;
    let secs = secs as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
        nanos,
        weekday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
    }
}

/// Formats epoch seconds as UTC text; unknown codes are copied as written.
pub fn strftime(epoch: f64, fmt: &str) -> String {
    if !epoch.is_finite() || epoch.abs() > MAX_EPOCH {
        return String::new();
    }
    let t = civil(epoch);
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut width: Option<usize> = None;
        while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
            width = Some(width.unwrap_or(0) * 10 + d as usize);
            chars.next();
        }
        let colon = chars.peek() == Some(&':');
        if colon {
            chars.next();
        }
        match chars.next() {
            Some(code) => format_code(&t, epoch, code, width, colon, &mut out),
            None => out.push('%'),
        }
    }
    out
}

fn format_code(
    t: &Civil,
    epoch: f64,
    code: char,
    width: Option<usize>,
    colon: bool,
    out: &mut String,
) {
    let hour12 = if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
    let text = match code {
        'Y' => format!("{:04}", t.year),
        'y' => format!("{:02}", t.year.rem_euclid(100)),
        'm' => format!("{:02}", t.month),
        'd' => format!("{:02}", t.day),
        'e' => format!("{:>2}", t.day),
        'H' => format!("{:02}", t.hour),
        'k' => format!("{:>2}", t.hour),
        'I' => format!("{hour12:02}"),
        'l' => format!("{hour12:>2}"),
        'M' => format!("{:02}", t.minute),
        'S' => format!("{:02}", t.second),
        'p' => (if t.hour < 12 { "AM" } else { "PM" }).to_string(),
        'j' => format!("{:03}", t.yday),
        'b' | 'h' => MONTHS[(t.month - 1) as usize][..3].to_string(),
        'B' => MONTHS[(t.month - 1) as usize].to_string(),
        'a' => DAYS[t.weekday as usize][..3].to_string(),
        'A' => DAYS[t.weekday as usize].to_string(),
        'u' => (if t.weekday == 0 { 7 } else { t.weekday }).to_string(),
        'w' => t.weekday.to_string(),
        'z' if colon => "+00:00".to_string(),
        'z' => "+0000".to_string(),
        'Z' => "UTC".to_string(),
        's' => format!("{}", epoch.floor() as i64),
        'N' => subseconds(t.nanos, width.unwrap_or(9)),
        'Q' => subseconds(t.nanos, width.unwrap_or(3)),
        'T' => format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second),
        'F' => format!("{:04}-{:02}-{:02}", t.year, t.month, t.day),
        'D' | 'x' => format!("{:02}/{:02}/{:02}", t.month, t.day, t.year.rem_euclid(100)),
        'R' => format!("{:02}:{:02}", t.hour, t.minute),
        'X' => format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second),
        'c' => format!(
            "{} {} {:>2} {:02}:{:02}:{:02} {:04}",
            &DAYS[t.weekday as usize][..3],
            &MONTHS[(t.month - 1) as usize][..3],
            t.day,
            t.hour,
            t.minute,
            t.second,
            t.year
        ),
        '%' => "%".to_string(),
        other => format!("%{other}"),
    };
    out.push_str(&text);
}

fn subseconds(nanos: i64, width: usize) -> String {
    let digits = format!("{nanos:09}");
    let width = width.clamp(1, 9);
    digits[..width].to_string()
}

/// Fields read by `strptime`; unset ones default to 1970-01-01 00:00:00.
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
    fraction: f64,
    offset: i64,
    epoch: Option<f64>,
}

/// Parses text by a strftime format into epoch seconds (UTC unless the text has a zone);
/// `None` when the text does not match the format.
pub fn strptime(text: &str, fmt: &str) -> Option<f64> {
    let mut p = Parsed::default();
    let mut s = text;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            s = s.trim_start();
            continue;
        }
        if c != '%' {
            s = s.strip_prefix(c)?;
            continue;
        }
        let mut width: Option<usize> = None;
        while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
            width = Some(width.unwrap_or(0) * 10 + d as usize);
            chars.next();
        }
        if chars.peek() == Some(&':') {
            chars.next();
        }
        s = parse_code(&mut p, s, chars.next()?, width)?;
    }
    if let Some(e) = p.epoch {
        return Some(e);
    }
    let year = p.year.unwrap_or(1970);
    let hour = match p.pm {
        Some(true) if p.hour < 12 => p.hour + 12,
        Some(false) if p.hour == 12 => 0,
        _ => p.hour,
    };
    let days = match (p.month, p.day, p.yday) {
        (None, None, Some(yd)) => days_from_civil(year, 1, 1) + yd - 1,
        (m, d, _) => {
            let (m, d) = (m.unwrap_or(1), d.unwrap_or(1));
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return None;
            }
            days_from_civil(year, m, d)
        }
    };
    if hour > 23 || p.minute > 59 || p.second > 60 {
        return None;
    }
    let secs = days * 86_400 + hour * 3600 + p.minute * 60 + p.second - p.offset;
    Some(secs as f64 + p.fraction)
}

fn parse_code<'a>(p: &mut Parsed, s: &'a str, code: char, width: Option<usize>) -> Option<&'a str> {
    Some(match code {
        'Y' => take_num(s, 4, |v| p.year = Some(v))?,
        'y' => take_num(s, 2, |v| {
            p.year = Some(if v < 69 { 2000 + v } else { 1900 + v })
        })?,
        'm' => take_num(s, 2, |v| p.month = Some(v))?,
        'd' | 'e' => take_num(s.trim_start(), 2, |v| p.day = Some(v))?,
        'H' | 'k' | 'I' | 'l' => take_num(s.trim_start(), 2, |v| p.hour = v)?,
        'M' => take_num(s, 2, |v| p.minute = v)?,
        'S' => take_num(s, 2, |v| p.second = v)?,
        'j' => take_num(s, 3, |v| p.yday = Some(v))?,
        'p' => {
            let head = s.get(..2)?;
            p.pm = Some(match head.to_ascii_uppercase().as_str() {
                "AM" => false,
                "PM" => true,
                _ => return None,
            });
            &s[2..]
        }
        'b' | 'h' | 'B' => {
            let (rest, m) = take_name(s, &MONTHS)?;
            p.month = Some(m as i64 + 1);
            rest
        }
        'a' | 'A' => take_name(s, &DAYS)?.0,
        'N' | 'Q' => {
            let n = s
                .bytes()
                .take(width.unwrap_or(9))
                .take_while(u8::is_ascii_digit)
                .count();
            if n == 0 {
                return None;
            }
            p.fraction = format!("0.{}", &s[..n]).parse().ok()?;
            &s[n..]
        }
        's' => {
            let n = s
                .bytes()
                .enumerate()
                .take_while(|(i, b)| b.is_ascii_digit() || (*i == 0 && *b == b'-'))
                .count();
            p.epoch = Some(s[..n].parse().ok()?);
            &s[n..]
        }
        'z' | 'Z' => parse_zone(p, s)?,
        'T' => strptime_part(p, s, "%H:%M:%S")?,
        'F' => strptime_part(p, s, "%Y-%m-%d")?,
        'D' | 'x' => strptime_part(p, s, "%m/%d/%y")?,
        'R' => strptime_part(p, s, "%H:%M")?,
        'X' => strptime_part(p, s, "%H:%M:%S")?,
        '%' => s.strip_prefix('%')?,
        _ => return None,
    })
}

/// A composite code (`%T`, `%F`) parsed into the same fields.
fn strptime_part<'a>(p: &mut Parsed, mut s: &'a str, fmt: &str) -> Option<&'a str> {
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            s = parse_code(p, s, chars.next()?, None)?;
        } else {
            s = s.strip_prefix(c)?;
        }
    }
    Some(s)
}

fn take_num(s: &str, max: usize, mut set: impl FnMut(i64)) -> Option<&str> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    set(s[..n].parse().ok()?);
    Some(&s[n..])
}

/// A full or three-letter name from `names`, any case; returns its index.
fn take_name<'a>(s: &'a str, names: &[&str]) -> Option<(&'a str, usize)> {
    for (i, name) in names.iter().enumerate() {
        for candidate in [*name, &name[..3]] {
            if s.len() >= candidate.len()
                && s.is_char_boundary(candidate.len())
                && s[..candidate.len()].eq_ignore_ascii_case(candidate)
            {
                return Some((&s[candidate.len()..], i));
            }
        }
    }
    None
}

/// `Z`, `UTC`, `GMT`, `+0200`, `-05:30`.
fn parse_zone<'a>(p: &mut Parsed, s: &'a str) -> Option<&'a str> {
    for name in ["UTC", "GMT", "Z"] {
        if let Some(rest) = s.strip_prefix(name) {
            p.offset = 0;
            return Some(rest);
        }
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &s[1..];
    let (hh, rest) = (body.get(..2)?, &body[2..]);
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let mm = rest.get(..2)?;
    let h: i64 = hh.parse().ok()?;
    let m: i64 = mm.parse().ok()?;
    p.offset = sign * (h * 3600 + m * 60);
    Some(&rest[2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_common_codes() {
        let t = 1_715_677_953.418;
        assert_eq!(
            strftime(t, "%Y-%m-%dT%H:%M:%S.%3N%z"),
            "2024-05-14T09:12:33.418+0000"
        );
        assert_eq!(strftime(t, "%m/%d/%Y %H:%M:%S"), "05/14/2024 09:12:33");
        assert_eq!(
            strftime(t, "%a %b %e %I:%M %p %j %y"),
            "Tue May 14 09:12 AM 135 24"
        );
        assert_eq!(
            strftime(t, "%A %B %F %T %s %Z"),
            "Tuesday May 2024-05-14 09:12:33 1715677953 UTC"
        );
        assert_eq!(strftime(0.0, "%F %T"), "1970-01-01 00:00:00");
        assert_eq!(strftime(-86_400.0, "%F"), "1969-12-31");
    }

    #[test]
    fn parses_what_it_formats() {
        for fmt in [
            "%Y-%m-%dT%H:%M:%S",
            "%m/%d/%Y %H:%M:%S",
            "%d %b %Y %I:%M:%S %p",
            "%F %T %z",
        ] {
            let text = strftime(1_715_677_953.0, fmt);
            assert_eq!(strptime(&text, fmt), Some(1_715_677_953.0), "{fmt}: {text}");
        }
        assert_eq!(
            strptime("2024-05-14 11:12:33+02:00", "%Y-%m-%d %H:%M:%S%z"),
            Some(1_715_677_953.0)
        );
        assert_eq!(
            strptime("2024-05-14 09:12:33.250", "%Y-%m-%d %H:%M:%S.%3N"),
            Some(1_715_677_953.25)
        );
        assert_eq!(strptime("1715677953", "%s"), Some(1_715_677_953.0));
        assert_eq!(strptime("not a date", "%Y-%m-%d"), None);
        assert_eq!(strptime("2024-13-01", "%Y-%m-%d"), None);
    }
}
