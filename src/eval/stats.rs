//! `stats`: groups by the BY fields (dropping events where one is null), aggregates, and emits
//! one row per group sorted by the BY values, as Splunk does.

use crate::eval::compile::{compile_expr, CExpr};
use crate::eval::event::Record;
use crate::eval::expr::eval_ref;
use crate::eval::order::Rank;
use crate::eval::stage::{fill_wildcards, wildcard_capture};
use crate::eval::value::{compare_auto_with, first, format_number, Text, Value};
use crate::eval::wild::with_text;
use crate::ir::{AggFunc, Stats};
use few::Few;
use groups::Groups;
use indexmap::IndexMap;
use std::collections::HashSet;

mod few;
mod groups;

/// `list()` keeps at most this many values ("If more than 100 values are in a field, only the first 100 are returned").
const LIST_LIMIT: usize = 100;

#[derive(Debug)]
pub struct StatsPlan {
    aggs: Vec<(AggFunc, Option<CExpr>, String)>,
    by: Vec<String>,
    /// The most groups held; see [`crate::eval::compile::Options::max_groups`].
    pub max_groups: usize,
    /// The most values held over all groups; see [`crate::eval::compile::Options::max_values`].
    pub max_values: usize,
    /// Whether the events come in input order and `first()`, `last()` and `list()` follow
    /// Splunk's order ([`crate::eval::order`]) by ranking them; else the events come in the
    /// order these follow.
    pub time_ordered: bool,
}

impl StatsPlan {
    pub fn compile(s: &Stats) -> Result<StatsPlan, crate::diagnostic::Diagnostic> {
        let aggs = s
            .aggs
            .iter()
            .map(|a| {
                Ok((
                    a.func,
                    a.arg.as_ref().map(compile_expr).transpose()?,
                    a.name.clone(),
                ))
            })
            .collect::<Result<_, _>>()?;
        Ok(StatsPlan {
            aggs,
            by: s.by.clone(),
            max_groups: crate::eval::compile::DEFAULT_MAX_GROUPS,
            max_values: crate::eval::compile::DEFAULT_MAX_VALUES,
            time_ordered: false,
        })
    }

    pub fn start(&self) -> StatsState {
        StatsState {
            groups: Groups::new(self.aggs.len()),
            scratch: Vec::new(),
            overflowed: false,
            held: 0,
            seq: 0,
        }
    }
}

/// Groups seen so far: the BY values as text → the group's accumulators.
#[derive(Debug)]
pub struct StatsState {
    groups: Groups,
    /// The key of the event at hand, written here.
    scratch: Vec<u8>,
    /// Whether an event would have made more than `max_groups` groups.
    overflowed: bool,
    /// The values held over all groups and aggregations ([`Acc::held`]); past `max_values`
    /// no more events are taken.
    held: usize,
    /// The events seen, for their [`Rank`]s.
    seq: u64,
}

/// Appends one BY value's text to a group key being written. A key is the BY values' texts,
/// each after its length (four bytes): one string, hashed and compared at once. An event's key
/// is written into a reused buffer and looked up borrowed, so no key is built for an event
/// whose group exists. (Measured on the seed: a vector of borrowed parts, each hashed and
/// compared on its own, cost a fifth of the run.)
fn push_part(key: &mut Vec<u8>, text: &str) {
    key.extend_from_slice(&(text.len() as u32).to_le_bytes());
    key.extend_from_slice(text.as_bytes());
}

/// The BY values' texts of a key.
fn key_parts(key: &[u8]) -> impl Iterator<Item = &str> {
    let mut rest = key;
    std::iter::from_fn(move || {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let (text, tail) = tail.split_at(len.min(tail.len()));
        rest = tail;
        // Keys are written from `str`s, whole: always valid.
        Some(std::str::from_utf8(text).unwrap_or_default())
    })
}

