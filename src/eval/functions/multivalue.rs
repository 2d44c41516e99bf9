//! Multivalue functions: mvappend, mvcount, mvdedup, mvfilter, mvindex, mvjoin, mvmap, mvrange,
//! mvsort, mvzip (mvfind is with the regex functions, split with the text functions).

use crate::eval::compile::CExpr;
use crate::eval::event::Record;
use crate::eval::expr::eval;
use crate::eval::time::span_seconds;
use crate::eval::value::Value;

/// The most values `mvrange` produces.
const MVRANGE_LIMIT: usize = 100_000;

/// `mvfilter(pred)`: the values of the one field `pred` refers to for which `pred` is true,
/// evaluating `pred` once per value with the field bound to that value.
pub fn mvfilter(pred: &CExpr, record: &Record) -> Value {
    let Some(field) = field_of(pred) else {
        return Value::Null;
    };
    let values = record.value(field);
    let mut scope = record.clone();
    let kept = values
        .values()
        .iter()
        .filter(|v| {
            scope.set(field, (*v).clone());
            eval(pred, &scope).is_true()
        })
        .cloned()
        .collect();
    Value::from_values(kept)
}

/// `mvmap(field, expr)`: `expr` evaluated once per value of `field`, with the field bound to it;
/// null results are dropped.
pub fn mvmap(target: &CExpr, expr: &CExpr, record: &Record) -> Value {
    let CExpr::Field(field) = target else {
        return Value::Null;
    };
    let values = record.value(field);
    let mut scope = record.clone();
    let mapped = values
        .values()
        .iter()
        .flat_map(|v| {
            scope.set(field, v.clone());
            eval(expr, &scope).values().to_vec()
        })
        .collect();
    Value::from_values(mapped)
}

/// The first field an expression refers to.
fn field_of(e: &CExpr) -> Option<&str> {
    match e {
        CExpr::Field(f) => Some(f),
        CExpr::Match { field, .. } => Some(field),
        CExpr::MatchAny { fields, .. } => fields.first().map(|(f, _)| f.as_str()),
        CExpr::Lit(_) => None,
        CExpr::Not(inner) | CExpr::Neg(inner) => field_of(inner),
        CExpr::Binary(_, l, r) => field_of(l).or_else(|| field_of(r)),
        CExpr::All(items) | CExpr::Any(items) => items.iter().find_map(field_of),
        CExpr::In(inner, list) => field_of(inner).or_else(|| list.iter().find_map(field_of)),
        CExpr::Call { args, .. } => args.iter().find_map(field_of),
    }
}

/// `mvappend(a, b, ...)`: every value of every argument, nulls skipped.
pub fn mvappend(a: &[Value]) -> Value {
    Value::from_values(a.iter().flat_map(|v| v.values().to_vec()).collect())
}

/// `mvcount(x)`: the number of values; null for null.
pub fn mvcount(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        v => Value::Num(v.values().len() as f64),
    }
}

/// `mvdedup(x)`: the values without repeats, first occurrence kept.
pub fn mvdedup(v: &Value) -> Value {
    let mut seen = std::collections::HashSet::new();
    Value::from_values(
        v.values()
            .iter()
            .filter(|i| seen.insert(i.to_text()))
            .cloned()
            .collect(),
    )
}

/// `mvindex(mv, start[, end])`: 0-based, negative from the end, `end` inclusive.
pub fn mvindex(v: &Value, start: &Value, end: Option<&Value>) -> Value {
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
    items
        .get(s as usize..=e as usize)
        .map_or(Value::Null, |picked| Value::from_values(picked.to_vec()))
}

/// `mvjoin(mv, delim)`: the values joined into one string.
pub fn mvjoin(v: &Value, delim: &Value) -> Value {
    if v.is_null() || delim.is_null() {
        return Value::Null;
    }
    let parts: Vec<String> = v.values().iter().map(Value::to_text).collect();
    Value::str(parts.join(&delim.to_text()))
}

/// `mvrange(start, end[, step])`: numbers from `start` up to but excluding `end`; the step may
/// be a time span such as `"7d"`.
pub fn mvrange(start: &Value, end: &Value, step: Option<&Value>) -> Value {
    let step = match step {
        None => Some(1.0),
        Some(v) => v.as_num().or_else(|| span_seconds(&v.to_text())),
    };
    let (Some(start), Some(end), Some(step)) = (start.as_num(), end.as_num(), step) else {
        return Value::Null;
    };
    if step == 0.0 || (end - start) * step < 0.0 {
        return Value::Null;
    }
    let values = (0..MVRANGE_LIMIT)
        .map(|i| start + step * i as f64)
        .take_while(|x| if step > 0.0 { *x < end } else { *x > end })
        .map(Value::Num)
        .collect();
    Value::from_values(values)
}

/// `mvsort(mv)`: the values in lexicographic order (so `10` sorts before `9`).
pub fn mvsort(v: &Value) -> Value {
    let mut items = v.values().to_vec();
    items.sort_by_key(Value::to_text);
    Value::from_values(items)
}

/// `mvzip(a, b[, delim])`: pairs `a1,b1`, `a2,b2`, ... up to the shorter of the two.
pub fn mvzip(a: &Value, b: &Value, delim: Option<&Value>) -> Value {
    if a.is_null() || b.is_null() || delim.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let d = delim.map_or_else(|| ",".to_string(), Value::to_text);
    Value::from_values(
        a.values()
            .iter()
            .zip(b.values())
            .map(|(x, y)| Value::str(format!("{}{d}{}", x.to_text(), y.to_text())))
            .collect(),
    )
}
