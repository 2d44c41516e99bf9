//! Run time of `rex`, `regex`, `spath`, `fromjson`, `xmlkv` and `iplocation`.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::regex;
use crate::eval::event::{json_fields, json_scalar, JsonExtract, Record};
use crate::eval::value::{first, Value};
use crate::ir::{Rex, RexKind, Spath};
use regex::Regex;
use serde_json::Value as Json;

/// `rex` with its regex built.
#[derive(Debug)]
pub enum RexPlan {
    Extract {
        field: String,
        re: Regex,
        names: Vec<String>,
        max_match: u64,
    },
    Replace {
        field: String,
        re: Regex,
        replacement: String,
        global: bool,
        nth: u64,
    },
    Translate {
        field: String,
        from: Vec<char>,
        to: Vec<char>,
    },
}

impl RexPlan {
    pub fn compile(r: &Rex) -> Result<RexPlan, Diagnostic> {
        let field = r.field.clone();
        Ok(match &r.kind {
            RexKind::Extract { pattern, max_match } => {
                let re = regex(pattern)?;
                let names = re.capture_names().flatten().map(str::to_string).collect();
                RexPlan::Extract {
                    field,
                    re,
                    names,
                    max_match: *max_match,
                }
            }
            RexKind::Replace {
                pattern,
                replacement,
                global,
                nth,
            } => RexPlan::Replace {
                field,
                re: regex(pattern)?,
                replacement: replacement.clone(),
                global: *global,
                nth: *nth,
            },
            RexKind::Translate { from, to } => RexPlan::Translate {
                field,
                from: from.clone(),
                to: to.clone(),
            },
        })
    }

    pub fn apply(&self, record: &mut Record) {
        match self {
            RexPlan::Extract {
                field,
                re,
                names,
                max_match,
            } => extract(record, field, re, names, *max_match),
            RexPlan::Replace {
                field,
                re,
                replacement,
                global,
                nth,
            } => map_text(record, field, |t| {
                replace(re, t, replacement, *global, *nth)
            }),
            RexPlan::Translate { field, from, to } => map_text(record, field, |t| {
                t.chars()
                    .map(|c| {
                        from.iter()
                            .zip(to)
                            .find(|(f, _)| **f == c)
                            .map_or(c, |(_, t)| *t)
                    })
                    .collect()
            }),
        }
    }
}

/// Named groups of up to `max_match` matches (0 = all) become fields; several matches give
/// multivalue fields. No match leaves the event as it was.
fn extract(record: &mut Record, field: &str, re: &Regex, names: &[String], max_match: u64) {
    let Some(value) = record.get(field) else {
        return;
    };
    let texts: Vec<String> = value.values().iter().map(Value::to_text).collect();
    let limit = if max_match == 0 {
        usize::MAX
    } else {
        max_match as usize
    };
    let mut found: Vec<Vec<Value>> = vec![Vec::new(); names.len()];
    let mut matches = 0;
    'texts: for text in &texts {
        for caps in re.captures_iter(text) {
            if matches >= limit {
                break 'texts;
            }
            matches += 1;
            for (slot, name) in found.iter_mut().zip(names) {
                if let Some(m) = caps.name(name) {
                    slot.push(Value::from_text(m.as_str()));
                }
            }
        }
    }
    for (values, name) in found.into_iter().zip(names) {
        if !values.is_empty() {
            record.set(name, Value::from_values(values));
        }
    }
}

fn map_text(record: &mut Record, field: &str, f: impl Fn(&str) -> String) {
    let Some(value) = record.get(field) else {
        return;
    };
    let mapped: Vec<Value> = value
        .values()
        .iter()
        .map(|v| Value::from_text(&f(&v.to_text())))
        .collect();
    record.set(field, Value::from_values(mapped));
}

/// sed `s///`: every match with `g`, else only the `nth`.
fn replace(re: &Regex, text: &str, replacement: &str, global: bool, nth: u64) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (n, caps) in re.captures_iter(text).enumerate() {
        if !global && n as u64 + 1 != nth {
            continue;
        }
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&text[last..m.start()]);
        caps.expand(replacement, &mut out);
        last = m.end();
        if !global {
            break;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// `regex field="re"`: any value matches; `!=`: no value matches (a missing field passes `!=`).
pub fn regex_keeps(record: &Record, field: &str, re: &Regex, negate: bool) -> bool {
    let matched = record
        .get(field)
        .is_some_and(|v| v.values().iter().any(|x| re.is_match(&x.to_text())));
    matched != negate
}

/// `spath`: the input parsed as JSON; without a path every field is extracted (only those
/// `only` keeps, when given: the ones later stages read).
pub fn spath(s: &Spath, only: Option<&JsonExtract>, record: &mut Record) {
    let Some(text) = record.get(&s.input).map(|v| first(v).to_text()) else {
        return;
    };
    if let (None, Some(only)) = (&s.path, only) {
        for (name, value) in only.fields(text.trim()).unwrap_or_default() {
            record.set(&name, value);
        }
        return;
    }
    let Ok(json) = serde_json::from_str::<Json>(text.trim()) else {
        return;
    };
    match &s.path {
        None => {
            let Json::Object(map) = json else {
                return;
            };
            let fields = json_fields(map);
            for (name, value) in fields {
                record.set(&name, value);
            }
        }
        Some(path) => {
            let values = json_path(&json, path);
            let name = s.output.as_deref().unwrap_or(path);
            record.set(
                name,
                Value::from_values(values.into_iter().map(json_value).collect()),
            );
        }
    }
}

/// The values at a `a.b{}.c` / `a.b{0}` path (`{}` every element, `{n}` the nth, from 0).
fn json_path<'a>(json: &'a Json, path: &str) -> Vec<&'a Json> {
    let mut current = vec![json];
    for step in path.split('.').filter(|s| !s.is_empty()) {
        let (name, index) = match step.find('{') {
            Some(at) => (
                &step[..at],
                Some(step[at..].trim_matches(|c| c == '{' || c == '}')),
            ),
            None => (step, None),
        };
        if !name.is_empty() {
            current = current.into_iter().filter_map(|j| j.get(name)).collect();
        }
        current = match index {
            None => current,
            Some("") => current
                .into_iter()
                .flat_map(|j| match j {
                    Json::Array(items) => items.iter().collect(),
                    other => vec![other],
                })
                .collect(),
            Some(n) => match n.parse::<usize>() {
                Ok(n) => current.into_iter().filter_map(|j| j.get(n)).collect(),
                Err(_) => Vec::new(),
            },
        };
    }
    current
}

