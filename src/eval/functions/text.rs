//! Text functions: len, lower, upper, trim family, substr, split, urldecode, replace, and the
//! regex/pattern functions match, like and mvfind; commands.

use crate::eval::compile::{like_regex, regex, CExpr};
use crate::eval::event::Record;
use crate::eval::expr::eval;
use crate::eval::value::Value;
use crate::ir::Func;
use regex::Regex;

use super::map_text;

/// `match`, `like`, `replace`, `mvfind`: the regex is built from the argument when it was not a literal.
pub fn pattern_call(func: Func, args: &[CExpr], pre: Option<&Regex>, record: &Record) -> Value {
    let [text, pattern, ..] = args else {
        return Value::Null;
    };
    let (text, pattern) = (eval(text, record), eval(pattern, record));
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
            map_text(&text, |s| {
                Value::str(re.replace_all(s, template.as_str()).into_owned())
            })
        }
        Func::MvFind => text
            .values()
            .iter()
            .position(|v| re.is_match(&v.to_text()))
            .map_or(Value::Null, |i| Value::Num(i as f64)),
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

/// lower, upper, len, urldecode: applied to each value.
pub fn simple(func: Func, v: &Value) -> Value {
    map_text(v, |s| match func {
        Func::Lower => Value::str(s.to_lowercase()),
        Func::Upper => Value::str(s.to_uppercase()),
        Func::Len => Value::Num(s.chars().count() as f64),
        _ => Value::str(urldecode(s)),
    })
}

/// `trim(s[, chars])` and its left/right forms; the default set is space and tab.
pub fn trim(func: Func, v: &Value, chars: Option<&Value>) -> Value {
    if chars.is_some_and(Value::is_null) {
        return Value::Null;
    }
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
pub fn substr(s: &Value, start: &Value, length: Option<&Value>) -> Value {
    let Some(start) = start.as_num() else {
        return Value::Null;
    };
    let length = match length.map(Value::as_num) {
        None => None,
        Some(Some(n)) => Some(n.max(0.0) as usize),
        Some(None) => return Value::Null,
    };
    map_text(s, |text| {
        let n = text.chars().count() as i64;
        let begin = match start as i64 {
            s if s > 0 => s - 1,
            0 => 0,
            s => n.saturating_add(s).max(0),
        }
        .min(n) as usize;
        let taken = text.chars().skip(begin).take(length.unwrap_or(usize::MAX));
        Value::str(taken.collect::<String>())
    })
}

/// `split(s, delim)`: a multivalue of the parts; an empty delimiter splits into characters.
pub fn split(v: &Value, delim: &Value) -> Value {
    if v.is_null() || delim.is_null() {
        return Value::Null;
    }
    let d = delim.to_text();
    let parts: Vec<Value> = v
        .values()
        .iter()
        .flat_map(|item| {
            let text = item.to_text();
            if d.is_empty() {
                text.chars().map(|c| Value::str(c.to_string())).collect()
            } else {
                text.split(d.as_str()).map(Value::str).collect::<Vec<_>>()
            }
        })
        .collect();
    Value::from_values(parts)
}

/// Decodes `%XX` escapes and `+` (space); invalid escapes stay as written.
fn urldecode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let decoded = match (
            byte,
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
                out.push(if byte == b'+' { b' ' } else { byte });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `commands("search foo | stats count")`: the command names of a search string, in order.
pub fn commands(v: &Value) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    let text = v.to_text();
    let names = top_level_pipes(&text)
        .into_iter()
        .enumerate()
        .filter_map(|(n, segment)| {
            let word = segment.split_whitespace().next()?;
            // The first segment is an implicit search unless the string starts with `|`.
            Some(if n == 0 {
                "search".to_string()
            } else {
                word.to_lowercase()
            })
        })
        .map(Value::str)
        .collect();
    Value::from_values(names)
}

/// Splits at `|` outside double quotes and square brackets.
fn top_level_pipes(text: &str) -> Vec<&str> {
    let (mut parts, mut start, mut depth, mut quoted, mut escaped) =
        (Vec::new(), 0, 0i32, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '|' if !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}
