//! Evaluates compiled expressions over one record, with Splunk's null rules:
//! arithmetic on null or text is null, comparisons with null are null (not true), `NOT null` is
//! null, and `where`/`case`/`if` treat anything but true as false.

use crate::eval::compile::{CExpr, Lookup, Matcher};
use crate::eval::datepart::date_part;
use crate::eval::event::Record;
use crate::eval::functions::call;
use crate::eval::value::{format_number, Value};
use crate::eval::wild::{affix_match, with_text};
use crate::ir::{BinOp, CmpOp, NumOp};
use std::cmp::Ordering;
use std::net::IpAddr;

/// Evaluates `e` over `record`.
/// `eval` without a copy where the value is already there: a field's or a literal's.
pub fn eval_ref<'a>(e: &'a CExpr, record: &'a Record) -> std::borrow::Cow<'a, Value> {
    static NULL: Value = Value::Null;
    match e {
        CExpr::Lit(v) => std::borrow::Cow::Borrowed(v),
        CExpr::Field(name) => std::borrow::Cow::Borrowed(record.get(name).unwrap_or(&NULL)),
        _ => std::borrow::Cow::Owned(eval(e, record)),
    }
}

pub fn eval(e: &CExpr, record: &Record) -> Value {
    match e {
        CExpr::Lit(v) => v.clone(),
        CExpr::Field(name) => record.value(name),
        CExpr::Not(inner) => match eval(inner, record) {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        },
        CExpr::Neg(inner) => eval(inner, record)
            .as_num()
            .map_or(Value::Null, |n| Value::Num(-n)),
        CExpr::Binary(op, l, r) => binary(*op, l, r, record),
        CExpr::In(inner, list) => {
            let value = eval_ref(inner, record);
            if value.is_null() {
                return Value::Null;
            }
            Value::Bool(
                list.iter()
                    .any(|item| any_pair(&value, &eval_ref(item, record), equal)),
            )
        }
        CExpr::Call { func, args, regex } => call(*func, args, regex.as_ref(), record),
        CExpr::Match {
            field,
            lookup,
            matcher,
        } => Value::Bool(matches_field(record, field, *lookup, matcher)),
        CExpr::MatchAny { fields, matcher } => {
            Value::Bool(matches_any_field(record, fields, matcher))
        }
        CExpr::All(_) | CExpr::Any(_) => truth(e, record).map_or(Value::Null, Value::Bool),
    }
}

/// Whether the expression is true for the record (`where`, `case`, `if`).
pub fn is_true(e: &CExpr, record: &Record) -> bool {
    truth(e, record) == Some(true)
}

/// The expression as a condition: `Some(bool)` when it is a boolean, `None` when it is anything
/// else (null, a number, text). `eval` with the same null rules, without building values.
fn truth(e: &CExpr, record: &Record) -> Option<bool> {
    match e {
        CExpr::Match {
            field,
            lookup,
            matcher,
        } => Some(matches_field(record, field, *lookup, matcher)),
        CExpr::MatchAny { fields, matcher } => Some(matches_any_field(record, fields, matcher)),
        CExpr::Not(inner) => truth(inner, record).map(|b| !b),
        CExpr::All(items) => settle(items, record, false),
        CExpr::Any(items) => settle(items, record, true),
        CExpr::Lit(_)
        | CExpr::Field(_)
        | CExpr::Neg(_)
        | CExpr::Binary(..)
        | CExpr::In(..)
        | CExpr::Call { .. } => match eval(e, record) {
            Value::Bool(b) => Some(b),
            _ => None,
        },
    }
}

/// `AND` (`settles` false) or `OR` (`settles` true) of the operands, in three-valued logic:
/// the first operand that is `settles` decides, tested left to right; else `!settles` when
/// every operand is `!settles`, and null (`None`) when some is not a boolean.
fn settle(items: &[CExpr], record: &Record, settles: bool) -> Option<bool> {
    let mut all_booleans = true;
    for item in items {
        match truth(item, record) {
            Some(b) if b == settles => return Some(settles),
            Some(_) => {}
            None => all_booleans = false,
        }
    }
    all_booleans.then_some(!settles)
}

fn binary(op: BinOp, l: &CExpr, r: &CExpr, record: &Record) -> Value {
    match op {
        BinOp::Xor => match (eval(l, record), eval(r, record)) {
            (Value::Bool(a), Value::Bool(b)) => Value::Bool(a != b),
            _ => Value::Null,
        },
        _ => apply(op, &eval(l, record), &eval(r, record)),
    }
}

