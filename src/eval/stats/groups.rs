//! The groups of a `stats`, found by key: the BY values' texts, written one after another
//! ([`super::push_part`]). The keys lie end to end in one buffer and the accumulators of all
//! groups in one vector (group `id`'s at `id * width`), so finding an event's group touches
//! the table, the key's bytes and then its accumulators, with no entry or boxed key to follow
//! between them; groups are numbered in first-seen order.

use super::{Acc, Fast};
use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Debug)]
pub struct Groups {
    table: HashTable<Slot>,
    keys: Vec<u8>,
    /// Each group's key, as (start, length) in `keys`.
    spans: Vec<(usize, usize)>,
    accs: Vec<Acc>,
    /// The accumulators per group.
    width: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u64,
    start: usize,
    len: usize,
    id: usize,
}

impl Groups {
    pub fn new(width: usize) -> Groups {
        Groups {
            table: HashTable::new(),
            keys: Vec::new(),
            spans: Vec::new(),
            accs: Vec::new(),
            width,
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    fn hash(key: &[u8]) -> u64 {
        Fast::default().hash_one(key)
    }

    /// The number of the group with this key.
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let keys = &self.keys;
        self.table
            .find(Self::hash(key), |s| {
                keys.get(s.start..s.start + s.len) == Some(key)
            })
            .map(|s| s.id)
    }

    /// A new group (the key must not have one yet) with these accumulators; its number.
    pub fn insert(&mut self, key: &[u8], accs: Vec<Acc>) -> usize {
        let id = self.spans.len();
        let slot = Slot {
            hash: Self::hash(key),
            start: self.keys.len(),
            len: key.len(),
            id,
        };
        self.keys.extend_from_slice(key);
        self.spans.push((slot.start, slot.len));
        debug_assert_eq!(accs.len(), self.width);
        self.accs.extend(accs);
        self.table.insert_unique(slot.hash, slot, |s| s.hash);
        id
    }

    /// The accumulators of group `id`.
    pub fn accs_mut(&mut self, id: usize) -> &mut [Acc] {
        let start = id * self.width;
        self.accs
            .get_mut(start..start + self.width)
            .unwrap_or_default()
    }

    /// Each group's accumulators, in first-seen order.
    pub fn accs(&self) -> impl Iterator<Item = &[Acc]> {
        // `chunks` of zero would panic; with no aggregations there is nothing to see.
        self.accs.chunks(self.width.max(1))
    }

    /// Each group's key and accumulators, in first-seen order.
    pub fn into_groups(self) -> impl Iterator<Item = (Vec<u8>, Vec<Acc>)> {
        let Groups {
            keys,
            spans,
            accs,
            width,
            ..
        } = self;
        let mut accs = accs.into_iter();
        spans.into_iter().map(move |(start, len)| {
            let key = keys.get(start..start + len).unwrap_or_default().to_vec();
            (key, accs.by_ref().take(width).collect())
        })
    }
}