/// The hasher for group keys and distinct values: fast, not keyed (inputs are not adversarial
/// to the point of mattering here; the budget limits group counts).
type Fast = foldhash::fast::FixedState;

/// The running state of one aggregation in one group.
#[derive(Debug, Clone)]
enum Acc {
    /// `values(*) as *`, `avg(tcp.*) as tcp.*`: one accumulator per matching field, by output name
    Wild(Box<IndexMap<String, Acc>>),
    Count(u64),
    Distinct(Few<HashSet<Text, Fast>>),
    Sum {
        total: f64,
        n: u64,
    },
    Extreme {
        num: Option<f64>,
        text: Option<String>,
    },
    Range {
        lo: f64,
        hi: f64,
        n: u64,
    },
    Timed(Option<(f64, Value)>),
    /// kept unordered (a hash per text, not string comparisons down a tree), sorted once at the end
    Values(Few<HashSet<Text, Fast>>),
    List(Vec<Value>),
    Pick(Option<Value>),
    /// `first()` / `last()` of events in input order: the pick's place in Splunk's order
    Ranked(Option<(Rank, Value)>),
    /// `list()` of events in input order: each value with its event's place in Splunk's order;
    /// cut back to the first [`LIST_LIMIT`] whenever it holds twice as many
    RankedList(Vec<(Rank, Value)>),
    /// every number, for deviations, medians and percentiles
    Numbers(Vec<f64>),
    /// each value's count, in first-seen order
    Frequency(Box<IndexMap<String, u64>>),
}

impl Acc {
    /// How many values it holds: what the `--max-values` budget counts.
    fn held(&self) -> usize {
        match self {
            Acc::Wild(per_field) => per_field.values().map(Acc::held).sum(),
            Acc::Distinct(set) => set.len(),
            Acc::Values(set) => set.len(),
            Acc::List(items) => items.len(),
            Acc::RankedList(items) => items.len(),
            Acc::Numbers(nums) => nums.len(),
            Acc::Frequency(counts) => counts.len(),
            Acc::Count(_)
            | Acc::Sum { .. }
            | Acc::Extreme { .. }
            | Acc::Range { .. }
            | Acc::Timed(_)
            | Acc::Pick(_)
            | Acc::Ranked(_) => 0,
        }
    }
}

/// Whether `func`'s accumulators over parts of the events, merged in any order ([`merge`]),
/// give the very value one pass over all of them gives: `count`, `dc`, `values`, `min`, `max`,
/// `range`, `earliest` and `latest`. Not `sum` and `avg` (a float sum rounds by its order), nor
/// `first`, `last`, `list` and `mode` (they follow the events' order), nor the spreads.
fn merges_exactly(func: AggFunc) -> bool {
    matches!(
        func,
        AggFunc::Count
            | AggFunc::DistinctCount
            | AggFunc::Values
            | AggFunc::Min
            | AggFunc::Max
            | AggFunc::Range
            | AggFunc::Earliest
            | AggFunc::Latest
    )
}

/// Folds `other`, the same aggregation over other events, into `acc`; only for the
/// accumulators of [`merges_exactly`] (any other is left as it is).
fn merge(func: AggFunc, acc: &mut Acc, other: Acc) {
    let max = matches!(func, AggFunc::Max | AggFunc::Latest);
    match (acc, other) {
        (Acc::Count(n), Acc::Count(m)) => *n += m,
        (Acc::Distinct(set), Acc::Distinct(more)) | (Acc::Values(set), Acc::Values(more)) => {
            set.absorb(more)
        }
        (Acc::Extreme { num, text }, Acc::Extreme { num: n2, text: t2 }) => {
            if let Some(x) = n2 {
                *num = Some(num.map_or(x, |m| if max { m.max(x) } else { m.min(x) }));
            }
            if let Some(t) = t2 {
                let better = text
                    .as_ref()
                    .is_none_or(|cur| if max { t > *cur } else { t < *cur });
                if better {
                    *text = Some(t);
                }
            }
        }
        (
            Acc::Range { lo, hi, n },
            Acc::Range {
                lo: l2,
                hi: h2,
                n: n2,
            },
        ) => {
            *lo = lo.min(l2);
            *hi = hi.max(h2);
            *n += n2;
        }
        // Ties keep the one held: the events of one time share a part.
        (Acc::Timed(best), Acc::Timed(Some((t, v))))
            if best
                .as_ref()
                .is_none_or(|(held, _)| if max { t > *held } else { t < *held }) =>
        {
            *best = Some((t, v));
        }
        _ => {}
    }
}

