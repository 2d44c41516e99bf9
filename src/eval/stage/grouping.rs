//! Run time of `eventstats`, `streamstats`, `transaction`, `tail`, `reverse` and `makeresults`.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{compile_expr, CExpr};
use crate::eval::event::Record;
use crate::eval::expr::is_true;
use crate::eval::stats::{Accs, StatsPlan};
use crate::eval::value::Value;
use crate::ir::{StreamStats, Transaction};
use indexmap::IndexMap;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

/// `eventstats`: every record gets the aggregates of its BY group (records with a null BY field
/// get none).
pub fn eventstats(plan: &StatsPlan, mut records: Vec<Record>) -> Vec<Record> {
    let mut groups: HashMap<Vec<String>, Accs> = HashMap::new();
    for r in &records {
        for key in plan.keys(r).unwrap_or_default() {
            let accs = groups.entry(key).or_insert_with(|| plan.new_accs());
            plan.update(accs, r);
        }
    }
    let results: HashMap<Vec<String>, Vec<(String, Value)>> = groups
        .into_iter()
        .map(|(k, accs)| (k, plan.results(&accs)))
        .collect();
    for r in records.iter_mut() {
        let Some(key) = plan.keys(r).and_then(|k| k.into_iter().next()) else {
            continue;
        };
        if let Some(values) = results.get(&key) {
            for (name, v) in values {
                r.set(name, v.clone());
            }
        }
    }
    records
}

/// `streamstats` with its aggregations compiled.
#[derive(Debug)]
pub struct StreamPlan {
    pub stats: StatsPlan,
    pub options: StreamStats,
}

/// The running state of `streamstats`.
#[derive(Debug, Default)]
pub struct StreamState {
    /// window = 0: running accumulators per group
    running: HashMap<Vec<String>, Accs>,
    /// window > 0: the last records (with their group), overall or per group
    recent: VecDeque<(Vec<String>, Record)>,
    per_group: HashMap<Vec<String>, VecDeque<Record>>,
    last_key: Option<Vec<String>>,
}

impl StreamPlan {
    pub fn compile(s: &StreamStats) -> Result<StreamPlan, Diagnostic> {
        Ok(StreamPlan {
            stats: StatsPlan::compile(&s.stats)?,
            options: s.clone(),
        })
    }

    /// Adds the running aggregates of the record's group to the record.
    pub fn apply(&self, state: &mut StreamState, record: &mut Record) {
        let Some(key) = self.stats.keys(record).and_then(|k| k.into_iter().next()) else {
            return;
        };
        if self.options.reset_on_change && state.last_key.as_ref().is_some_and(|k| *k != key) {
            *state = StreamState::default();
        }
        state.last_key = Some(key.clone());
        let window = self.options.window as usize;
        let results = if window == 0 {
            let accs = state
                .running
                .entry(key)
                .or_insert_with(|| self.stats.new_accs());
            if self.options.current {
                self.stats.update(accs, record);
                self.stats.results(accs)
            } else {
                let before = self.stats.results(accs);
                self.stats.update(accs, record);
                before
            }
        } else {
            self.windowed(state, key, record, window)
        };
        for (name, v) in results {
            record.set(&name, v);
        }
    }

    fn windowed(
        &self,
        state: &mut StreamState,
        key: Vec<String>,
        record: &Record,
        window: usize,
    ) -> Vec<(String, Value)> {
        let mut accs = self.stats.new_accs();
        let earlier: Vec<&Record> = if self.options.global {
            state
                .recent
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, r)| r)
                .collect()
        } else {
            state
                .per_group
                .get(&key)
                .map(|q| q.iter().collect())
                .unwrap_or_default()
        };
        let skip = usize::from(self.options.current);
        let start = (earlier.len() + skip).saturating_sub(window);
        for r in earlier.into_iter().skip(start) {
            self.stats.update(&mut accs, r);
        }
        if self.options.current {
            self.stats.update(&mut accs, record);
        }
        if self.options.global {
            state.recent.push_back((key, record.clone()));
            if state.recent.len() > window {
                state.recent.pop_front();
            }
        } else {
            let q = state.per_group.entry(key).or_default();
            q.push_back(record.clone());
            if q.len() > window {
                q.pop_front();
            }
        }
        self.stats.results(&accs)
    }
}

/// `transaction` with its boundary expressions compiled.
#[derive(Debug)]
pub struct TransactionPlan {
    pub t: Transaction,
    startswith: Option<CExpr>,
    endswith: Option<CExpr>,
}

/// An open transaction: its records, oldest first.
struct Open {
    records: Vec<Record>,
    started: bool,
}

impl TransactionPlan {
    pub fn compile(t: &Transaction) -> Result<TransactionPlan, Diagnostic> {
        Ok(TransactionPlan {
            t: t.clone(),
            startswith: t.startswith.as_ref().map(compile_expr).transpose()?,
            endswith: t.endswith.as_ref().map(compile_expr).transpose()?,
        })
    }

