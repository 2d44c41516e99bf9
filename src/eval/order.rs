//! Splunk's event order: a search returns its events newest first, and the stages that depend on
//! order (`head`, `tail`, `dedup`, `stats first()`, ...) see them so. Offline events come in file
//! order, so the plan puts them in Splunk's order before the first such stage: by `_time`,
//! newest first, events of the same time in input order, and events without a time after all
//! timed ones, in input order.
//!
//! Sorting every event before the stage would hold the whole input in memory (an
//! `index=... | head 10` over a 480 MB file held 1.9 GB). The stages only need part of the
//! order, so the inserted time order ([`TimeOrderState`]) keeps only what the stage after it
//! uses: the first `n` events for `head n`, the last `n` for `tail n`, the first `n` of each key
//! for `dedup n`; it passes on a subsequence of the full order that holds every event the stage keeps, in the
//! same order, so the stage's output is the same. `stats` with `first()`, `last()` or `list()`
//! needs every event for its other aggregations: it ranks its picks by [`Rank`] instead and
//! holds no events at all.

use crate::eval::event::Record;
use crate::ir::{Dedup, Head, Stage};
use std::collections::HashMap;

/// Where an event falls in Splunk's order: smaller ranks come first. Every rank is distinct
/// (the input position is part of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    /// The time, newest first as an unsigned number; `u64::MAX` for an event without one.
    newest: u64,
    /// The input position.
    seq: u64,
}

impl Rank {
    /// The rank of the `seq`-th event (counted from 0 in input order), whose `_time` is `time`.
    /// A time that is not a number (NaN) counts as none.
    pub fn new(time: Option<f64>, seq: u64) -> Rank {
        let newest = match time {
            Some(t) if !t.is_nan() => {
                // `+ 0.0` makes -0 and 0 the same time; then the bits in the order of the
                // numbers (negative numbers' bits inverted, positive ones' sign bit set),
                // inverted for newest first. No finite time maps to `u64::MAX`.
                let bits = (t + 0.0).to_bits();
                let ascending = if bits >> 63 == 1 {
                    !bits
                } else {
                    bits | 1 << 63
                };
                !ascending
            }
            _ => u64::MAX,
        };
        Rank { newest, seq }
    }

    /// The rank of a record, the `seq`-th of its input.
    pub fn of(record: &Record, seq: u64) -> Rank {
        Rank::new(record.time(), seq)
    }
}

/// What part of Splunk's order the stage after a time order can use.
#[derive(Debug, Clone)]
pub enum Keep {
    /// Every event.
    All,
    /// The first `n` (`head n`).
    First(u64),
    /// The last `n` (`tail n`).
    Last(u64),
    /// The first `count` events of each key (`dedup`), and every event that lacks a key field
    /// when `keepempty` keeps them (others `dedup` drops).
    FirstPerKey(Dedup),
}

impl Keep {
    /// What the stage `next` (the first that depends on order) uses.
    pub fn before(next: &Stage) -> Keep {
        match next {
            Stage::Head(Head::Count(n)) => Keep::First(*n),
            Stage::Tail(n) => Keep::Last(*n),
            Stage::Dedup(d) if !d.consecutive => Keep::FirstPerKey(d.clone()),
            _ => Keep::All,
        }
    }
}

/// The events held so far, each with its rank.
#[derive(Debug, Default)]
pub struct TimeOrderState {
    seq: u64,
    held: Vec<(Rank, Record)>,
    /// For [`Keep::FirstPerKey`]: each key's events.
    per_key: HashMap<String, Vec<(Rank, Record)>>,
}

/// Held events are cut back to the `n` wanted once `n` more, and at least this many more, have
/// come in ([`due_for_cut`]): each cut is linear in what is held, so each event costs a
/// bounded amount.
pub const SLACK: usize = 1024;

/// [`SLACK`] for each key of a `dedup`: there may be many keys.
const KEY_SLACK: usize = 8;