/// A fresh accumulator; `ranked`: for events in input order ([`StatsPlan::time_ordered`]).
fn new_acc(func: AggFunc, ranked: bool) -> Acc {
    match func {
        AggFunc::First | AggFunc::Last if ranked => Acc::Ranked(None),
        AggFunc::List if ranked => Acc::RankedList(Vec::new()),
        AggFunc::Count => Acc::Count(0),
        AggFunc::DistinctCount => Acc::Distinct(Few::default()),
        AggFunc::Sum | AggFunc::Avg => Acc::Sum { total: 0.0, n: 0 },
        AggFunc::Min | AggFunc::Max => Acc::Extreme {
            num: None,
            text: None,
        },
        AggFunc::Range => Acc::Range {
            lo: f64::INFINITY,
            hi: f64::NEG_INFINITY,
            n: 0,
        },
        AggFunc::Earliest | AggFunc::Latest => Acc::Timed(None),
        AggFunc::Values => Acc::Values(Few::default()),
        AggFunc::List => Acc::List(Vec::new()),
        AggFunc::First | AggFunc::Last => Acc::Pick(None),
        AggFunc::Stdev
        | AggFunc::Stdevp
        | AggFunc::Var
        | AggFunc::Varp
        | AggFunc::Median
        | AggFunc::Perc(_) => Acc::Numbers(Vec::new()),
        AggFunc::Mode => Acc::Frequency(Box::default()),
    }
}

impl StatsState {
    pub fn absorb(&mut self, plan: &StatsPlan, record: &Record) {
        let rank = plan.time_ordered.then(|| Rank::of(record, self.seq));
        self.seq += 1;
        // The common case, every BY field single-valued: the group is found by borrowed text.
        if let Some(found) = single_key(&plan.by, record, &mut self.scratch) {
            if !found || self.held > plan.max_values {
                return;
            }
            if let Some(id) = self.groups.find(&self.scratch) {
                self.held += plan.update_all(self.groups.accs_mut(id), record, rank);
                return;
            }
            if self.groups.len() >= plan.max_groups {
                self.overflowed = true;
                return;
            }
            let id = self.groups.insert(&self.scratch, plan.fresh());
            self.held += plan.update_all(self.groups.accs_mut(id), record, rank);
            return;
        }
        let Some(keys) = group_keys(&plan.by, record) else {
            return;
        };
        let mut key = Vec::new();
        for parts in keys {
            key.clear();
            parts.iter().for_each(|p| push_part(&mut key, p));
            if self.held > plan.max_values {
                return;
            }
            let id = match self.groups.find(&key) {
                Some(id) => id,
                None if self.groups.len() >= plan.max_groups => {
                    self.overflowed = true;
                    continue;
                }
                None => self.groups.insert(&key, plan.fresh()),
            };
            self.held += plan.update_all(self.groups.accs_mut(id), record, rank);
        }
    }

