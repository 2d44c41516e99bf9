//! The eval function library. Each function follows its Splunk documentation for null and
//! multivalue arguments; `grammar/spl.ebnf` lists them with their status.

use crate::eval::compile::{like_regex, regex, CExpr};
use crate::eval::event::Record;
use crate::eval::expr::{equal, eval, in_network, is_true};
use crate::eval::value::{compare_auto, format_number, parse_number, Value};
use crate::ir::Func;
use regex::Regex;

/// Calls `func`; `pre` is the pattern regex when it was a literal.
pub fn call(func: Func, args: &[CExpr], pre: Option<&Regex>, record: &Record) -> Value {
    let arg = |n: usize| args.get(n).map_or(Value::Null, |a| eval(a, record));
    match func {
        Func::Case => args
            .chunks(2)
            .find(|pair| is_true(&pair[0], record))
            .map_or(Value::Null, |pair| {
                pair.get(1).map_or(Value::Null, |v| eval(v, record))
            }),
        Func::If => {
            if is_true(&args[0], record) {
                arg(1)
            } else {
                arg(2)
            }
        }
        Func::Coalesce => args
            .iter()
            .map(|a| eval(a, record))
            .find(|v| !v.is_null())
            .unwrap_or(Value::Null),
        Func::Validate => args
            .chunks(2)
            .find(|pair| !is_true(&pair[0], record))
            .map_or(Value::Null, |pair| {
                pair.get(1).map_or(Value::Null, |v| eval(v, record))
            }),
        Func::In => {
            let value = arg(0);
            if value.is_null() {
                return Value::Null;
            }
            Value::Bool(args[1..].iter().any(|a| {
                let item = eval(a, record);
                value
                    .values()
                    .iter()
                    .any(|v| item.values().iter().any(|i| equal(v, i)))
            }))
        }
        Func::Match | Func::Like | Func::Replace => {
            pattern_call(func, &arg(0), &arg(1), pre, args, record)
        }
        Func::Null => Value::Null,
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::Pi => Value::Num(std::f64::consts::PI),
        _ => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, record)).collect();
            pure(func, &values)
        }
    }
}

/// `match`, `like`, `replace`: the regex is built from the argument when it was not a literal.
fn pattern_call(
    func: Func,
    text: &Value,
    pattern: &Value,
    pre: Option<&Regex>,
    args: &[CExpr],
    record: &Record,
) -> Value {
    if text.is_null() || pattern.is_null() {
        return Value::Null;
    }
    let built;
    let re = match pre {
        Some(re) => re,
        None => {
            let p = pattern.to_text();
            built = match func {
                Func::Like => like_regex(&p),
                _ => regex(&p),
            };
            match &built {
                Ok(re) => re,
                Err(_) => return Value::Null,
            }
        }
    };
    match func {
        Func::Replace => {
            let replacement = args.get(2).map_or(Value::Null, |a| eval(a, record));
            if replacement.is_null() {
                return Value::Null;
            }
            let template = splunk_replacement(&replacement.to_text());
            map_text(text, |s| {
                Value::str(re.replace_all(s, template.as_str()).into_owned())
            })
        }
        _ => Value::Bool(text.values().iter().any(|v| re.is_match(&v.to_text()))),
    }
}

/// Splunk writes back-references as `\1`; the regex crate as `${1}`, with `$` literal as `$$`.
fn splunk_replacement(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push_str(&format!("${{{digits}}}"));
            }
            '\\' if chars.peek() == Some(&'\\') => {
                chars.next();
                out.push('\\');
            }
            c => out.push(c),
        }
    }
    out
}

/// Applies a text function to each value of a (multi)value; null stays null.
fn map_text(v: &Value, f: impl Fn(&str) -> Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Multi(items) => Value::Multi(items.iter().map(|i| f(&i.to_text())).collect()),
        single => f(&single.to_text()),
    }
}

fn num(v: &Value, f: impl Fn(f64) -> f64) -> Value {
    match v.as_num().map(f) {
        Some(n) if n.is_finite() => Value::Num(n),
        _ => Value::Null,
    }
}

