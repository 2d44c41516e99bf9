//! `join`, `append` and `appendpipe` at run time, over subsearch rows that have already run.

use crate::diagnostic::{codes, Diagnostic};
use crate::eval::event::Record;
use crate::eval::value::Value;
use crate::ir::{Join, JoinKind, Row, Source};
use std::collections::HashMap;

/// A subsearch's rows as records.
pub fn records(rows: &[Row]) -> Vec<Record> {
    rows.iter()
        .map(|row| {
            let mut r = Record::default();
            for (name, values) in row {
                r.set(
                    name,
                    Value::from_values(values.iter().map(|v| Value::from_text(v)).collect()),
                );
            }
            r
        })
        .collect()
}

/// The rows of a source that has run; a subsearch still to run is an error here.
pub fn resolved_rows(source: &Source) -> Result<Vec<Record>, Diagnostic> {
    match source {
        Source::Rows(rows) => Ok(records(rows)),
        Source::Subsearch(_) => Err(unresolved()),
    }
}

pub fn unresolved() -> Diagnostic {
    Diagnostic::error(codes::RUNTIME, "a subsearch was not run before the search")
        .help("run pipelines with subsearches through eval::subsearch::resolve (the CLI does)")
}

/// A `join` ready to run: the right rows indexed by the join fields.
#[derive(Debug)]
pub struct JoinPlan {
    kind: JoinKind,
    fields: Vec<String>,
    max: u64,
    overwrite: bool,
    right: Vec<Record>,
    index: HashMap<Vec<String>, Vec<usize>>,
}

impl JoinPlan {
    pub fn new(join: &Join) -> Result<JoinPlan, Diagnostic> {
        let right = resolved_rows(&join.right)?;
        let mut index: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        if !join.fields.is_empty() {
            for (n, row) in right.iter().enumerate() {
                if let Some(key) = key(&join.fields, row) {
                    index.entry(key).or_default().push(n);
                }
            }
        }
        Ok(JoinPlan {
            kind: join.kind,
            fields: join.fields.clone(),
            max: join.max,
            overwrite: join.overwrite,
            right,
            index,
        })
    }

    /// The joined rows for one left row (none for an unmatched inner join).
    pub fn apply(&self, left: Record, out: &mut Vec<Record>) {
        let matches = self.matches(&left);
        if matches.is_empty() {
            if self.kind == JoinKind::Left {
                out.push(left);
            }
            return;
        }
        let limit = if self.max == 0 {
            usize::MAX
        } else {
            usize::try_from(self.max).unwrap_or(usize::MAX)
        };
        for right in matches
            .iter()
            .filter_map(|&n| self.right.get(n))
            .take(limit)
        {
            let mut merged = left.clone();
            for (name, value) in &right.fields {
                if self.overwrite || merged.get(name).is_none() {
                    merged.set(name, value.clone());
                }
            }
            out.push(merged);
        }
    }

    fn matches(&self, left: &Record) -> Vec<usize> {
        if !self.fields.is_empty() {
            return key(&self.fields, left)
                .and_then(|k| self.index.get(&k))
                .cloned()
                .unwrap_or_default();
        }
        // No field list: join on every field the two rows share.
        self.right
            .iter()
            .enumerate()
            .filter(|(_, right)| {
                let shared: Vec<&crate::eval::event::Name> = right
                    .fields
                    .keys()
                    .filter(|k| left.fields.contains_key(k))
                    .collect();
                !shared.is_empty()
                    && shared.iter().all(|k| {
                        left.get(k).map(Value::to_text) == right.get(k).map(Value::to_text)
                    })
            })
            .map(|(n, _)| n)
            .collect()
    }
}

/// The join key of a row: each field's text; `None` when a field is missing.
fn key(fields: &[String], row: &Record) -> Option<Vec<String>> {
    fields
        .iter()
        .map(|f| row.get(f).map(Value::to_text))
        .collect()
}
