//! JSON functions (json_object, json_array, json_extract, json_set, json_keys, json_valid, ...)
//! and the eval form of `spath`. JSON travels between functions as text.

use crate::eval::compile::CExpr;
use crate::eval::event::Record;
use crate::eval::expr::eval;
use crate::eval::value::{parse_number, Value};
use crate::ir::Func;
use serde_json::{Map, Value as Json};

/// Functions whose result is JSON text, so a nested call is embedded as JSON, not as a string.
const JSON_RESULTS: &[Func] = &[
    Func::JsonObject,
    Func::JsonArray,
    Func::JsonSet,
    Func::JsonSetExact,
    Func::JsonAppend,
    Func::JsonExtend,
    Func::JsonDelete,
    Func::MvToJsonArray,
];

/// `json_object(k1, v1, ...)` and `json_array(v1, ...)`.
pub fn build(func: Func, args: &[CExpr], record: &Record) -> Value {
    let items: Vec<Json> = args.iter().map(|a| argument(a, record)).collect();
    let json = match func {
        Func::JsonArray => Json::Array(items),
        _ => {
            if items.len() % 2 != 0 {
                return Value::Null;
            }
            let mut map = Map::new();
            let mut items = items.into_iter();
            while let (Some(key), Some(value)) = (items.next(), items.next()) {
                let key = match key {
                    Json::String(s) => s,
                    Json::Null => return Value::Null,
                    other => other.to_string(),
                };
                map.insert(key, value);
            }
            Json::Object(map)
        }
    };
    Value::str(json.to_string())
}

/// One argument as JSON: a nested JSON-producing call is embedded, anything else is a value.
fn argument(e: &CExpr, record: &Record) -> Json {
    let v = eval(e, record);
    match e {
        CExpr::Call { func, .. } if JSON_RESULTS.contains(func) => {
            serde_json::from_str(&v.to_text()).unwrap_or(Json::Null)
        }
        _ => to_json(&v),
    }
}

/// A value as JSON: numbers as numbers, booleans as booleans, multivalues as arrays.
fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Num(_) => v.to_json(),
        Value::Str(s) => Json::String(s.to_string()),
        Value::Multi(items) => Json::Array(items.iter().map(to_json).collect()),
    }
}

/// A JSON value as a field value: strings unquoted, objects and arrays as JSON text.
fn from_json(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::str(b.to_string()),
        Json::Number(n) => n.as_f64().map_or(Value::Null, Value::Num),
        Json::String(s) => Value::str(s.as_str()),
        other => Value::str(other.to_string()),
    }
}

fn parse(v: &Value) -> Option<Json> {
    match v {
        Value::Null | Value::Multi(_) => None,
        v => serde_json::from_str(&v.to_text()).ok(),
    }
}

/// One step of a path: an object key, an array index, or every element (`{}`).
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    All,
}

/// `a.b{0}.c{}` → steps; with `exact`, the whole text is one key.
fn path(text: &str, exact: bool) -> Vec<Step> {
    if exact {
        return vec![Step::Key(text.to_string())];
    }
    let mut steps = Vec::new();
    for part in text.split('.').filter(|p| !p.is_empty()) {
        let (name, mut rest) = part.split_at(part.find('{').unwrap_or(part.len()));
        if !name.is_empty() {
            steps.push(Step::Key(name.to_string()));
        }
        while let Some(inner) = rest.strip_prefix('{') {
            let close = inner.find('}').unwrap_or(inner.len());
            let index = &inner[..close];
            steps.push(match index.parse() {
                Ok(n) => Step::Index(n),
                Err(_) if index.is_empty() => Step::All,
                Err(_) => Step::Key(index.to_string()),
            });
            rest = inner.get(close + 1..).unwrap_or("");
        }
    }
    steps
}

/// Every value reached by following `steps` from `j`.
fn select<'j>(j: &'j Json, steps: &[Step]) -> Vec<&'j Json> {
    let Some((first, rest)) = steps.split_first() else {
        return vec![j];
    };
    match (first, j) {
        (Step::Key(k), Json::Object(map)) => map.get(k).map_or(Vec::new(), |v| select(v, rest)),
        (Step::Index(i), Json::Array(items)) => {
            items.get(*i).map_or(Vec::new(), |v| select(v, rest))
        }
        (Step::All, Json::Array(items)) => items.iter().flat_map(|v| select(v, rest)).collect(),
        _ => Vec::new(),
    }
}

/// `spath(json, "a.b{}.c")`: the values at the path; several make a multivalue. Only JSON input
/// is read (XML gives null).
pub fn spath(input: &Value, p: &Value) -> Value {
    let (Some(json), false) = (parse(input), p.is_null()) else {
        return Value::Null;
    };
    let found = select(&json, &path(&p.to_text(), false));
    Value::from_values(
        found
            .into_iter()
            .flat_map(|j| match j {
                Json::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                    items.iter().map(from_json).collect()
                }
                other => vec![from_json(other)],
            })
            .filter(|v| !v.is_null())
            .collect(),
    )
}