impl TimeOrderState {
    pub fn absorb(&mut self, keep: &Keep, record: Record) {
        let rank = Rank::of(&record, self.seq);
        self.seq += 1;
        match keep {
            Keep::All => self.held.push((rank, record.hold())),
            Keep::First(n) => bounded_push(&mut self.held, (rank, record), *n, SLACK, false),
            Keep::Last(n) => bounded_push(&mut self.held, (rank, record), *n, SLACK, true),
            Keep::FirstPerKey(d) => match crate::eval::stage::dedup_key(d, &record) {
                Some(key) => {
                    let held = self.per_key.entry(key).or_default();
                    bounded_push(held, (rank, record), d.count, KEY_SLACK, false);
                }
                None if d.keepempty => self.held.push((rank, record)),
                None => {}
            },
        }
    }

    /// The events kept, in Splunk's order.
    pub fn finish(self, keep: &Keep) -> Vec<Record> {
        let TimeOrderState {
            mut held, per_key, ..
        } = self;
        match keep {
            Keep::First(n) => cut(&mut held, to_usize(*n), false),
            Keep::Last(n) => cut(&mut held, to_usize(*n), true),
            Keep::FirstPerKey(d) => {
                for mut events in per_key.into_values() {
                    cut(&mut events, to_usize(d.count), false);
                    held.append(&mut events);
                }
            }
            Keep::All => {}
        }
        held.sort_unstable_by_key(|(rank, _)| *rank);
        held.into_iter().map(|(_, record)| record).collect()
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Adds the event; once the held events are `n` and `slack` past `n`, keeps only the first (or
/// last) `n`.
fn bounded_push(
    held: &mut Vec<(Rank, Record)>,
    event: (Rank, Record),
    n: u64,
    slack: usize,
    last: bool,
) {
    let n = to_usize(n);
    held.push(event);
    if due_for_cut(held.len(), n, slack) {
        cut(held, n, last);
    }
}

/// Whether `held` rows, of which `n` are wanted, are `n` and `slack` past `n` (at least), and so
/// due to be cut back to `n`.
pub fn due_for_cut(held: usize, n: usize, slack: usize) -> bool {
    held >= n.saturating_add(n.max(slack))
}

/// Keeps the first (or last) `n` events by rank, in no particular order.
fn cut(held: &mut Vec<(Rank, Record)>, n: usize, last: bool) {
    if held.len() <= n {
        return;
    }
    if n == 0 {
        held.clear();
    } else if last {
        let from = held.len() - n;
        held.select_nth_unstable_by_key(from, |(rank, _)| *rank);
        held.drain(..from);
    } else {
        held.select_nth_unstable_by_key(n, |(rank, _)| *rank);
        held.truncate(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Value;

    fn timed(t: Option<f64>, id: u64) -> Record {
        let mut r = Record::default();
        if let Some(t) = t {
            r.set("_time", Value::Num(t));
        }
        r.set("id", Value::Num(id as f64));
        r
    }

    fn ids(records: &[Record]) -> Vec<String> {
        records.iter().map(|r| r.value("id").to_text()).collect()
    }

    /// The events of `times`, in order, through a time order keeping `keep`.
    fn ordered(times: &[Option<f64>], keep: &Keep) -> Vec<String> {
        let mut state = TimeOrderState::default();
        for (i, t) in times.iter().enumerate() {
            state.absorb(keep, timed(*t, i as u64));
        }
        ids(&state.finish(keep))
    }

    #[test]
    fn newest_first_ties_in_input_order_untimed_last() {
        let times = [
            Some(5.0),
            None,
            Some(7.0),
            Some(5.0),
            Some(-1.0),
            Some(-0.0),
            Some(0.0),
            None,
            Some(f64::NAN),
        ];
        assert_eq!(
            ordered(&times, &Keep::All),
            ["2", "0", "3", "5", "6", "4", "1", "7", "8"]
        );
    }

    /// Bounded keeps give the same events as the full order cut afterwards, across the point
    /// where the held events are cut back.
    #[test]
    fn bounded_keeps_agree_with_the_full_order() {
        let times: Vec<Option<f64>> = (0..5000u64)
            .map(|i| (i % 7 != 3).then_some(((i * 7919) % 613) as f64))
            .collect();
        let all = ordered(&times, &Keep::All);
        for n in [0, 1, 10, 1500, 6000] {
            let first = ordered(&times, &Keep::First(n));
            assert_eq!(first, all[..n.min(5000) as usize], "first {n}");
            let last = ordered(&times, &Keep::Last(n));
            assert_eq!(last, all[5000 - n.min(5000) as usize..], "last {n}");
        }
    }
}