    /// The errors to report when the group or value budget was exceeded.
    pub fn overflow(&self, plan: &StatsPlan) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::{codes, Diagnostic};
        let mut errors = Vec::new();
        if self.overflowed {
            errors.push(
                Diagnostic::error(
                    codes::RUNTIME,
                    format!("`stats` has more than {} groups; stopping", plan.max_groups),
                )
                .help("group by fewer or coarser fields, or raise --max-groups"),
            );
        }
        if self.held > plan.max_values {
            let most = self.heaviest(plan).unwrap_or("its aggregations");
            errors.push(
                Diagnostic::error(
                    codes::RUNTIME,
                    format!(
                        "`stats` holds more than {} values (most of them for `{most}`); stopping",
                        plan.max_values
                    ),
                )
                .help("aggregate a field with fewer distinct values or group by fewer fields, or raise --max-values"),
            );
        }
        errors
    }

    /// The output name of the aggregation holding the most values over all groups.
    fn heaviest<'p>(&self, plan: &'p StatsPlan) -> Option<&'p str> {
        let held_by = |i: usize| -> usize {
            self.groups
                .accs()
                .filter_map(|accs| accs.get(i))
                .map(Acc::held)
                .sum()
        };
        plan.aggs
            .iter()
            .enumerate()
            .max_by_key(|(i, _)| held_by(*i))
            .map(|(_, (_, _, name))| name.as_str())
    }

    /// One row per group, sorted by the BY values; with no BY and no events, one row of zero counts.
    pub fn finish(self, plan: &StatsPlan) -> Vec<Record> {
        let mut groups: Vec<(Vec<u8>, Vec<Acc>)> = self.groups.into_groups().collect();
        if groups.is_empty() && plan.by.is_empty() {
            groups.push((Vec::new(), plan.fresh()));
        }
        // Each row with its BY values and the number each reads as, if any: worked out once
        // rather than at every comparison of the sort.
        type ByValues = Vec<(Value, Option<f64>)>;
        let mut rows: Vec<(ByValues, Record)> = groups
            .into_iter()
            .map(|(key, accs)| {
                let by_values: ByValues = key_parts(&key)
                    .map(|part| {
                        let v = Value::from_text(part);
                        let n = first(&v).as_num();
                        (v, n)
                    })
                    .collect();
                let mut row = Record::default();
                for (name, (v, _)) in plan.by.iter().zip(&by_values) {
                    row.set(name, v.clone());
                }
                for ((func, _, name), acc) in plan.aggs.iter().zip(accs) {
                    match acc {
                        Acc::Wild(per_field) => {
                            for (out, acc) in *per_field {
                                row.set(&out, result(*func, acc));
                            }
                        }
                        single => row.set(name, result(*func, single)),
                    }
                }
                (by_values, row)
            })
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            a.iter()
                .zip(b)
                .map(|((x, nx), (y, ny))| compare_auto_with(x, *nx, y, *ny))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        rows.into_iter().map(|(_, r)| r).collect()
    }
}

/// Writes the group key of a record into `key` when each BY value is a single value:
/// `Some(false)` when one is null (the event joins no group), `None` when one is multivalue.
fn single_key(by: &[String], record: &Record, key: &mut Vec<u8>) -> Option<bool> {
    key.clear();
    for field in by {
        match record.get(field) {
            None | Some(Value::Null) => return Some(false),
            Some(Value::Multi(_)) => return None,
            Some(v) => with_text(v, |text| push_part(key, text)),
        }
    }
    Some(true)
}

/// The group keys of a record: one per combination of BY values (multivalue BY fields split);
/// `None` when a BY field is null.
fn group_keys(by: &[String], record: &Record) -> Option<Vec<Vec<String>>> {
    let mut keys: Vec<Vec<String>> = vec![Vec::with_capacity(by.len())];
    for field in by {
        let value = record.get(field)?;
        let texts: Vec<String> = value.values().iter().map(Value::to_text).collect();
        if texts.is_empty() {
            return None;
        }
        keys = keys
            .into_iter()
            .flat_map(|k| {
                texts.iter().map(move |t| {
                    let mut next = k.clone();
                    next.push(t.clone());
                    next
                })
            })
            .collect();
    }
    Some(keys)
}