/// Functions whose result depends only on their evaluated arguments.
fn pure(func: Func, a: &[Value]) -> Value {
    let get = |n: usize| a.get(n).unwrap_or(&Value::Null);
    match func {
        Func::Abs => num(get(0), f64::abs),
        Func::Ceiling => num(get(0), f64::ceil),
        Func::Floor => num(get(0), f64::floor),
        Func::Exp => num(get(0), f64::exp),
        Func::Ln => num(get(0), f64::ln),
        Func::Sqrt => num(get(0), f64::sqrt),
        Func::Log => {
            let base = if a.len() > 1 {
                get(1).as_num()
            } else {
                Some(10.0)
            };
            match (get(0).as_num(), base) {
                (Some(x), Some(b)) => num(&Value::Num(x), |x| x.log(b)),
                _ => Value::Null,
            }
        }
        Func::Pow => match (get(0).as_num(), get(1).as_num()) {
            (Some(x), Some(y)) => num(&Value::Num(x), |x| x.powf(y)),
            _ => Value::Null,
        },
        Func::Round => round(
            get(0),
            if a.len() > 1 {
                get(1).as_num()
            } else {
                Some(0.0)
            },
        ),
        Func::IsNull => Value::Bool(get(0).is_null()),
        Func::IsNotNull => Value::Bool(!get(0).is_null()),
        Func::IsNum => Value::Bool(
            matches!(get(0), Value::Num(_))
                || matches!(get(0), Value::Str(s) if parse_number(s).is_some()),
        ),
        Func::IsInt => Value::Bool(
            get(0).as_num().is_some_and(|n| n.fract() == 0.0) && !matches!(get(0), Value::Multi(_)),
        ),
        Func::IsStr => Value::Bool(matches!(get(0), Value::Str(s) if parse_number(s).is_none())),
        Func::IsBool => Value::Bool(matches!(get(0), Value::Bool(_))),
        Func::TypeOf => Value::str(match get(0) {
            Value::Null => "Invalid",
            Value::Bool(_) => "Boolean",
            Value::Num(_) => "Number",
            Value::Str(s) if parse_number(s).is_some() => "Number",
            Value::Str(_) => "String",
            Value::Multi(_) => "Multivalue",
        }),
        Func::Lower => map_text(get(0), |s| Value::str(s.to_lowercase())),
        Func::Upper => map_text(get(0), |s| Value::str(s.to_uppercase())),
        Func::Len => map_text(get(0), |s| Value::Num(s.chars().count() as f64)),
        Func::Trim | Func::Ltrim | Func::Rtrim => trim(func, get(0), a.get(1)),
        Func::Urldecode => map_text(get(0), |s| Value::str(urldecode(s))),
        Func::Substr => substr(get(0), get(1), a.get(2)),
        Func::ToString => to_string(get(0), a.get(1)),
        Func::ToNumber => to_number(get(0), a.get(1)),
        Func::NullIf => {
            if equal(get(0), get(1)) {
                Value::Null
            } else {
                get(0).clone()
            }
        }
        Func::Min | Func::Max => extreme(func, a),
        Func::MvAppend => Value::from_values(a.iter().flat_map(|v| v.values().to_vec()).collect()),
        Func::MvCount => match get(0) {
            Value::Null => Value::Null,
            v => Value::Num(v.values().len() as f64),
        },
        Func::MvIndex => mvindex(get(0), get(1), a.get(2)),
        Func::MvJoin => match get(0) {
            Value::Null => Value::Null,
            v => Value::str(
                v.values()
                    .iter()
                    .map(Value::to_text)
                    .collect::<Vec<_>>()
                    .join(&get(1).to_text()),
            ),
        },
        Func::Split => split(get(0), get(1)),
        Func::CidrMatch => cidrmatch(get(0), get(1)),
        Func::Case
        | Func::If
        | Func::Coalesce
        | Func::Validate
        | Func::In
        | Func::Match
        | Func::Like
        | Func::Replace
        | Func::Null
        | Func::True
        | Func::False
        | Func::Pi => Value::Null,
    }
}

/// `round(x, n)`: half away from zero, to `n` decimals.
fn round(x: &Value, digits: Option<f64>) -> Value {
    match (x.as_num(), digits) {
        (Some(x), Some(d)) => {
            let factor = 10f64.powi(d.max(0.0) as i32);
            let rounded = (x * factor).round() / factor;
            Value::Num(rounded)
        }
        _ => Value::Null,
    }
}

fn trim(func: Func, v: &Value, chars: Option<&Value>) -> Value {
    let set: Vec<char> = chars.map_or_else(|| vec![' ', '\t'], |c| c.to_text().chars().collect());
    map_text(v, |s| {
        let t = match func {
            Func::Ltrim => s.trim_start_matches(set.as_slice()),
            Func::Rtrim => s.trim_end_matches(set.as_slice()),
            _ => s.trim_matches(set.as_slice()),
        };
        Value::str(t)
    })
}

