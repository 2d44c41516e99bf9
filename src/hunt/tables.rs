//! Value tables: the rules that need something of a set of fields (`EventID` one of some values,
//! `ScriptBlockText` present, `Channel` absent or `Security`), all tested in one pass over an
//! event's fields.

use super::bitset::Bitset;
use super::names::FieldNames;
use crate::eval::wild::{with_lower, with_text};
use crate::eval::Record;
use crate::optimize::{Needs, ValueNeed};
use foldhash::fast::FixedState;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// What the tables allow depends only on which tables an event shows a value for and which of
/// their listed values it shows: worked out once per (tables, that) on each thread (events of
/// one kind show the same), not by one intersection per table per event (an event shows a
/// value for two dozen tables or so).
const ALLOWED_CACHED: usize = 1024;

/// What the tables allow an event, by what it shows of them.
struct Shown {
    tables: u64,
    seen: u64,
    /// The listed values shown, as (table, value number), in order.
    values: Vec<(u32, u32)>,
    rules: Bitset,
}

/// The hash [`ALLOWED`] files a [`Shown`] by.
fn shown_hash(tables: u64, seen: u64, values: &[(u32, u32)]) -> u64 {
    FixedState::default().hash_one((tables, seen, values))
}

thread_local! {
    static ALLOWED: std::cell::RefCell<HashTable<Shown>> =
        const { std::cell::RefCell::new(HashTable::new()) };
    /// [`Tables::restrict`]'s list of listed values shown, kept from event to event.
    static VALUES: std::cell::RefCell<Vec<(u32, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
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
    /// Tells these tables apart from others in [`ALLOWED`].
    id: u64,
    tables: Vec<Table>,
    /// The tables of each field.
    names: FieldNames<usize>,
}

/// The rules that need something of one set of fields.
#[derive(Debug)]
struct Table {
    /// The number of each value listed (lower-cased), and the rules an event with that value
    /// in the fields may match.
    by_value: HashMap<String, u32, FixedState>,
    values: Vec<Bitset>,
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
        VALUES.with_borrow_mut(|values| {
            values.clear();
            // The tables the record shows a value for, a bit each (at most 64 tables).
            let mut seen = 0u64;
            for (tag, name, value) in record.fields.iter_tagged() {
                self.names.each_tagged(tag, name, |t| {
                    let items = value.values();
                    if !items.is_empty() {
                        seen |= 1 << t;
                    }
                    let Some(table) = self.tables.get(t).filter(|t| !t.by_value.is_empty()) else {
                        return;
                    };
                    for item in items {
                        let listed = with_text(item, |text| {
                            with_lower(text, |lower| table.by_value.get(lower).copied())
                        });
                        if let Some(v) = listed {
                            values.push((t as u32, v));
                        }
                    }
                });
            }
            values.sort_unstable();
            values.dedup();
            let hash = shown_hash(self.id, seen, values);
            ALLOWED.with_borrow_mut(|cache| {
                if cache.len() >= ALLOWED_CACHED {
                    cache.clear();
                }
                let same = |s: &Shown| s.tables == self.id && s.seen == seen && s.values == *values;
                let rehash = |s: &Shown| shown_hash(s.tables, s.seen, &s.values);
                let shown = match cache.entry(hash, same, rehash) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => entry
                        .insert(Shown {
                            tables: self.id,
                            seen,
                            values: values.clone(),
                            rules: self.allowed(seen, values, out.len()),
                        })
                        .into_mut(),
                };
                out.intersect_with(&shown.rules);
            });
        });
    }

    /// The rules allowed to an event that shows a value for the tables `seen` (a bit each)
    /// and the listed `values` (as (table, value number), in order).
    fn allowed(&self, seen: u64, values: &[(u32, u32)], rules: usize) -> Bitset {
        let mut out = Bitset::full(rules);
        for (t, table) in self.tables.iter().enumerate() {
            if seen & 1 << t == 0 {
                out.intersect_with(&table.absent);
                continue;
            }
            let shown: Vec<&Bitset> = values
                .iter()
                .filter(|(at, _)| *at as usize == t)
                .filter_map(|(_, v)| table.values.get(*v as usize))
                .collect();
            out.intersect_with_any(&table.present, &shown);
        }
        out
    }
}

impl Table {
    fn new(needing: &[(usize, &ValueNeed)], rules: usize) -> Table {
        let mut present = Bitset::full(rules);
        let mut absent = Bitset::full(rules);
        let mut by_value: HashMap<String, u32, FixedState> = HashMap::default();
        let mut values: Vec<Bitset> = Vec::new();
        for (rule, need) in needing {
            if !need.or_absent {
                absent.remove(*rule);
            }
            let Some(listed) = &need.values else {
                continue;
            };
            present.remove(*rule);
            for value in listed {
                let next = values.len() as u32;
                let v = *by_value.entry(value.clone()).or_insert_with(|| {
                    values.push(Bitset::empty(rules));
                    next
                });
                if let Some(set) = values.get_mut(v as usize) {
                    set.insert(*rule);
                }
            }
        }
        Table {
            by_value,
            values,
            present,
            absent,
        }
    }
}
