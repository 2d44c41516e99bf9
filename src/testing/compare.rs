//! Judging a case's results against its expectation, and showing the difference readably:
//! missing rows with `-`, unexpected rows with `+`, and for a changed row the fields that differ.
//! Values compare as Splunk text (`25` equals `"25"`), and a one-value list equals the value.

use super::{result_rows, Expect, Outcome};
use crate::eval::Results;
use serde_json::Value as Json;

pub fn check(expect: &Expect, results: &Results) -> Outcome {
    let actual = result_rows(results);
    let n = actual.len();
    match expect {
        Expect::Count(0) if n == 0 => Outcome::Pass,
        Expect::Count(0) => Outcome::Fail(format!(
            "expected no results, got {n} row(s):\n{}",
            listing('+', &actual)
        )),
        Expect::Count(c) if *c == n => Outcome::Pass,
        Expect::AtLeast(c) if n >= *c => Outcome::Pass,
        Expect::Count(c) => {
            Outcome::Fail(format!("expected {c} row(s), got {n}{}", sample(&actual)))
        }
        Expect::AtLeast(c) => Outcome::Fail(format!(
            "expected at least {c} row(s), got {n}{}",
            sample(&actual)
        )),
        Expect::Rows { rows, ordered } => rows_outcome(rows, actual, *ordered),
        Expect::Contains(partials) => contains_outcome(partials, &actual),
    }
}

fn sample(actual: &[Json]) -> String {
    if actual.is_empty() {
        String::new()
    } else {
        format!(":\n{}", listing('+', &actual[..actual.len().min(5)]))
    }
}

fn listing(mark: char, rows: &[Json]) -> String {
    rows.iter().map(|r| format!("  {mark} {r}\n")).collect()
}

/// A value as Splunk sees it: scalars as text, lists of one as the one value.
pub fn normalize(v: &Json) -> Json {
    match v {
        Json::Number(n) => Json::String(
            n.as_f64()
                .map(crate::eval::value::format_number)
                .unwrap_or_else(|| n.to_string()),
        ),
        Json::Bool(b) => Json::String(b.to_string()),
        Json::Array(items) if items.len() == 1 => normalize(&items[0]),
        Json::Array(items) => Json::Array(items.iter().map(normalize).collect()),
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        Json::Null | Json::String(_) => v.clone(),
    }
}

/// A row as written (for display) and as compared.
type Shown = (Json, Json);

fn shown(rows: &[Json]) -> Vec<Shown> {
    rows.iter().map(|r| (r.clone(), normalize(r))).collect()
}

fn rows_outcome(expected: &[Json], actual: Vec<Json>, ordered: bool) -> Outcome {
    let mut exp = shown(expected);
    let mut act = shown(&actual);
    if !ordered {
        exp.sort_by_key(|r| r.1.to_string());
        act.sort_by_key(|r| r.1.to_string());
    }
    if exp.iter().map(|r| &r.1).eq(act.iter().map(|r| &r.1)) {
        return Outcome::Pass;
    }
    Outcome::Fail(format!(
        "expected {} row(s), got {}; - expected, + actual:\n{}",
        exp.len(),
        act.len(),
        diff(&exp, &act)
    ))
}

/// Row-level LCS diff; a removed row facing an added one shows the fields that differ.
fn diff(exp: &[Shown], act: &[Shown]) -> String {
    let (n, m) = (exp.len(), act.len());
    let same = |i: usize, j: usize| exp[i].1 == act[j].1;
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if same(i, j) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && same(i, j) {
            out.push_str(&format!("    row {}: same\n", j + 1));
            i += 1;
            j += 1;
        } else if i < n && j < m && lcs[i + 1][j + 1] == lcs[i][j] {
            out.push_str(&format!(
                "  ~ row {}: {}\n",
                j + 1,
                field_diff(&exp[i], &act[j])
            ));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("  + {}\n", act[j].0));
            j += 1;
        } else {
            out.push_str(&format!("  - {}\n", exp[i].0));
            i += 1;
        }
    }
    out
}

/// `Severity: expected "high", got "medium"; Users: got nothing`
fn field_diff(exp: &Shown, act: &Shown) -> String {
    let empty = serde_json::Map::new();
    let object = |v: &Json| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    let (e, a) = (object(&exp.0), object(&act.0));
    let (en, an) = (object(&exp.1), object(&act.1));
    let mut parts = Vec::new();
    for (k, ev) in &e {
        match a.get(k) {
            Some(_) if an.get(k) == en.get(k) => {}
            Some(av) => parts.push(format!("{k}: expected {ev}, got {av}")),
            None => parts.push(format!("{k}: expected {ev}, got nothing")),
        }
    }
    for (k, av) in &a {
        if !e.contains_key(k) {
            parts.push(format!("{k}: unexpected {av}"));
        }
    }
    parts.join("; ")
}

/// Each partial row must match a distinct actual row on the fields it names.
fn contains_outcome(partials: &[Json], actual: &[Json]) -> Outcome {
    let act = shown(actual);
    let mut used = vec![false; act.len()];
    let mut missing = Vec::new();
    for partial in partials {
        let want = normalize(partial);
        let hit = (0..act.len()).find(|&i| !used[i] && subset(&want, &act[i].1));
        match hit {
            Some(i) => used[i] = true,
            None => missing.push(partial.clone()),
        }
    }
    if missing.is_empty() {
        return Outcome::Pass;
    }
    Outcome::Fail(format!(
        "{} expected row(s) not found among {} result row(s):\n{}  results were:\n{}",
        missing.len(),
        act.len(),
        listing('-', &missing),
        listing('+', actual)
    ))
}

fn subset(want: &Json, row: &Json) -> bool {
    match (want.as_object(), row.as_object()) {
        (Some(w), Some(r)) => w.iter().all(|(k, v)| r.get(k) == Some(v)),
        _ => false,
    }
}