/// `substr(s, start[, length])`: 1-based; a negative start counts from the end.
fn substr(s: &Value, start: &Value, length: Option<&Value>) -> Value {
    let Some(start) = start.as_num() else {
        return Value::Null;
    };
    let length = match length.map(Value::as_num) {
        None => None,
        Some(Some(n)) => Some(n.max(0.0) as usize),
        Some(None) => return Value::Null,
    };
    map_text(s, |text| {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len() as i64;
        let begin = match start as i64 {
            s if s > 0 => s - 1,
            0 => 0,
            s => (n + s).max(0),
        }
        .min(n) as usize;
        let end = length.map_or(chars.len(), |l| (begin + l).min(chars.len()));
        Value::str(chars[begin..end].iter().collect::<String>())
    })
}

/// `tostring(x[, "hex"|"commas"|"duration"])`.
fn to_string(v: &Value, format: Option<&Value>) -> Value {
    let format = format.map(|f| f.to_text().to_ascii_lowercase());
    match (v, format.as_deref()) {
        (Value::Null, _) => Value::Null,
        (Value::Bool(b), _) => Value::str(b.to_string()),
        (_, Some("hex")) => v
            .as_num()
            .map_or(Value::Null, |n| Value::str(format!("0x{:X}", n as i64))),
        (_, Some("commas")) => v.as_num().map_or(Value::Null, |n| Value::str(commas(n))),
        (_, Some("duration")) => v.as_num().map_or(Value::Null, |n| Value::str(duration(n))),
        (Value::Num(n), _) => Value::str(format_number(*n)),
        (other, _) => map_text(other, |s| Value::str(s)),
    }
}

/// `1234567.891` → `1,234,567.89`.
fn commas(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let text = format_number(rounded);
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Seconds as `[D+]HH:MM:SS`.
fn duration(secs: f64) -> String {
    let total = secs.trunc() as i64;
    let (days, rest) = (total / 86_400, total % 86_400);
    let hms = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}+{hms}")
    } else {
        hms
    }
}

/// `tonumber(s[, base])`: null when the text is not a number in that base.
fn to_number(v: &Value, base: Option<&Value>) -> Value {
    let base = match base.map(Value::as_num) {
        None => 10,
        Some(Some(b)) if (2.0..=36.0).contains(&b) => b as u32,
        Some(_) => return Value::Null,
    };
    map_text(v, |s| {
        let t = s.trim();
        if base == 10 {
            return parse_number(t).map_or(Value::Null, Value::Num);
        }
        let digits = if base == 16 {
            t.trim_start_matches("0x").trim_start_matches("0X")
        } else {
            t
        };
        i64::from_str_radix(digits, base).map_or(Value::Null, |n| Value::Num(n as f64))
    })
}

/// eval `min(...)`/`max(...)`: over every value, numbers before text.
fn extreme(func: Func, a: &[Value]) -> Value {
    let all = a.iter().flat_map(|v| v.values().iter());
    let pick = match func {
        Func::Min => all.min_by(|x, y| compare_auto(x, y)),
        _ => all.max_by(|x, y| compare_auto(x, y)),
    };
    pick.cloned().unwrap_or(Value::Null)
}

/// `mvindex(mv, start[, end])`: 0-based, negative from the end, `end` inclusive.
fn mvindex(v: &Value, start: &Value, end: Option<&Value>) -> Value {
    let items = v.values();
    let n = items.len() as i64;
    let resolve = |i: f64| if i < 0.0 { n + i as i64 } else { i as i64 };
    let Some(s) = start.as_num().map(resolve) else {
        return Value::Null;
    };
    let e = match end.map(Value::as_num) {
        None => s,
        Some(Some(e)) => resolve(e).min(n - 1),
        Some(None) => return Value::Null,
    };
    if s < 0 || s >= n || e < s {
        return Value::Null;
    }
    Value::from_values(items[s as usize..=e as usize].to_vec())
}

fn split(v: &Value, delim: &Value) -> Value {
    if v.is_null() || delim.is_null() {
        return Value::Null;
    }
    let d = delim.to_text();
    let text = v.to_text();
    let parts: Vec<Value> = if d.is_empty() {
        text.chars().map(|c| Value::str(c.to_string())).collect()
    } else {
        text.split(d.as_str()).map(Value::str).collect()
    };
    Value::from_values(parts)
}

fn cidrmatch(cidr: &Value, ip: &Value) -> Value {
    let text = cidr.to_text();
    let (net, bits) = text.split_once('/').unwrap_or((&text, "32"));
    match (net.parse(), bits.parse::<u8>()) {
        (Ok(net), Ok(bits)) => Value::Bool(ip.values().iter().any(|v| {
            v.to_text()
                .parse()
                .is_ok_and(|ip| in_network(ip, net, bits))
        })),
        _ => Value::Bool(false),
    }
}

fn urldecode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => Some((hi * 16 + lo) as u8),
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