/// Arithmetic, concatenation and comparison of two values.
pub fn apply(op: BinOp, a: &Value, b: &Value) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    let compare = |test: fn(Ordering) -> bool| {
        Value::Bool(any_pair(a, b, |x, y| compare(x, y).is_some_and(test)))
    };
    match op {
        BinOp::Eq => Value::Bool(any_pair(a, b, equal)),
        BinOp::Ne => Value::Bool(any_pair(a, b, |x, y| !equal(x, y))),
        BinOp::Lt => compare(|o| o == Ordering::Less),
        BinOp::Le => compare(|o| o != Ordering::Greater),
        BinOp::Gt => compare(|o| o == Ordering::Greater),
        BinOp::Ge => compare(|o| o != Ordering::Less),
        BinOp::Concat => Value::str(format!("{}{}", concat_text(a), concat_text(b))),
        BinOp::Add => match (a.as_num(), b.as_num()) {
            (Some(x), Some(y)) => Value::Num(x + y),
            _ if is_text(a) && is_text(b) => Value::str(format!("{}{}", a.to_text(), b.to_text())),
            _ => Value::Null,
        },
        BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => match (a.as_num(), b.as_num()) {
            (Some(x), Some(y)) => arithmetic(op, x, y),
            _ => Value::Null,
        },
        BinOp::Like | BinOp::And | BinOp::Or | BinOp::Xor => Value::Null,
    }
}

fn arithmetic(op: BinOp, x: f64, y: f64) -> Value {
    let result = match op {
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div if y == 0.0 => return Value::Null,
        BinOp::Div => x / y,
        BinOp::Mod if y == 0.0 => return Value::Null,
        BinOp::Mod => x % y,
        _ => return Value::Null,
    };
    if result.is_finite() {
        Value::Num(result)
    } else {
        Value::Null
    }
}

fn is_text(v: &Value) -> bool {
    matches!(v, Value::Str(_) | Value::Num(_))
}

fn concat_text(v: &Value) -> String {
    match v {
        Value::Num(n) => format_number(*n),
        other => other.to_text(),
    }
}

/// True when `test` holds for some single value of `a` and some single value of `b`.
fn any_pair(a: &Value, b: &Value, test: impl Fn(&Value, &Value) -> bool) -> bool {
    a.values()
        .iter()
        .any(|x| b.values().iter().any(|y| test(x, y)))
}

/// Eval equality: numeric when both are numbers, else exact (case-sensitive) text.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => x == y,
        _ => a.text() == b.text(),
    }
}

/// Eval ordering: numeric when both are numbers, else lexicographic text.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(a.text().cmp(&b.text())),
    }
}

/// Whether the match holds in one of the fields.
fn matches_any_field(record: &Record, fields: &[(String, Lookup)], matcher: &Matcher) -> bool {
    fields
        .iter()
        .any(|(field, lookup)| matches_field(record, field, *lookup, matcher))
}

/// The search-language match of one field: any single value may match; a missing field never does.
/// A field name with `*` (from Sigma's Windows lookup) matches every field it covers.
pub fn matches_field(record: &Record, field: &str, lookup: Lookup, matcher: &Matcher) -> bool {
    if let Matcher::FieldRef { fields, cased } = matcher {
        return field_ref(record, field, fields, *cased);
    }
    let value = match lookup {
        Lookup::Plain { tag } => record.fields.get_tagged(tag, field),
        Lookup::Braces => record.get(field),
        Lookup::Wild { head, .. } => {
            // `Event.UserData.*.Image` needs a field starting `Event.`.
            let head = head.and_then(|len| field.get(..len));
            if head.is_some_and(|head| !record.fields.may_have_head(head)) {
                return false;
            }
            return record
                .fields
                .iter()
                .filter(|(name, _)| lookup.covers(field, name))
                .any(|(_, v)| v.values().iter().any(|v| matches_value(v, matcher)));
        }
    };
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Multi(items)) => items.iter().any(|v| matches_value(v, matcher)),
        Some(v) => matches_value(v, matcher),
    }
}

