//! `format` and `return`: results as search text in a `search` field, which a subsearch then
//! hands to the outer search as written ("format command", "return command", Search Reference).

use crate::eval::event::Record;
use crate::eval::value::Value;
use crate::ir::Format;

/// One row whose `search` field holds `( ( f1="v1" AND f2="v2" ) OR ( ... ) )` (format) or
/// `f1="v1" f2="v2"` / `(f="a") OR (f="b")` (return).
pub fn format(f: &Format, rows: &[Record]) -> Record {
    let limit = f
        .count
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let used: Vec<&Record> = rows.iter().take(limit).collect();
    let text = match &f.items {
        None => format_all(&used),
        Some(items) => return_items(items, &used),
    };
    let mut row = Record::default();
    row.set("search", Value::str(text));
    row
}

fn quote(value: &Value) -> String {
    format!(
        "\"{}\"",
        value.to_text().replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// `format`: `( ( a="1" AND b="2" ) OR ( a="3" ) )`; fields starting with `_` are left out;
/// a multivalue field is `( f="x" OR f="y" )`; no rows give `NOT ()`.
fn format_all(rows: &[&Record]) -> String {
    let groups: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let terms: Vec<String> = row
                .fields
                .iter()
                .filter(|(name, _)| !name.starts_with('_'))
                .map(|(name, value)| match value {
                    Value::Multi(items) => {
                        let alts: Vec<String> = items
                            .iter()
                            .map(|v| format!("{name}={}", quote(v)))
                            .collect();
                        format!("( {} )", alts.join(" OR "))
                    }
                    single => format!("{name}={}", quote(single)),
                })
                .collect();
            (!terms.is_empty()).then(|| format!("( {} )", terms.join(" AND ")))
        })
        .collect();
    if groups.is_empty() {
        return "NOT ()".to_string();
    }
    format!("( {} )", groups.join(" OR "))
}

/// `return`: per row `alias="value"` or, for `$field`, the bare value; rows joined by OR.
fn return_items(items: &[(String, String, bool)], rows: &[&Record]) -> String {
    let parts: Vec<String> = rows
        .iter()
        .map(|row| {
            let terms: Vec<String> = items
                .iter()
                .filter_map(|(alias, field, raw)| {
                    let value = row.get(field)?;
                    Some(if *raw {
                        value.to_text()
                    } else {
                        format!("{alias}={}", quote(value))
                    })
                })
                .collect();
            terms.join(" ")
        })
        .filter(|t| !t.is_empty())
        .collect();
    match parts.len() {
        0 => String::new(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(" OR "),
    }
}