/// Adds the values to the accumulator; returns how many values it holds more (what the
/// `--max-values` budget counts, as [`Acc::held`]).
/// `rank`: the record's place in Splunk's order, for ranked accumulators.
fn update(
    func: AggFunc,
    acc: &mut Acc,
    value: Option<&Value>,
    record: &Record,
    rank: Option<Rank>,
) -> usize {
    let values: &[Value] = value.map_or(&[], Value::values);
    match acc {
        // Filled field by field in `update_all`.
        Acc::Wild(_) => {}
        Acc::Count(n) => {
            *n += if value.is_none() {
                1
            } else {
                values.len() as u64
            }
        }
        Acc::Distinct(set) => return values.iter().filter(|v| set.insert(v.text())).count(),
        Acc::Sum { total, n } => {
            for x in values.iter().filter_map(Value::as_num) {
                *total += x;
                *n += 1;
            }
        }
        Acc::Range { lo, hi, n } => {
            for x in values.iter().filter_map(Value::as_num) {
                *lo = lo.min(x);
                *hi = hi.max(x);
                *n += 1;
            }
        }
        Acc::Extreme { num, text } => {
            let want_max = func == AggFunc::Max;
            for v in values {
                match v.as_num() {
                    Some(x) => {
                        *num = Some(num.map_or(x, |m| if want_max { m.max(x) } else { m.min(x) }))
                    }
                    None => {
                        let t = v.to_text();
                        let better =
                            text.as_ref()
                                .is_none_or(|cur| if want_max { t > *cur } else { t < *cur });
                        if better {
                            *text = Some(t);
                        }
                    }
                }
            }
        }
        Acc::Timed(best) => {
            let Some(time) = record.time() else { return 0 };
            if values.is_empty() {
                return 0;
            }
            let replace = best.as_ref().is_none_or(|(t, _)| {
                if func == AggFunc::Earliest {
                    time < *t
                } else {
                    time > *t
                }
            });
            if replace {
                *best = Some((time, one_value(values)));
            }
        }
        Acc::Values(set) => return values.iter().filter(|v| set.insert(v.text())).count(),
        Acc::List(items) => {
            let room = LIST_LIMIT.saturating_sub(items.len());
            let before = items.len();
            items.extend(values.iter().take(room).cloned());
            return items.len() - before;
        }
        Acc::Pick(pick) => {
            if !values.is_empty() && (func == AggFunc::Last || pick.is_none()) {
                *pick = Some(one_value(values));
            }
        }
        Acc::Ranked(pick) => {
            let Some(rank) = rank.filter(|_| !values.is_empty()) else {
                return 0;
            };
            let better = pick.as_ref().is_none_or(|(held, _)| {
                if func == AggFunc::Last {
                    rank > *held
                } else {
                    rank < *held
                }
            });
            if better {
                *pick = Some((rank, one_value(values)));
            }
        }
        Acc::RankedList(items) => {
            let Some(rank) = rank else { return 0 };
            let before = items.len();
            items.extend(values.iter().map(|v| (rank, v.clone())));
            if items.len() >= 2 * LIST_LIMIT {
                first_listed(items);
            }
            return items.len().saturating_sub(before);
        }
        Acc::Numbers(nums) => {
            let before = nums.len();
            nums.extend(values.iter().filter_map(Value::as_num));
            return nums.len() - before;
        }
        Acc::Frequency(counts) => {
            let before = counts.len();
            for v in values {
                *counts.entry(v.to_text()).or_insert(0) += 1;
            }
            return counts.len() - before;
        }
    }
    0
}

/// Keeps the first [`LIST_LIMIT`] values in Splunk's order, in that order (the values of
/// one event, of one rank, in the order they came).
fn first_listed(items: &mut Vec<(Rank, Value)>) {
    items.sort_by_key(|(rank, _)| *rank);
    items.truncate(LIST_LIMIT);
}

