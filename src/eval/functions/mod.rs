//! The eval function library. Each function follows its Splunk documentation for null and
//! multivalue arguments; `grammar/spl.ebnf` lists them with their status. This file dispatches;
//! the families live beside it.

mod cond;
mod convert;
mod crypto;
mod json;
mod math;
mod multivalue;
mod text;

use crate::eval::compile::CExpr;
use crate::eval::event::Record;
use crate::eval::expr::eval;
use crate::eval::time;
use crate::eval::value::Value;
use crate::ir::Func;
use regex::Regex;

/// Calls `func`; `pre` is the pattern regex when it was a literal.
pub fn call(func: Func, args: &[CExpr], pre: Option<&Regex>, record: &Record) -> Value {
    match func {
        Func::Case | Func::If | Func::Coalesce | Func::Validate | Func::In => {
            cond::lazy(func, args, record)
        }
        Func::Match | Func::Like | Func::Replace | Func::MvFind => {
            text::pattern_call(func, args, pre, record)
        }
        Func::SearchMatch => Value::Bool(args.first().is_some_and(|a| eval(a, record).is_true())),
        Func::MvFilter => args
            .first()
            .map_or(Value::Null, |a| multivalue::mvfilter(a, record)),
        Func::MvMap => match args {
            [mv, expr, ..] => multivalue::mvmap(mv, expr, record),
            _ => Value::Null,
        },
        Func::JsonObject | Func::JsonArray => json::build(func, args, record),
        _ => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, record)).collect();
            pure(func, &values)
        }
    }
}

/// Functions whose result depends only on their evaluated arguments (and the clock).
fn pure(func: Func, a: &[Value]) -> Value {
    let get = |n: usize| a.get(n).unwrap_or(&Value::Null);
    let opt = |n: usize| a.get(n);
    match func {
        Func::Abs
        | Func::Acos
        | Func::Acosh
        | Func::Asin
        | Func::Asinh
        | Func::Atan
        | Func::Atanh
        | Func::Ceiling
        | Func::Cos
        | Func::Cosh
        | Func::Exp
        | Func::Floor
        | Func::Ln
        | Func::Sin
        | Func::Sinh
        | Func::Sqrt
        | Func::Tan
        | Func::Tanh => math::unary(func, get(0)),
        Func::Atan2 | Func::Hypot | Func::Pow => math::binary(func, get(0), get(1)),
        Func::BitAnd
        | Func::BitNot
        | Func::BitOr
        | Func::BitShiftLeft
        | Func::BitShiftRight
        | Func::BitXor => math::bitwise(func, a),
        Func::Exact => math::exact(get(0)),
        Func::Log => math::log(get(0), opt(1)),
        Func::Round => math::round(get(0), opt(1)),
        Func::Min | Func::Max => math::extreme(func, a),
        Func::Random => math::random(),
        Func::Pi => Value::Num(std::f64::consts::PI),
        Func::IsNull
        | Func::IsNotNull
        | Func::IsNum
        | Func::IsInt
        | Func::IsStr
        | Func::IsBool
        | Func::TypeOf => cond::inspect(func, get(0)),
        Func::NullIf => cond::nullif(get(0), get(1)),
        Func::CidrMatch => cond::cidrmatch(get(0), get(1)),
        Func::IpMask => cond::ipmask(get(0), get(1)),
        Func::Null => Value::Null,
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::Lower | Func::Upper | Func::Len | Func::Urldecode => text::simple(func, get(0)),
        Func::Trim | Func::Ltrim | Func::Rtrim => text::trim(func, get(0), opt(1)),
        Func::Substr => text::substr(get(0), get(1), opt(2)),
        Func::Split => text::split(get(0), get(1)),
        Func::Spath => json::spath(get(0), get(1)),
        Func::Commands => text::commands(get(0)),
        Func::ToString => convert::to_string(get(0), opt(1)),
        Func::ToNumber => convert::to_number(get(0), opt(1)),
        Func::Printf => convert::printf(get(0), a.get(1..).unwrap_or_default()),
        Func::MvAppend => multivalue::mvappend(a),
        Func::MvCount => multivalue::mvcount(get(0)),
        Func::MvDedup => multivalue::mvdedup(get(0)),
        Func::MvIndex => multivalue::mvindex(get(0), get(1), opt(2)),
        Func::MvJoin => multivalue::mvjoin(get(0), get(1)),
        Func::MvRange => multivalue::mvrange(get(0), get(1), opt(2)),
        Func::MvSort => multivalue::mvsort(get(0)),
        Func::MvZip => multivalue::mvzip(get(0), get(1), opt(2)),
        Func::MvToJsonArray => json::mv_to_json_array(get(0), opt(1)),
        Func::Md5 | Func::Sha1 | Func::Sha256 | Func::Sha512 => crypto::digest(func, get(0)),
        Func::JsonAppend
        | Func::JsonArrayToMv
        | Func::JsonDelete
        | Func::JsonExtend
        | Func::JsonExtract
        | Func::JsonExtractExact
        | Func::JsonHasKeyExact
        | Func::JsonKeys
        | Func::JsonSet
        | Func::JsonSetExact
        | Func::JsonValid => json::call(func, a),
        Func::Now => Value::Num(time::now()),
        Func::Time => Value::Num(time::wall_clock()),
        Func::RelativeTime => match (get(0).as_num(), get(1)) {
            (Some(t), spec) if !spec.is_null() => {
                time::relative_time(t, &spec.to_text()).map_or(Value::Null, Value::Num)
            }
            _ => Value::Null,
        },
        Func::Strftime => match (get(0).as_num(), get(1)) {
            (Some(t), fmt) if !fmt.is_null() => Value::str(time::strftime(t, &fmt.to_text())),
            _ => Value::Null,
        },
        Func::Strptime => match (get(0), get(1)) {
            (Value::Null, _) | (_, Value::Null) => Value::Null,
            (text, fmt) => {
                time::strptime(&text.to_text(), &fmt.to_text()).map_or(Value::Null, Value::Num)
            }
        },
        Func::Case
        | Func::If
        | Func::Coalesce
        | Func::Validate
        | Func::In
        | Func::Match
        | Func::Like
        | Func::Replace
        | Func::MvFind
        | Func::SearchMatch
        | Func::MvFilter
        | Func::MvMap
        | Func::JsonObject
        | Func::JsonArray => Value::Null,
    }
}

/// Applies a text function to each value of a (multi)value; null stays null.
fn map_text(v: &Value, f: impl Fn(&str) -> Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Multi(items) => Value::from_values(
            items
                .iter()
                .map(|i| f(&i.to_text()))
                .filter(|v| !v.is_null())
                .collect(),
        ),
        single => f(&single.to_text()),
    }
}

/// A number result, or null when it is not finite.
fn finite(n: f64) -> Value {
    if n.is_finite() {
        Value::Num(n)
    } else {
        Value::Null
    }
}
