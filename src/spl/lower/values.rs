//! Option values with a small syntax of their own: time spans (`5m`, `1mon`, `2log10`) and sed
//! expressions (`s/re/repl/g`, `y/abc/xyz/`).

use crate::eval::compile::regex;
use crate::ir::{BinSpan, RexKind};

/// `span = number [ time_unit ] | [ number ] "log" [ number ]`
pub fn parse_span(text: &str) -> Option<BinSpan> {
    let text = text.trim();
    if let Some(at) = text.find("log") {
        let coefficient = if at == 0 {
            1.0
        } else {
            text[..at].parse().ok()?
        };
        let rest = &text[at + 3..];
        let base = if rest.is_empty() {
            10.0
        } else {
            rest.parse().ok()?
        };
        return (base > 1.0 && coefficient > 0.0).then_some(BinSpan::Log { coefficient, base });
    }
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let n: f64 = if digits == 0 {
        1.0
    } else {
        text[..digits].parse().ok()?
    };
    if n <= 0.0 {
        return None;
    }
    let unit = text[digits..].to_ascii_lowercase();
    let seconds = match unit.as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        "ms" => 0.001,
        "mon" | "month" | "months" => return Some(BinSpan::Months(n as u32)),
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => {
            return Some(BinSpan::Months((n as u32).saturating_mul(3)))
        }
        "y" | "yr" | "yrs" | "year" | "years" => {
            return Some(BinSpan::Months((n as u32).saturating_mul(12)))
        }
        _ => return None,
    };
    if digits == 0 && unit.is_empty() {
        return None;
    }
    Some(BinSpan::Fixed(n * seconds))
}

/// `s/regex/replacement/flags` or `y/from/to/`, any delimiter after `s`/`y`.
pub fn sed_expression(text: &str) -> Result<RexKind, String> {
    let mut chars = text.chars();
    let command = chars.next();
    let Some(delim) = chars.next() else {
        return Err(format!("`{text}` is not a sed expression"));
    };
    let parts = split_unescaped(chars.as_str(), delim);
    match (command, parts.as_slice()) {
        (Some('s'), [pattern, replacement, flags]) => {
            regex(pattern).map_err(|d| d.message)?;
            let global = flags.contains('g');
            let nth: u64 = flags
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(1);
            let pattern = if flags.contains('i') {
                format!("(?i){pattern}")
            } else {
                pattern.clone()
            };
            Ok(RexKind::Replace {
                pattern,
                replacement: sed_replacement(replacement),
                global,
                nth: nth.max(1),
            })
        }
        (Some('y'), [from, to, _]) => {
            let (from, to): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
            if from.len() != to.len() {
                return Err(
                    "`y/from/to/` needs the same number of characters on each side".to_string(),
                );
            }
            Ok(RexKind::Translate { from, to })
        }
        _ => Err(format!("`{text}` is not a sed expression")),
    }
}

/// Splits at `delim` not preceded by a backslash; `\delim` becomes `delim`.
fn split_unescaped(text: &str, delim: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&delim) => {
                if let Some(p) = parts.last_mut() {
                    p.push(delim);
                }
                chars.next();
            }
            '\\' => {
                if let Some(p) = parts.last_mut() {
                    p.push('\\');
                    if let Some(n) = chars.next() {
                        p.push(n);
                    }
                }
            }
            c if c == delim => parts.push(String::new()),
            c => {
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
        }
    }
    parts
}

/// A sed replacement in the `regex` crate's syntax: `\1` → `${1}`, `$` literal.
fn sed_replacement(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => out.push_str(&format!("${{{d}}}")),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(parse_span("1h"), Some(BinSpan::Fixed(3600.0)));
        assert_eq!(parse_span("5m"), Some(BinSpan::Fixed(300.0)));
        assert_eq!(parse_span("10"), Some(BinSpan::Fixed(10.0)));
        assert_eq!(parse_span("1d"), Some(BinSpan::Fixed(86_400.0)));
        assert_eq!(parse_span("2mon"), Some(BinSpan::Months(2)));
        assert_eq!(
            parse_span("2log10"),
            Some(BinSpan::Log {
                coefficient: 2.0,
                base: 10.0
            })
        );
        assert_eq!(parse_span("1x"), None);
        assert_eq!(parse_span("h"), Some(BinSpan::Fixed(3600.0)));
    }

    #[test]
    fn sed() {
        assert_eq!(
            sed_expression(r"s/(\d+)-x/\1\/y/g"),
            Ok(RexKind::Replace {
                pattern: r"(\d+)-x".to_string(),
                replacement: "${1}/y".to_string(),
                global: true,
                nth: 1
            })
        );
        assert!(sed_expression("s/a/b").is_err());
    }
}
