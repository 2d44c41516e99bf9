//! Conversion functions: tostring (hex, commas, duration), tonumber (bases 2-36), printf.

use crate::eval::value::{format_number, parse_number, Value};

use super::map_text;

/// `tostring(x[, "hex"|"commas"|"duration"])`.
pub fn to_string(v: &Value, format: Option<&Value>) -> Value {
    let format = format.map(|f| f.to_text().to_ascii_lowercase());
    let with = |f: fn(f64) -> String| {
        map_text(v, |s| {
            parse_number(s).map_or(Value::Null, |n| Value::str(f(n)))
        })
    };
    match (v, format.as_deref()) {
        (Value::Null, _) => Value::Null,
        (Value::Bool(b), _) => Value::str(if *b { "True" } else { "False" }),
        (_, Some("hex")) => with(|n| format!("0x{:X}", n.trunc() as i64)),
        (_, Some("commas")) => with(commas),
        (_, Some("duration")) => with(duration),
        (Value::Num(n), _) => Value::str(format_number(*n)),
        (other, _) => map_text(other, |s| Value::str(s)),
    }
}

/// `1234567.891` → `1,234,567.89` (rounded to two decimals).
fn commas(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let text = format_number(rounded);
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let grouped = group_thousands(digits);
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `1234567` → `1,234,567`.
fn group_thousands(digits: &str) -> String {
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// Seconds as `[D+]HH:MM:SS[.ffffff]`.
fn duration(secs: f64) -> String {
    let sign = if secs < 0.0 { "-" } else { "" };
    let secs = secs.abs();
    let total = secs.trunc() as i64;
    let (days, rest) = (total / 86_400, total % 86_400);
    let mut out = format!(
        "{sign}{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        out = format!("{sign}{days}+{}", out.trim_start_matches('-'));
    }
    let micros = ((secs - secs.trunc()) * 1e6).round() as i64;
    if micros > 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    out
}

/// `tonumber(s[, base])`: null when the text is not a number in that base; `0x` marks hex.
pub fn to_number(v: &Value, base: Option<&Value>) -> Value {
    let base = match base.map(Value::as_num) {
        None => 10,
        Some(Some(b)) if (2.0..=36.0).contains(&b) && b.fract() == 0.0 => b as u32,
        Some(_) => return Value::Null,
    };
    if let Value::Num(n) = v {
        if base == 10 {
            return Value::Num(*n);
        }
    }
    if matches!(v, Value::Bool(_)) {
        return Value::Null;
    }
    map_text(v, |s| {
        let t = s.trim();
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let hex = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X"));
        let parsed = match (base, hex) {
            (10 | 16, Some(digits)) => u64::from_str_radix(digits, 16).ok().map(|n| n as f64),
            (10, None) => parse_number(body),
            (b, _) => u64::from_str_radix(body, b).ok().map(|n| n as f64),
        };
        match parsed {
            Some(n) if negative => Value::Num(-n),
            Some(n) => Value::Num(n),
            None => Value::Null,
        }
    })
}

/// One `%` conversion: flags, width, precision and the conversion character.
#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alt: bool,
    group: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// `printf(format, args...)`: C-style `%d %i %u %f %e %g %x %X %o %c %s %%` with flags
/// `- + space 0 # '`, width and precision (`*` reads them from the arguments).
pub fn printf(format: &Value, args: &[Value]) -> Value {
    if format.is_null() {
        return Value::Null;
    }
    let fmt = format.to_text();
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.alt = true,
                '\'' => spec.group = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = count(&mut chars, &mut next);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(count(&mut chars, &mut next).unwrap_or(0));
        }
        while chars
            .peek()
            .is_some_and(|c| matches!(c, 'l' | 'h' | 'q' | 'L'))
        {
            chars.next();
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(conv) => out.push_str(&convert(conv, &spec, next.next())),
            None => out.push('%'),
        }
    }
    Value::str(out)
}