/// The JSON functions that take evaluated arguments.
pub fn call(func: Func, a: &[Value]) -> Value {
    let get = |n: usize| a.get(n).unwrap_or(&Value::Null);
    if func == Func::JsonValid {
        return Value::Bool(!get(0).is_null() && parse(get(0)).is_some());
    }
    let Some(json) = parse(get(0)) else {
        return Value::Null;
    };
    let paths = a.get(1..).unwrap_or_default();
    match func {
        Func::JsonExtract | Func::JsonExtractExact => {
            extract(&json, paths, func == Func::JsonExtractExact)
        }
        Func::JsonKeys => match &json {
            Json::Object(map) => Value::str(
                Json::Array(map.keys().map(|k| Json::String(k.clone())).collect()).to_string(),
            ),
            _ => Value::Null,
        },
        Func::JsonHasKeyExact => Value::Bool(
            json.as_object()
                .is_some_and(|m| m.contains_key(&get(1).to_text())),
        ),
        Func::JsonArrayToMv => array_to_mv(&json, a.get(1)),
        _ => modify(func, json, paths),
    }
}

/// `json_extract(json, path...)`: no path gives the whole JSON, one path its value, several a
/// JSON array of their values.
fn extract(json: &Json, paths: &[Value], exact: bool) -> Value {
    let lookup = |p: &Value| -> Json {
        let found = select(json, &path(&p.to_text(), exact));
        match found.as_slice() {
            [] => Json::Null,
            [one] => (*one).clone(),
            many => Json::Array(many.iter().map(|j| (*j).clone()).collect()),
        }
    };
    match paths {
        [] => Value::str(json.to_string()),
        [one] => from_json(&lookup(one)),
        many => Value::str(Json::Array(many.iter().map(lookup).collect()).to_string()),
    }
}

/// `json_array_to_mv(array[, keep_quotes])`.
fn array_to_mv(json: &Json, keep_quotes: Option<&Value>) -> Value {
    let Json::Array(items) = json else {
        return Value::Null;
    };
    let keep = keep_quotes.is_some_and(|v| v.is_true() || v.to_text().eq_ignore_ascii_case("true"));
    Value::from_values(
        items
            .iter()
            .map(|j| match j {
                Json::String(s) if keep => Value::str(Json::String(s.clone()).to_string()),
                other => from_json(other),
            })
            .filter(|v| !v.is_null())
            .collect(),
    )
}

/// json_set, json_set_exact, json_append, json_extend (path/value pairs) and json_delete (paths).
fn modify(func: Func, mut json: Json, rest: &[Value]) -> Value {
    let exact = func == Func::JsonSetExact;
    if func == Func::JsonDelete {
        for p in rest {
            delete(&mut json, &path(&p.to_text(), false));
        }
        return Value::str(json.to_string());
    }
    if rest.len() % 2 != 0 {
        return Value::Null;
    }
    let mut rest = rest.iter();
    while let (Some(at), Some(value)) = (rest.next(), rest.next()) {
        let steps = path(&at.to_text(), exact);
        let value = value_json(value, func == Func::JsonExtend);
        let Some(slot) = slot(&mut json, &steps, func == Func::JsonSet || exact) else {
            continue;
        };
        match (func, slot) {
            (Func::JsonAppend, Json::Array(items)) => items.push(value),
            (Func::JsonExtend, Json::Array(items)) => match value {
                Json::Array(more) => items.extend(more),
                other => items.push(other),
            },
            (Func::JsonSet | Func::JsonSetExact, slot) => *slot = value,
            _ => {}
        }
    }
    Value::str(json.to_string())
}

/// A value to store: JSON text is embedded when `embed` (json_extend) or it is an object/array.
fn value_json(v: &Value, embed: bool) -> Json {
    let text = v.to_text();
    match serde_json::from_str::<Json>(&text) {
        Ok(j) if embed || j.is_object() || j.is_array() => j,
        _ => match v {
            Value::Str(s) if parse_number(s).is_none() => Json::String(s.to_string()),
            other => to_json(other),
        },
    }
}

/// The place `steps` names, creating missing object keys when `create`.
fn slot<'j>(j: &'j mut Json, steps: &[Step], create: bool) -> Option<&'j mut Json> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(j);
    };
    let next = match (first, j) {
        (Step::Key(k), Json::Object(map)) => {
            if create && !map.contains_key(k) {
                let fresh = match rest.first() {
                    Some(Step::Key(_)) => Json::Object(Map::new()),
                    _ => Json::Null,
                };
                map.insert(k.clone(), fresh);
            }
            map.get_mut(k)?
        }
        (Step::Index(i), Json::Array(items)) => items.get_mut(*i)?,
        _ => return None,
    };
    slot(next, rest, create)
}

fn delete(j: &mut Json, steps: &[Step]) {
    let Some((last, parent)) = steps.split_last() else {
        return;
    };
    match (last, slot(j, parent, false)) {
        (Step::Key(k), Some(Json::Object(map))) => {
            map.shift_remove(k);
        }
        (Step::Index(i), Some(Json::Array(items))) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

/// `mv_to_json_array(mv[, infer_types])`: a JSON array of the values, as strings unless
/// `infer_types` is true (then numbers and `true`/`false`/`null` keep their JSON types).
pub fn mv_to_json_array(v: &Value, infer: Option<&Value>) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    let infer = infer.is_some_and(|i| i.is_true() || i.to_text().eq_ignore_ascii_case("true"));
    let items =
        v.values()
            .iter()
            .map(|item| {
                let text = item.to_text();
                match (infer, text.as_str()) {
                    (true, "true") => Json::Bool(true),
                    (true, "false") => Json::Bool(false),
                    (true, "null") => Json::Null,
                    (true, t) => parse_number(t)
                        .map_or(Json::String(text.clone()), |n| Value::Num(n).to_json()),
                    _ => Json::String(text),
                }
            })
            .collect();
    Value::str(Json::Array(items).to_string())
}
