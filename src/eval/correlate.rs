//! Sigma correlations over buffered events: group by the `group-by` fields, order each group by
//! `_time`, and slide a `timespan` window over it.
//!
//! A window starts at an event and holds every event of the group up to `_time + timespan`
//! (inclusive). When the window's aggregate meets the condition, it is one result row and the next
//! window starts after its last event; otherwise the window starts at the next event. Events
//! without `_time` or without a group-by field take no part.

use crate::eval::event::Record;
use crate::eval::expr::num_compare;
use crate::eval::value::Value;
use crate::ir::{Correlate, CorrelationKind};
use indexmap::IndexMap;

/// The result rows of a correlation.
pub fn correlate(c: &Correlate, records: Vec<Record>) -> Vec<Record> {
    let mut groups: IndexMap<Vec<String>, Vec<(f64, Record)>> = IndexMap::new();
    for record in records {
        let Some(time) = record.time() else { continue };
        let key: Option<Vec<String>> = c
            .group_by
            .iter()
            .map(|f| record.get(f).filter(|v| !v.is_null()).map(Value::to_text))
            .collect();
        if let Some(key) = key {
            groups.entry(key).or_default().push((time, record));
        }
    }
    let mut rows = Vec::new();
    for (_, mut events) in groups {
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        windows(c, &events, &mut rows);
    }
    rows.sort_by(|a, b| first_seen(a).total_cmp(&first_seen(b)));
    rows
}

fn first_seen(r: &Record) -> f64 {
    r.get("first_seen").and_then(Value::as_num).unwrap_or(0.0)
}

fn windows(c: &Correlate, events: &[(f64, Record)], rows: &mut Vec<Record>) {
    let mut rest = events;
    while let Some((first, after_first)) = rest.split_first() {
        let limit = first.0 + c.timespan;
        let end = rest.partition_point(|(t, _)| *t <= limit).max(1);
        let (window, after) = rest.split_at(end);
        match aggregate(&c.kind, &c.rules_field, window) {
            Some(value)
                if c.condition
                    .iter()
                    .all(|(op, n)| num_compare(*op, value, *n)) =>
            {
                let last_seen = window.last().map_or(first.0, |(t, _)| *t);
                rows.push(row(c, first, last_seen, value));
                rest = after;
            }
            _ => rest = after_first,
        }
    }
}

/// The window's aggregate, or `None` when it has no value (no numbers for a sum).
fn aggregate(kind: &CorrelationKind, rules_field: &str, window: &[(f64, Record)]) -> Option<f64> {
    let values = |field: &str| -> Vec<Value> {
        window
            .iter()
            .filter_map(|(_, r)| r.get(field))
            .flat_map(|v| v.values().to_vec())
            .collect()
    };
    let numbers =
        |field: &str| -> Vec<f64> { values(field).iter().filter_map(Value::as_num).collect() };
    let rules_of = |r: &Record| -> Vec<String> {
        r.get(rules_field)
            .map(|v| v.values().iter().map(Value::to_text).collect())
            .unwrap_or_default()
    };
    Some(match kind {
        CorrelationKind::EventCount => window.len() as f64,
        CorrelationKind::ValueCount(field) => {
            let mut seen: Vec<String> = values(field).iter().map(Value::to_text).collect();
            seen.sort();
            seen.dedup();
            seen.len() as f64
        }
        CorrelationKind::Temporal(rules) => rules
            .iter()
            .filter(|rule| window.iter().any(|(_, r)| rules_of(r).contains(rule)))
            .count() as f64,
        CorrelationKind::TemporalOrdered(rules) => {
            let mut next = 0;
            for (_, r) in window {
                if rules
                    .get(next)
                    .is_some_and(|rule| rules_of(r).contains(rule))
                {
                    next += 1;
                }
            }
            next as f64
        }
        CorrelationKind::ValueSum(field) => {
            let n = numbers(field);
            (!n.is_empty()).then(|| n.iter().sum())?
        }
        CorrelationKind::ValueAvg(field) => {
            let n = numbers(field);
            (!n.is_empty()).then(|| n.iter().sum::<f64>() / n.len() as f64)?
        }
        CorrelationKind::ValuePercentile { field, percentile } => {
            let mut n = numbers(field);
            n.sort_by(f64::total_cmp);
            let rank = ((percentile / 100.0) * n.len() as f64).ceil() as usize;
            *n.get(rank.clamp(1, n.len().max(1)) - 1)?
        }
    })
}

/// The row of a window from its first event and last time.
fn row(c: &Correlate, (first_time, first): &(f64, Record), last_seen: f64, value: f64) -> Record {
    let mut row = Record::default();
    for field in &c.group_by {
        row.set(field, first.value(field));
    }
    row.set(c.kind.column(), Value::Num(value));
    row.set("first_seen", Value::Num(*first_time));
    row.set("last_seen", Value::Num(last_seen));
    row
}