/// The values as one value (a copy of the only one, without a vector, in the common case).
fn one_value(values: &[Value]) -> Value {
    match values {
        [one] => one.clone(),
        more => Value::from_values(more.to_vec()),
    }
}

/// The field pattern of a wildcard aggregation (`values(*)`), if it is one.
fn wild_field(arg: &Option<CExpr>) -> Option<&str> {
    match arg {
        Some(CExpr::Field(name)) if name.contains('*') => Some(name),
        _ => None,
    }
}

/// An aggregation's output columns: one, or one per field a wildcard matched.
fn outputs(func: AggFunc, name: &str, acc: Acc) -> Vec<(String, Value)> {
    match acc {
        Acc::Wild(per_field) => per_field
            .into_iter()
            .map(|(n, a)| (n, result(func, a)))
            .collect(),
        single => vec![(name.to_string(), result(func, single))],
    }
}

fn result(func: AggFunc, acc: Acc) -> Value {
    match acc {
        Acc::Wild(_) => Value::Null,
        Acc::Count(n) => Value::Num(n as f64),
        Acc::Distinct(set) => Value::Num(set.len() as f64),
        Acc::Sum { n: 0, .. } | Acc::Range { n: 0, .. } => Value::Null,
        Acc::Sum { total, n } if func == AggFunc::Avg => Value::Num(total / n as f64),
        Acc::Sum { total, .. } => Value::Num(total),
        Acc::Range { lo, hi, .. } => Value::Num(hi - lo),
        Acc::Extreme { num: Some(x), .. } => Value::from_text(&format_number(x)),
        Acc::Extreme { num: None, text } => text.map_or(Value::Null, |t| Value::from_text(&t)),
        Acc::Timed(best) => best.map_or(Value::Null, |(_, v)| v),
        Acc::Values(set) => {
            // `values()` lists its texts in lexicographic (byte) order.
            let mut texts = set.into_texts();
            texts.sort_unstable();
            Value::from_values(texts.iter().map(|t| Value::from_text(t)).collect())
        }
        Acc::List(items) => Value::from_values(items),
        Acc::RankedList(mut items) => {
            first_listed(&mut items);
            Value::from_values(items.into_iter().map(|(_, v)| v).collect())
        }
        Acc::Ranked(pick) => pick.map_or(Value::Null, |(_, v)| v),
        Acc::Pick(pick) => pick.unwrap_or(Value::Null),
        Acc::Numbers(nums) => spread(func, nums).map_or(Value::Null, Value::Num),
        Acc::Frequency(counts) => {
            let best = counts.values().copied().max().unwrap_or(0);
            counts
                .into_iter()
                .find(|(_, n)| *n == best)
                .map_or(Value::Null, |(t, _)| Value::from_text(&t))
        }
    }
}

/// Deviation, variance, median or percentile of the numbers; `None` when there are too few.
fn spread(func: AggFunc, mut nums: Vec<f64>) -> Option<f64> {
    let n = nums.len() as f64;
    let mean = nums.iter().sum::<f64>() / n;
    let squares = nums.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    match func {
        AggFunc::Var | AggFunc::Stdev if nums.len() < 2 => None,
        AggFunc::Var => Some(squares / (n - 1.0)),
        AggFunc::Stdev => Some((squares / (n - 1.0)).sqrt()),
        _ if nums.is_empty() => None,
        AggFunc::Varp => Some(squares / n),
        AggFunc::Stdevp => Some((squares / n).sqrt()),
        _ => {
            nums.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            let p = match func {
                AggFunc::Perc(p) => f64::from(p) / 100.0,
                _ => 0.5,
            };
            if func == AggFunc::Median {
                return nums.get(nums.len() / 2).copied();
            }
            let rank = p * (n - 1.0);
            let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
            let a = *nums.get(lo)?;
            let b = *nums.get(hi).or(nums.last())?;
            Some(a + (b - a) * (rank - rank.floor()))
        }
    }
}

