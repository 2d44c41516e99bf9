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
        format!(":\n{}", listing('+', actual.get(..5).unwrap_or(actual)))
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
        Json::Array(items) => match items.as_slice() {
            [one] => normalize(one),
            _ => Json::Array(items.iter().map(normalize).collect()),
        },
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
    let lcs = lcs_table(exp, act);
    let at = |i: usize, j: usize| lcs_at(&lcs, i, j);
    let (mut i, mut j, mut out) = (0, 0, String::new());
    loop {
        match (exp.get(i), act.get(j)) {
            (Some(e), Some(a)) if e.1 == a.1 => {
                out.push_str(&format!("    row {}: same\n", j + 1));
                i += 1;
                j += 1;
            }
            (Some(e), Some(a)) if at(i + 1, j + 1) == at(i, j) => {
                out.push_str(&format!("  ~ row {}: {}\n", j + 1, field_diff(e, a)));
                i += 1;
                j += 1;
            }
            (e, Some(a)) if e.is_none() || at(i, j + 1) >= at(i + 1, j) => {
                out.push_str(&format!("  + {}\n", a.0));
                j += 1;
            }
            (Some(e), _) => {
                out.push_str(&format!("  - {}\n", e.0));
                i += 1;
            }
            (None, _) => return out,
        }
    }
}

/// `lcs[i][j]`: how many rows `exp[i..]` and `act[j..]` have in common, in order.
fn lcs_table(exp: &[Shown], act: &[Shown]) -> Vec<Vec<usize>> {
    let mut lcs = vec![vec![0; act.len()]; exp.len()];
    for (i, e) in exp.iter().enumerate().rev() {
        for (j, a) in act.iter().enumerate().rev() {
            let common = if e.1 == a.1 {
                lcs_at(&lcs, i + 1, j + 1) + 1
            } else {
                lcs_at(&lcs, i + 1, j).max(lcs_at(&lcs, i, j + 1))
            };
            if let Some(cell) = lcs.get_mut(i).and_then(|row| row.get_mut(j)) {
                *cell = common;
            }
        }
    }
    lcs
}

/// An entry of the table; 0 past its end (an empty suffix has nothing in common).
fn lcs_at(lcs: &[Vec<usize>], i: usize, j: usize) -> usize {
    lcs.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0)
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
        let hit = act
            .iter()
            .zip(used.iter_mut())
            .find(|(row, used)| !**used && subset(&want, &row.1));
        match hit {
            Some((_, used)) => *used = true,
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

#[cfg(test)]
mod tests {
    use super::{diff, shown};
    use serde_json::json;

    #[test]
    fn diff_marks_same_changed_added_and_removed_rows() {
        let exp = shown(&[
            json!({"a": 1}),
            json!({"a": 2}),
            json!({"a": 3}),
            json!({"a": 9}),
        ]);
        let act = shown(&[
            json!({"a": 1}),
            json!({"a": 5}),
            json!({"a": 3}),
            json!({"b": 4}),
            json!({"b": 5}),
        ]);
        let expected = "    row 1: same\n  ~ row 2: a: expected 2, got 5\n    row 3: same\n  ~ row 4: a: expected 9, got nothing; b: unexpected 4\n  + {\"b\":5}\n";
        assert_eq!(diff(&exp, &act), expected);
        assert_eq!(diff(&act[..1], &[]), "  - {\"a\":1}\n");
        assert_eq!(diff(&[], &act[..1]), "  + {\"a\":1}\n");
    }
}