    /// Groups records (oldest first) by the fields; a group closes on `endswith`, a new
    /// `startswith`, or when `maxspan`/`maxpause`/`maxevents` would be exceeded. Results come
    /// newest first.
    pub fn finish(&self, mut records: Vec<Record>) -> Vec<Record> {
        records.sort_by(|a, b| a.time().partial_cmp(&b.time()).unwrap_or(Ordering::Equal));
        let mut open: IndexMap<Vec<String>, Open> = IndexMap::new();
        let mut out = Vec::new();
        for r in records {
            let Some(key) = self.key(&r) else { continue };
            let starts = self.startswith.as_ref().is_some_and(|e| is_true(e, &r));
            let ends = self.endswith.as_ref().is_some_and(|e| is_true(e, &r));
            if let Some(o) = open.get(&key) {
                if starts || self.exceeds(o, &r) {
                    if let Some(o) = open.shift_remove(&key) {
                        self.close(o, false, &mut out);
                    }
                }
            }
            if self.startswith.is_some() && !starts && !open.contains_key(&key) {
                if self.t.keepevicted {
                    self.close(
                        Open {
                            records: vec![r],
                            started: false,
                        },
                        false,
                        &mut out,
                    );
                }
                continue;
            }
            let o = open.entry(key.clone()).or_insert(Open {
                records: Vec::new(),
                started: starts,
            });
            o.records.push(r);
            if ends {
                if let Some(o) = open.shift_remove(&key) {
                    self.close(o, true, &mut out);
                }
            }
        }
        for (_, o) in open {
            self.close(o, false, &mut out);
        }
        out.sort_by(|a, b| b.time().partial_cmp(&a.time()).unwrap_or(Ordering::Equal));
        out
    }

    fn key(&self, r: &Record) -> Option<Vec<String>> {
        self.t
            .fields
            .iter()
            .map(|f| r.get(f).map(|v| crate::eval::value::first(v).to_text()))
            .collect()
    }

    fn exceeds(&self, o: &Open, r: &Record) -> bool {
        let (Some(first), Some(last), Some(now)) = (
            o.records.first().and_then(Record::time),
            o.records.last().and_then(Record::time),
            r.time(),
        ) else {
            return false;
        };
        self.t.maxspan.is_some_and(|m| now - first > m)
            || self.t.maxpause.is_some_and(|m| now - last > m)
            || self
                .t
                .maxevents
                .is_some_and(|m| o.records.len() as u64 >= m)
    }

    /// A finished transaction; without its `endswith` event it is evicted (kept only with `keepevicted`).
    fn close(&self, o: Open, ended: bool, out: &mut Vec<Record>) {
        let complete =
            (self.endswith.is_none() || ended) && (self.startswith.is_none() || o.started);
        if !complete && !self.t.keepevicted {
            return;
        }
        let mut merged = merge(&o.records);
        if self.t.keepevicted {
            merged.set("closed_txn", Value::Num(if complete { 1.0 } else { 0.0 }));
        }
        out.push(merged);
    }
}

/// One record from a transaction's records: every field's distinct values (sorted), `_raw`
/// joined by newlines, `_time` the first, `duration` and `eventcount`.
fn merge(records: &[Record]) -> Record {
    let mut values: IndexMap<String, Vec<String>> = IndexMap::new();
    for r in records {
        for (name, v) in &r.fields {
            if name == "_raw" || name == "_time" {
                continue;
            }
            let slot = values.entry(name.to_string()).or_default();
            for x in v.values() {
                let t = x.to_text();
                if !slot.contains(&t) {
                    slot.push(t);
                }
            }
        }
    }
    let mut out = Record::default();
    let first = records.first().and_then(Record::time);
    let last = records.last().and_then(Record::time);
    if let Some(t) = first {
        out.set("_time", Value::Num(t));
    }
    for (name, mut vs) in values {
        vs.sort();
        out.set(
            &name,
            Value::from_values(vs.iter().map(|t| Value::from_text(t)).collect()),
        );
    }
    let raw: Vec<String> = records
        .iter()
        .filter_map(|r| r.get("_raw").map(Value::to_text))
        .collect();
    if !raw.is_empty() {
        out.set("_raw", Value::str(raw.join("\n")));
    }
    if let (Some(a), Some(b)) = (first, last) {
        out.set("duration", Value::Num(b - a));
    }
    out.set("eventcount", Value::Num(records.len() as f64));
    out
}

/// `tail n`: the last n records, last first.
pub fn tail(n: u64, mut records: Vec<Record>) -> Vec<Record> {
    let keep = records
        .len()
        .saturating_sub(usize::try_from(n).unwrap_or(usize::MAX));
    let mut out = records.split_off(keep);
    out.reverse();
    out
}

/// `makeresults count=n`: n results with only `_time` (now, whole seconds).
pub fn makeresults(count: u64) -> Vec<Record> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs() as f64);
    (0..count)
        .map(|_| {
            let mut r = Record::default();
            r.set("_time", Value::Num(now));
            r
        })
        .collect()
}