/// The accumulators of one group, for the commands that aggregate outside `stats`
/// (`eventstats`, `streamstats`, `chart`, `timechart`).
#[derive(Debug, Clone)]
pub struct Accs(Vec<Acc>);

impl StatsPlan {
    /// The BY fields.
    pub fn by(&self) -> &[String] {
        &self.by
    }

    /// The group keys of a record (one per combination of multivalue BY values); `None` when a
    /// BY field is null.
    pub fn keys(&self, record: &Record) -> Option<Vec<Vec<String>>> {
        group_keys(&self.by, record)
    }

    /// Fresh accumulators, one per aggregation.
    pub fn new_accs(&self) -> Accs {
        Accs(self.fresh())
    }

    fn fresh(&self) -> Vec<Acc> {
        self.aggs
            .iter()
            .map(|(f, arg, _)| match wild_field(arg) {
                Some(_) => Acc::Wild(Box::default()),
                None => new_acc(*f, self.time_ordered),
            })
            .collect()
    }

    /// Adds one record to the accumulators.
    pub fn update(&self, accs: &mut Accs, record: &Record) {
        self.update_all(&mut accs.0, record, None);
    }

    /// Adds one record to the accumulators; returns how many values they hold more.
    fn update_all(&self, accs: &mut [Acc], record: &Record, rank: Option<Rank>) -> usize {
        let mut added = 0;
        for ((func, arg, name), acc) in self.aggs.iter().zip(accs.iter_mut()) {
            // The accumulator first: only a wildcard aggregation's is `Wild`, and asking every
            // argument whether it has a `*` cost a search per aggregation and event.
            let wild = match acc {
                Acc::Wild(_) => wild_field(arg),
                _ => None,
            };
            match (&mut *acc, wild) {
                (Acc::Wild(per_field), Some(pattern)) => {
                    for (field, value) in record
                        .fields
                        .iter()
                        .filter(|(f, _)| !f.starts_with('_') && !self.by.iter().any(|b| b == f))
                    {
                        let Some(captures) = wildcard_capture(pattern, field) else {
                            continue;
                        };
                        let slot = per_field
                            .entry(fill_wildcards(name, &captures))
                            .or_insert_with(|| new_acc(*func, self.time_ordered));
                        added += update(*func, slot, Some(value), record, rank);
                    }
                }
                (acc, _) => {
                    let value = arg.as_ref().map(|a| eval_ref(a, record));
                    added += update(*func, acc, value.as_deref(), record, rank);
                }
            }
        }
        added
    }

    /// Whether accumulators over parts of the events can be merged ([`StatsPlan::merge`]) into
    /// the very results one pass over all of them gives: every aggregation is one of those that
    /// merge exactly, none over a wildcard of fields.
    pub fn merges_exactly(&self) -> bool {
        self.aggs
            .iter()
            .all(|(func, arg, _)| merges_exactly(*func) && wild_field(arg).is_none())
    }

    /// Folds `from`, the accumulators of other events, into `into` (for a plan that
    /// [`StatsPlan::merges_exactly`]).
    pub fn merge(&self, into: &mut Accs, from: Accs) {
        for (((func, _, _), acc), other) in self.aggs.iter().zip(&mut into.0).zip(from.0) {
            merge(*func, acc, other);
        }
    }

    /// Each aggregation's output name and current value.
    pub fn results(&self, accs: &Accs) -> Vec<(String, Value)> {
        self.aggs
            .iter()
            .zip(accs.0.iter())
            .flat_map(|((func, _, name), acc)| outputs(*func, name, acc.clone()))
            .collect()
    }

    /// The aggregations' output names and functions.
    pub fn outputs(&self) -> impl Iterator<Item = (&str, AggFunc)> {
        self.aggs.iter().map(|(f, _, n)| (n.as_str(), *f))
    }
}