/// A JSON value as a field value: scalars as themselves, objects and arrays as JSON text.
fn json_value(json: &Json) -> Value {
    match json {
        Json::Object(_) | Json::Array(_) => Value::str(json.to_string()),
        scalar => json_scalar(scalar.clone()).unwrap_or(Value::Null),
    }
}

/// `fromjson field prefix=p`: each top-level key of the JSON object becomes a field.
pub fn fromjson(field: &str, prefix: &str, record: &mut Record) {
    let Some(text) = record.get(field).map(|v| first(v).to_text()) else {
        return;
    };
    let Ok(Json::Object(map)) = serde_json::from_str::<Json>(text.trim()) else {
        return;
    };
    for (key, value) in map {
        let v = match &value {
            Json::Array(items) => Value::from_values(items.iter().map(json_value).collect()),
            other => json_value(other),
        };
        record.set(&format!("{prefix}{key}"), v);
    }
}

/// `xmlkv`: `<tag>value</tag>` with matching tags becomes `tag=value` (the first of each tag).
pub fn xmlkv(re: &Regex, field: &str, record: &mut Record) {
    let Some(text) = record.get(field).map(|v| v.to_text()) else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    for caps in re.captures_iter(&text) {
        let (Some(open), Some(value), Some(close)) = (caps.get(1), caps.get(2), caps.get(3)) else {
            continue;
        };
        if open.as_str() != close.as_str() || seen.iter().any(|s| s == open.as_str()) {
            continue;
        }
        seen.push(open.as_str().to_string());
        record.set(open.as_str(), Value::from_text(value.as_str().trim()));
    }
}

/// The regex `xmlkv` scans with: an element holding only text.
pub fn xmlkv_regex() -> Result<Regex, Diagnostic> {
    regex(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>([^<>]*)</([A-Za-z_][\w.:-]*)\s*>")
}

/// The fields `iplocation` adds (without its prefix).
pub fn iplocation_fields(allfields: bool) -> &'static [&'static str] {
    if allfields {
        &[
            "City",
            "Continent",
            "Country",
            "MetroCode",
            "Region",
            "Timezone",
            "lat",
            "lon",
        ]
    } else {
        &["City", "Country", "Region", "lat", "lon"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::Projection;

    /// A `spath` without a path that extracts only the fields later stages read gives each of
    /// them the value extracting every field gives, over nested objects, arrays (of objects),
    /// nulls, escapes, a key given twice and text that is not one JSON object.
    #[test]
    fn extracting_the_read_fields_only_gives_them_as_extracting_all() {
        let texts = [
            r#"{"a": 1, "b": {"c": "x", "d": [1, 2, {"e": true}]}, "f": null}"#,
            r#" {"user": {"name": "A\"b", "ids": [3, 4]}, "list": [{"k": 1}, {"k": 2, "m": "z"}]} "#,
            r#"{"a": 1, "a": 2, "_time": 1700000000.5, "g": []}"#,
            r#"{"b": {"c": {"x": "deep"}}, "b.c.x": "flat"}"#,
            r#"[1, 2]"#,
            r#"{"a": "unclosed"#,
            "not json",
        ];
        let reads: [&[&str]; 5] = [
            &["a"],
            &["b.c", "b.d", "b.d.e"],
            &["user.name", "user.ids", "list.k", "list.m"],
            &["b.c.x", "missing"],
            &["a", "_time", "g", "f"],
        ];
        let command = Spath {
            input: "data".into(),
            output: None,
            path: None,
        };
        for text in texts {
            for read in reads {
                let names: std::collections::BTreeSet<String> =
                    read.iter().map(|n| n.to_string()).collect();
                let only = JsonExtract::new(&Projection::Fields(names));
                let record = || {
                    let mut r = Record::default();
                    r.set("data", Value::str(text));
                    r.set("a", Value::str("before"));
                    r
                };
                let (mut all, mut some) = (record(), record());
                spath(&command, None, &mut all);
                spath(&command, Some(&only), &mut some);
                for name in read {
                    assert_eq!(
                        format!("{:?}", all.get(name)),
                        format!("{:?}", some.get(name)),
                        "{name} of {text}"
                    );
                }
            }
        }
    }
}
