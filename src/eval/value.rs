//! Run-time values with Splunk semantics: every field value is text that may read as a number.

use std::cmp::Ordering;
use std::fmt;

mod text;
pub use text::Text;

/// A field or expression value. `Bool` exists only inside eval conditions; fields never hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(Text),
    Multi(Vec<Value>),
}

impl Value {
    pub fn str(s: impl Into<Text>) -> Value {
        Value::Str(s.into())
    }

    /// A value from text, as a number when the text is exactly a number's canonical form
    /// (`25` → 25, but `025` and `1.50` stay text so they print as they came).
    pub fn from_text(s: &str) -> Value {
        match parse_number(s) {
            Some(n) if format_number(n) == s => Value::Num(n),
            _ => Value::str(s),
        }
    }

    /// Several values as one: none is null, one is itself, more is multivalue.
    pub fn from_values(mut values: Vec<Value>) -> Value {
        match values.len() {
            0 => Value::Null,
            1 => values.swap_remove(0),
            _ => Value::Multi(values),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a number, if it is one or is text that reads as one.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Str(s) => parse_number(s),
            Value::Null | Value::Bool(_) | Value::Multi(_) => None,
        }
    }

    /// The value as text, borrowed when it already is text (no allocation on the hot paths).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Str(s) => std::borrow::Cow::Borrowed(s),
            other => std::borrow::Cow::Owned(other.to_text()),
        }
    }

    /// The value as text (multivalue joined by newlines, as Splunk tables show it).
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => format_number(*n),
            Value::Str(s) => s.to_string(),
            Value::Multi(items) => items
                .iter()
                .map(Value::to_text)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The single values: a multivalue's items, a single value, or nothing for null.
    pub fn values(&self) -> &[Value] {
        match self {
            Value::Null => &[],
            Value::Multi(items) => items,
            single => std::slice::from_ref(single),
        }
    }

    /// Eval truth: only a true boolean is true; null and everything else are not.
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// The value as JSON ([`Value`]'s `Serialize`, built as a tree).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The value as JSON: numbers stay numbers (whole ones below 2^53 as integers; those that are not
/// finite as their text), booleans are the text `true`/`false`, multivalues become arrays. Output
/// writes rows through this straight, without a `serde_json::Value` first.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_str(if *b { "true" } else { "false" }),
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => {
                s.serialize_i64(*n as i64)
            }
            Value::Num(n) if n.is_finite() => s.serialize_f64(*n),
            Value::Num(n) => s.serialize_str(&format_number(*n)),
            Value::Str(text) => s.serialize_str(text),
            Value::Multi(items) => s.collect_seq(items),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Reads decimal text as a number: `[+-]digits[.digits][e[+-]digits]`, or `.5`; nothing else
/// (no `inf`, `nan`, hex or surrounding spaces).
pub fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let digits_from = |at: usize| b.iter().skip(at).take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = digits_from(i);
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits = digits_from(i + 1);
        i += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let exp = digits_from(i + 1 + sign);
        if exp == 0 {
            return None;
        }
        i += 1 + sign + exp;
    }
    if i != b.len() {
        return None;
    }
    short_decimal(s).or_else(|| s.parse().ok())
}

/// A number written `[+-]digits[.digits]` with at most 15 digits in all (epoch times with
/// milliseconds, most measurements), read without the general parser: the digits are an
/// integer below 2^53 and the power of ten is exact, so one division gives the correctly
/// rounded value, as `str::parse` does (Clinger's fast path). `None` for anything else.
pub fn short_decimal(s: &str) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let count = int.len() + frac.len();
    if count == 0 || count > 15 {
        return None;
    }
    let mut digits = 0u64;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        digits = digits * 10 + u64::from(b - b'0');
    }
    let value = digits as f64 / POWERS.get(frac.len())?;
    Some(if negative { -value } else { value })
}

/// Prints a number as Splunk does: integers without a decimal point, others in shortest form.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        integer_text(n as i64)
    } else if n.is_nan() {
        "nan".to_string()
    } else {
        format!("{n}")
    }
}

/// The decimal digits of an integer, without the formatting machinery (numbers become text on
/// every comparison and stats key).
fn integer_text(i: i64) -> String {
    with_integer_text(i, str::to_string)
}

/// Calls `f` with the decimal digits of `i`, written on the stack.
pub fn with_integer_text<R>(i: i64, f: impl FnOnce(&str) -> R) -> R {
    // Digits from the last place back; the sign, if any, before them.
    let mut buf = [0u8; 24];
    let mut at = buf.len();
    let mut rest = i.unsigned_abs();
    for slot in buf.iter_mut().rev() {
        if rest == 0 && at < 24 {
            if i < 0 {
                *slot = b'-';
                at -= 1;
            }
            break;
        }
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        at -= 1;
    }
    match buf.get(at..).map(std::str::from_utf8) {
        Some(Ok(text)) => f(text),
        _ => f(&i.to_string()),
    }
}

/// Splunk's default collation (sort, stats groups): numbers numerically and before text,
/// text lexicographically by bytes (uppercase before lowercase).
pub fn compare_auto(a: &Value, b: &Value) -> Ordering {
    compare_auto_with(a, first(a).as_num(), b, first(b).as_num())
}

/// [`compare_auto`], given what `first(a).as_num()` and `first(b).as_num()` give (worked out
/// once per value when sorting many).
pub fn compare_auto_with(a: &Value, a_num: Option<f64>, b: &Value, b_num: Option<f64>) -> Ordering {
    match (a_num, b_num) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => first(a).text().cmp(&first(b).text()),
    }
}

/// The first value of a multivalue, or the value itself.
pub fn first(v: &Value) -> &Value {
    match v {
        Value::Multi(items) => items.first().unwrap_or(&Value::Null),
        other => other,
    }
}

/// Equality of two field values as text, numerically when both read as numbers (`25` = `"25"`).
pub fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => x == y,
        _ => a.text() == b.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_decimals_read_as_the_general_parser_reads_them() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "-0.0",
            "+1.5",
            ".5",
            "5.",
            "0.1",
            "0.3",
            "1715644800.007",
            "999999999999999",
            "99999999999999.9",
            "0.00000000000001",
            "123.456",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Pseudo-random digits, split at every place, up to 15 digits.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 15 + 1) as usize;
            let digits: String = (0..len)
                .map(|i| char::from(b'0' + ((x >> (i * 4)) % 10) as u8))
                .collect();
            let at = (x >> 60) as usize % (len + 1);
            texts.push(format!("{}.{}", &digits[..at], &digits[at..]));
        }
        for text in &texts {
            let want: Option<f64> = text.parse().ok();
            let got = short_decimal(text);
            assert!(got.is_some(), "{text}");
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{text}");
        }
        for text in [
            "",
            ".",
            "-",
            "1e5",
            "1.2.3",
            "1_0",
            "16.00000000000000",
            "0x10",
            " 1",
        ] {
            assert_eq!(short_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn integer_text_matches_the_formatter() {
        let mut samples = vec![
            0i64,
            1,
            -1,
            9,
            10,
            99,
            100,
            i64::MAX,
            i64::MIN,
            9_999_999_999_999_999,
        ];
        let mut x = 7i64;
        for _ in 0..2_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            samples.push(x >> (x & 63).unsigned_abs());
        }
        for i in samples {
            assert_eq!(integer_text(i), i.to_string());
        }
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(25.0), "25");
        assert_eq!(format_number(2.5), "2.5");
    }
}