/// Whether one single value matches.
pub(crate) fn matches_value(v: &Value, matcher: &Matcher) -> bool {
    match matcher {
        Matcher::Exists => true,
        Matcher::Exact(text) => with_text(v, |value| eq_ignore_case(value, text)),
        Matcher::ExactCased(text) => with_text(v, |value| value == text),
        Matcher::Glob(re) | Matcher::Term(re) => re.is_match(&v.text()),
        Matcher::Parts(parts) => parts.is_match(&v.text()),
        Matcher::Cidr { net, bits, text } => {
            let value = v.text();
            value
                .parse::<IpAddr>()
                .is_ok_and(|ip| in_network(ip, *net, *bits))
                || eq_ignore_case(&value, text)
        }
        Matcher::Compare { op, text, num } => {
            let ordering = match (v.as_num(), num) {
                (Some(x), Some(y)) => x.partial_cmp(y),
                _ => Some((*v.text()).cmp(text.as_str())),
            };
            ordering.is_some_and(|o| match op {
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                CmpOp::Ge => o != Ordering::Less,
            })
        }
        Matcher::Affix {
            kind,
            needle,
            cased,
        } => affix_match(&v.text(), *kind, needle, *cased),
        Matcher::Regex(re) => re.is_match(&v.text()),
        Matcher::Number { op, value, part } => {
            let number = match part {
                Some(p) => date_part(v, *p),
                None => v.as_num(),
            };
            number.is_some_and(|x| num_compare(*op, x, *value))
        }
        Matcher::Any(any) => any.matches(v),
        Matcher::FieldRef { .. } => false,
    }
}

/// `x op y` for Sigma's numeric modifiers and correlation conditions.
pub fn num_compare(op: NumOp, x: f64, y: f64) -> bool {
    match op {
        NumOp::Eq => x == y,
        NumOp::Lt => x < y,
        NumOp::Le => x <= y,
        NumOp::Gt => x > y,
        NumOp::Ge => x >= y,
        NumOp::Ne => x != y,
    }
}

/// Sigma `|fieldref`: some value of `field` equals some value of the first present of `others`.
fn field_ref(record: &Record, field: &str, others: &[String], cased: bool) -> bool {
    let (Some(a), Some(b)) = (record.get(field), others.iter().find_map(|o| record.get(o))) else {
        return false;
    };
    let same = |x: &Value, y: &Value| {
        let (x, y) = (x.to_text(), y.to_text());
        if cased {
            x == y
        } else {
            x.to_lowercase() == y.to_lowercase()
        }
    };
    any_pair(a, b, same)
}

/// `value` equals `lower` (already lower-cased) ignoring case.
fn eq_ignore_case(value: &str, lower: &str) -> bool {
    if value.is_ascii() && lower.is_ascii() {
        value.eq_ignore_ascii_case(lower)
    } else {
        value.to_lowercase() == lower
    }
}

/// Whether `ip` lies in `net/bits`.
pub fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `AND` and `OR` of up to four operands, each true, false or null (a number: not a
    /// boolean), give what Splunk's pairwise rules give folded left to right: false (true)
    /// wins, else null poisons, in `eval` and as a condition.
    #[test]
    fn chains_are_three_valued_as_pairs_are() {
        let operands = [
            Value::Bool(true),
            Value::Bool(false),
            Value::Null,
            Value::Num(1.0),
        ];
        let pair = |and: bool, a: &Value, b: &Value| match (a, b) {
            (Value::Bool(x), _) | (_, Value::Bool(x)) if *x != and => Value::Bool(!and),
            (Value::Bool(_), Value::Bool(_)) => Value::Bool(and),
            _ => Value::Null,
        };
        let record = Record::default();
        for len in 1..=4usize {
            for pick in 0..operands.len().pow(len as u32) {
                let items: Vec<Value> = (0..len)
                    .map(|i| operands[pick / operands.len().pow(i as u32) % operands.len()].clone())
                    .collect();
                for and in [true, false] {
                    let mut expected = items[0].clone();
                    if len == 1 {
                        // One operand: a condition of one value (not a boolean: null).
                        expected = pair(and, &expected, &Value::Bool(and));
                    }
                    for item in &items[1..] {
                        expected = pair(and, &expected, item);
                    }
                    let lits = items.iter().cloned().map(CExpr::Lit).collect();
                    let e = if and {
                        CExpr::All(lits)
                    } else {
                        CExpr::Any(lits)
                    };
                    assert_eq!(eval(&e, &record), expected, "and={and} {items:?}");
                    let truth_expected = match expected {
                        Value::Bool(b) => Some(b),
                        _ => None,
                    };
                    assert_eq!(truth(&e, &record), truth_expected, "and={and} {items:?}");
                }
            }
        }
    }
}