/// A width or precision: digits, or `*` taken from the next argument.
fn count<'a>(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    args: &mut impl Iterator<Item = &'a Value>,
) -> Option<usize> {
    if chars.peek() == Some(&'*') {
        chars.next();
        return args
            .next()
            .and_then(Value::as_num)
            .map(|n| n.max(0.0) as usize);
    }
    let mut digits = String::new();
    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
        digits.push(*d);
        chars.next();
    }
    digits.parse().ok()
}

fn convert(conv: char, spec: &Spec, arg: Option<&Value>) -> String {
    let num = arg.and_then(Value::as_num).unwrap_or(0.0);
    let (sign, body) = match conv {
        'd' | 'i' | 'u' => {
            let digits = format!("{}", num.trunc().abs() as u64);
            let digits = if spec.group {
                group_thousands(&digits)
            } else {
                digits
            };
            (sign_of(num, spec), digits)
        }
        'f' | 'F' => {
            let text = format!("{:.*}", spec.precision.unwrap_or(6), num.abs());
            let text = match (spec.group, text.split_once('.')) {
                (true, Some((i, f))) => format!("{}.{f}", group_thousands(i)),
                (true, None) => group_thousands(&text),
                (false, _) => text,
            };
            (sign_of(num, spec), text)
        }
        'e' | 'E' => {
            let text = exponent(num.abs(), spec.precision.unwrap_or(6));
            (sign_of(num, spec), cased(conv, text))
        }
        'g' | 'G' => (
            sign_of(num, spec),
            cased(
                conv,
                general(num.abs(), spec.precision.unwrap_or(6), spec.alt),
            ),
        ),
        'x' | 'X' | 'o' => {
            let n = num.trunc() as i64;
            let text = match conv {
                'o' if spec.alt => format!("0{n:o}"),
                'o' => format!("{n:o}"),
                _ if spec.alt => format!("0x{n:x}"),
                _ => format!("{n:x}"),
            };
            (String::new(), cased(conv, text))
        }
        'c' => {
            let text = match arg {
                Some(Value::Num(n)) => char::from_u32(*n as u32)
                    .map(String::from)
                    .unwrap_or_default(),
                Some(v) => v
                    .to_text()
                    .chars()
                    .next()
                    .map(String::from)
                    .unwrap_or_default(),
                None => String::new(),
            };
            (String::new(), text)
        }
        's' => {
            let text = arg.map(Value::to_text).unwrap_or_default();
            let text = match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            (String::new(), text)
        }
        other => (String::new(), format!("%{other}")),
    };
    pad(spec, &sign, &body, !matches!(conv, 'c' | 's'))
}

fn sign_of(n: f64, spec: &Spec) -> String {
    match (n < 0.0, spec.plus, spec.space) {
        (true, _, _) => "-".into(),
        (false, true, _) => "+".into(),
        (false, false, true) => " ".into(),
        _ => String::new(),
    }
}

fn cased(conv: char, text: String) -> String {
    if conv.is_ascii_uppercase() {
        text.to_uppercase()
    } else {
        text
    }
}

/// `1.500000e+03`: C's `%e`.
fn exponent(n: f64, precision: usize) -> String {
    let text = format!("{n:.precision$e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

/// C's `%g`: `%e` or `%f` by the exponent, trailing zeros removed unless `#`.
fn general(n: f64, precision: usize, alt: bool) -> String {
    let p = precision.max(1);
    let exp = if n == 0.0 {
        0
    } else {
        n.log10().floor() as i32
    };
    let text = if exp < -4 || exp >= p as i32 {
        exponent(n, p - 1)
    } else {
        format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, n)
    };
    if alt {
        return text;
    }
    match text.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
        }
        None if text.contains('.') => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        _ => text,
    }
}

/// Applies the width: spaces on the left (or right with `-`), or zeros after the sign with `0`.
fn pad(spec: &Spec, sign: &str, body: &str, numeric: bool) -> String {
    let len = sign.chars().count() + body.chars().count();
    let fill = spec.width.unwrap_or(0).saturating_sub(len);
    if spec.left {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}
