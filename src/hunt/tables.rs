//! Value tables: the rules that need something of a set of fields (`EventID` one of some values,
//! `ScriptBlockText` present, `Channel` absent or `Security`), all tested in one pass over an
//! event's fields.

use super::bitset::Bitset;
use super::names::FieldNames;
use crate::eval::wild::{with_lower, with_text};
use crate::eval::{Record, Value};
use crate::optimize::{Needs, ValueNeed};
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Most events show few of the indexed field sets, and events of one kind the same ones: the
/// rules allowed by the sets an event lacks are worked out once per (tables, sets seen) on
/// each thread, not by one intersection per set per event.
const UNSEEN_CACHED: usize = 1024;

thread_local! {
    static UNSEEN: std::cell::RefCell<HashMap<(u64, u64), Bitset, FixedState>> =
        std::cell::RefCell::new(HashMap::default());
}

/// At most this many field sets are indexed...
const MAX_TABLES: usize = 64;
// The tables an event shows are one bit each of a word (`Tables::restrict`).
const _: () = assert!(MAX_TABLES <= 64);
/// ...each needed by at least this many rules.
const MIN_TABLE_RULES: usize = 2;

/// The tables worth keeping, and where each field name leads.
#[derive(Debug, Default)]
pub struct Tables {
    /// Tells these tables apart from others in [`UNSEEN`].
    id: u64,
    tables: Vec<Table>,
    /// The tables of each field.
    names: FieldNames<usize>,
}

/// The rules that need something of one set of fields.
#[derive(Debug)]
struct Table {
    /// The rules an event with this (lower-cased) value in the fields may match.
    by_value: HashMap<String, Bitset, FixedState>,
    /// The rules an event with any value in the fields may match.
    present: Bitset,
    /// The rules an event without any of the fields may match.
    absent: Bitset,
}

impl Tables {
    /// The tables of the field sets most rules need something of.
    pub fn new(needs: &[Needs]) -> Tables {
        let mut by_fields: HashMap<&[String], Vec<(usize, &ValueNeed)>> = HashMap::new();
        for (rule, need) in needs.iter().enumerate() {
            for value in &need.values {
                by_fields
                    .entry(&value.fields)
                    .or_default()
                    .push((rule, value));
            }
        }
        let mut sets: Vec<_> = by_fields
            .into_iter()
            .filter(|(_, rules)| rules.len() >= MIN_TABLE_RULES)
            .collect();
        sets.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
        static IDS: AtomicU64 = AtomicU64::new(1);
        let mut out = Tables {
            id: IDS.fetch_add(1, Relaxed),
            ..Tables::default()
        };
        for (fields, needing) in sets.into_iter().take(MAX_TABLES) {
            let t = out.tables.len();
            out.tables.push(Table::new(&needing, needs.len()));
            for field in fields {
                out.names.add(field, t);
            }
        }
        out
    }

    /// Keeps in `out` the rules whose needs of the indexed fields the record meets.
    pub fn restrict(&self, record: &Record, out: &mut Bitset) {
        if self.tables.is_empty() {
            return;
        }
        // The tables the record shows a value for, a bit each (at most 64 tables).
        let mut seen = 0u64;
        let mut allowed: Vec<(usize, &Bitset)> = Vec::new();
        let mut look = |table: usize, value: &Value| {
            let items = value.values();
            if !items.is_empty() {
                seen |= 1 << table;
            }
            let Some(by_value) = self.tables.get(table).map(|t| &t.by_value) else {
                return;
            };
            if by_value.is_empty() {
                return;
            }
            for item in items {
                let rules = with_text(item, |text| with_lower(text, |lower| by_value.get(lower)));
                if let Some(rules) = rules {
                    allowed.push((table, rules));
                }
            }
        };
        for (name, value) in &record.fields {
            self.names.each(name, |table| look(table, value));
        }
        allowed.sort_by_key(|(table, _)| *table);
        let shown = |t: usize| seen & 1 << t != 0;
        UNSEEN.with_borrow_mut(|cache| {
            if cache.len() >= UNSEEN_CACHED {
                cache.clear();
            }
            let unseen = cache.entry((self.id, seen)).or_insert_with(|| {
                let mut rules = Bitset::full(out.len());
                for (t, table) in self.tables.iter().enumerate() {
                    if !shown(t) {
                        rules.intersect_with(&table.absent);
                    }
                }
                rules
            });
            out.intersect_with(unseen);
        });
        for (t, table) in self.tables.iter().enumerate() {
            if !shown(t) {
                continue;
            }
            let start = allowed.partition_point(|(at, _)| *at < t);
            let end = allowed.partition_point(|(at, _)| *at <= t);
            let values: Vec<&Bitset> = allowed
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .map(|(_, b)| *b)
                .collect();
            out.intersect_with_any(&table.present, &values);
        }
    }
}

impl Table {
    fn new(needing: &[(usize, &ValueNeed)], rules: usize) -> Table {
        let mut present = Bitset::full(rules);
        let mut absent = Bitset::full(rules);
        let mut by_value: HashMap<String, Bitset, FixedState> = HashMap::default();
        for (rule, need) in needing {
            if !need.or_absent {
                absent.remove(*rule);
            }
            let Some(values) = &need.values else {
                continue;
            };
            present.remove(*rule);
            for value in values {
                by_value
                    .entry(value.clone())
                    .or_insert_with(|| Bitset::empty(rules))
                    .insert(*rule);
            }
        }
        Table {
            by_value,
            present,
            absent,
        }
    }
}
