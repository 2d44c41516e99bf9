//! A record's fields: names to values in first-seen order. Most records hold a dozen fields or
//! so, read a few times each: they are one vector searched by a tag of each name (no hash
//! table to build, probe or keep up), and only a record grown past [`INDEXED`] fields gets a
//! hash index of its positions as well. Measured on the seed detection, the `IndexMap` this
//! replaces spent a sixth of the run hashing, probing and comparing names.
//!
//! A record also keeps two small Bloom filters: of its names, so that looking up a name it
//! lacks (most lookups of a Sigma rule, which tries each field under four or five names of the
//! event formats it may come in) usually stops at once; and of the first dotted part of its
//! names, so that a wildcard name (`Event.UserData.*.Image`) is not tried against every field
//! of a record that has no `Event.` field.

use super::Name;
use crate::eval::value::Value;
use hashbrown::HashTable;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Past this many fields a record keeps a hash index; up to it a lookup is a short scan.
const INDEXED: usize = 16;

/// A number for a name, from its length and its first and last eight bytes (fixed-size loads,
/// no loop); names with different tags differ, equal tags are compared in full. It is also the
/// hash of the index, and of the parser's selection table ([`crate::eval::event`]'s `PathTable`).
pub fn name_tag(name: &[u8]) -> u64 {
    let (head, tail) = if let (Some(h), Some(t)) = (name.first_chunk(), name.last_chunk()) {
        (u64::from_le_bytes(*h), u64::from_le_bytes(*t))
    } else if let (Some(h), Some(t)) = (name.first_chunk(), name.last_chunk()) {
        (
            u64::from(u32::from_le_bytes(*h)),
            u64::from(u32::from_le_bytes(*t)),
        )
    } else {
        let byte = |i: usize| u64::from(name.get(i).copied().unwrap_or(0));
        (
            byte(0) | byte(name.len() / 2) << 8 | byte(name.len().wrapping_sub(1)) << 16,
            0,
        )
    };
    (head ^ tail.rotate_left(29) ^ name.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Whether two names are the same: names of up to 16 bytes (most) by two fixed-size loads each
/// rather than a call to `memcmp`.
pub fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        // The first and the last eight (four) bytes cover the name, overlapping if need be.
        8..=16 => {
            a.first_chunk::<8>() == b.first_chunk::<8>()
                && a.last_chunk::<8>() == b.last_chunk::<8>()
        }
        4..=7 => {
            a.first_chunk::<4>() == b.first_chunk::<4>()
                && a.last_chunk::<4>() == b.last_chunk::<4>()
        }
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// One field of a record.
#[derive(Clone)]
pub struct Entry {
    tag: u64,
    name: Name,
    value: Value,
}

/// Field names to values, in the order each name was first inserted (as `IndexMap`: inserting
/// a name again replaces its value in place; removing shifts the later fields down).
#[derive(Default)]
pub struct Fields {
    entries: Vec<Entry>,
    /// The entries' positions by tag, once there are more than [`INDEXED`].
    index: Option<HashTable<usize>>,
    /// [`bloom_bits`] of every name's tag.
    names: u64,
    /// [`bloom_bits`] of the tag of every name's part before its first dot, worked out when
    /// first asked for (few records are): [`UNKNOWN`] until then, and after any change.
    heads: AtomicU64,
}

/// `heads` not worked out (all bits set: "any head may be there").
const UNKNOWN: u64 = u64::MAX;

impl Clone for Fields {
    fn clone(&self) -> Fields {
        Fields {
            entries: self.entries.clone(),
            index: self.index.clone(),
            names: self.names,
            heads: AtomicU64::new(self.heads.load(Relaxed)),
        }
    }
}

/// The position of the entry named `name` (whose tag is `tag`), by a scan.
fn scan(entries: &[Entry], tag: u64, name: &str) -> Option<usize> {
    entries
        .iter()
        .position(|e| e.tag == tag && same_name(e.name.as_bytes(), name.as_bytes()))
}

/// Two bits of 64 for a tag, for the Bloom filters.
fn bloom_bits(tag: u64) -> u64 {
    1 << (tag >> 58) | 1 << ((tag >> 52) & 63)
}

/// The Bloom bits of the part of `name` before its first dot, if it has one.
fn head_bits(name: &str) -> u64 {
    name.split_once('.')
        .map_or(0, |(head, _)| bloom_bits(name_tag(head.as_bytes())))
}

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    pub fn with_capacity(capacity: usize) -> Fields {
        Fields {
            entries: Vec::with_capacity(capacity),
            ..Fields::default()
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reserve(&mut self, more: usize) {
        self.entries.reserve(more);
    }

    /// Gives back the room no field uses: for a record held until the input ends.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    /// Removes every field, keeping the room for them.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = None;
        self.names = 0;
        *self.heads.get_mut() = UNKNOWN;
    }

    /// The position of the field named `name`.
    fn position(&self, name: &str) -> Option<usize> {
        self.position_tagged(name_tag(name.as_bytes()), name)
    }

    /// [`Fields::position`], for a name whose tag is worked out.
    fn position_tagged(&self, tag: u64, name: &str) -> Option<usize> {
        let bits = bloom_bits(tag);
        if self.names & bits != bits {
            return None;
        }
        let entries = &self.entries;
        match &self.index {
            None => scan(entries, tag, name),
            Some(index) => index
                .find(tag, |&i| {
                    entries
                        .get(i)
                        .is_some_and(|e| same_name(e.name.as_bytes(), name.as_bytes()))
                })
                .copied(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.get_tagged(name_tag(name.as_bytes()), name)
    }

    /// [`Fields::get`], for a name whose [`name_tag`] is worked out.
    pub fn get_tagged(&self, tag: u64, name: &str) -> Option<&Value> {
        let at = self.position_tagged(tag, name)?;
        self.entries.get(at).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        let at = self.position(name)?;
        self.entries.get_mut(at).map(|e| &mut e.value)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Whether some name may start with `head` and a dot (`false`: none does).
    pub fn may_have_head(&self, head: &str) -> bool {
        let mut heads = self.heads.load(Relaxed);
        if heads == UNKNOWN {
            heads = self.entries.iter().fold(0, |b, e| b | head_bits(&e.name));
            self.heads.store(heads, Relaxed);
        }
        let bits = bloom_bits(name_tag(head.as_bytes()));
        heads & bits == bits
    }

    /// Sets the field; a field of that name keeps its place and gives its old value back.
    pub fn insert(&mut self, name: Name, value: Value) -> Option<Value> {
        self.insert_tagged(name_tag(name.as_bytes()), name, value)
    }

    /// [`Fields::insert`] of a name whose [`name_tag`] is `tag`.
    pub(crate) fn insert_tagged(&mut self, tag: u64, name: Name, value: Value) -> Option<Value> {
        match self.position_tagged(tag, &name) {
            Some(at) => self
                .entries
                .get_mut(at)
                .map(|e| std::mem::replace(&mut e.value, value)),
            None => {
                self.push_new(tag, name, value);
                None
            }
        }
    }

    /// The field's value, inserted first by `make` when the record lacks it.
    pub fn get_or_insert_with(&mut self, name: Name, make: impl FnOnce() -> Value) -> &mut Value {
        let tag = name_tag(name.as_bytes());
        let at = match self.position_tagged(tag, &name) {
            Some(at) => at,
            None => {
                self.push_new(tag, name, make());
                self.entries.len() - 1
            }
        };
        match self.entries.get_mut(at) {
            Some(e) => &mut e.value,
            None => unreachable!("a field just found or pushed is there"),
        }
    }

    /// A copy of the fields whose names `keep` holds for, in order (names are not looked up
    /// again: they are already one each).
    pub fn filtered(&self, mut keep: impl FnMut(&str) -> bool) -> Fields {
        let mut out = Fields::new();
        for e in self.entries.iter().filter(|e| keep(&e.name)) {
            out.push_new(e.tag, e.name.clone(), e.value.clone());
        }
        out
    }

    /// Appends a field known to be absent, `tag` its name's.
    fn push_new(&mut self, tag: u64, name: Name, value: Value) {
        let at = self.entries.len();
        self.names |= bloom_bits(tag);
        *self.heads.get_mut() = UNKNOWN;
        self.entries.push(Entry { tag, name, value });
        match &mut self.index {
            Some(index) => {
                let entries = &self.entries;
                index.insert_unique(tag, at, |&i| entries.get(i).map_or(0, |e| e.tag));
            }
            None if self.entries.len() > INDEXED => self.reindex(),
            None => {}
        }
    }

    /// The Bloom filters and the index afresh, after a removal.
    fn removed(&mut self) {
        self.names = self.entries.iter().fold(0, |b, e| b | bloom_bits(e.tag));
        *self.heads.get_mut() = UNKNOWN;
        if self.index.is_some() {
            self.reindex();
        }
    }

    /// Builds the index afresh (when first needed, and after a removal moved positions).
    fn reindex(&mut self) {
        if self.entries.len() <= INDEXED {
            self.index = None;
            return;
        }
        let mut index = HashTable::with_capacity(self.entries.len());
        for (at, e) in self.entries.iter().enumerate() {
            let entries = &self.entries;
            index.insert_unique(e.tag, at, |&i| entries.get(i).map_or(0, |e| e.tag));
        }
        self.index = Some(index);
    }

    /// Removes the field, the later ones moving down a place.
    pub fn shift_remove(&mut self, name: &str) -> Option<Value> {
        self.shift_remove_entry(name).map(|(_, v)| v)
    }

    pub fn shift_remove_entry(&mut self, name: &str) -> Option<(Name, Value)> {
        let at = self.position(name)?;
        let removed = self.entries.remove(at);
        self.removed();
        Some((removed.name, removed.value))
    }

    /// Keeps only the named fields, in the order named (a name the record lacks, or named
    /// again, adds nothing), in place: no new record is built.
    pub fn select<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) {
        let mut kept = 0;
        for name in names {
            let tag = name_tag(name.as_bytes());
            let Some(rest) = self.entries.get(kept..) else {
                break;
            };
            if let Some(at) = scan(rest, tag, name) {
                self.entries.swap(kept, kept + at);
                kept += 1;
            }
        }
        self.entries.truncate(kept);
        self.removed();
    }

    /// Keeps the fields `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Name, &mut Value) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|e| keep(&e.name, &mut e.value));
        if self.entries.len() != before {
            self.removed();
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Name, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|e| (&e.name, &e.value))
    }

    /// [`Fields::iter`] with each name's [`name_tag`] (kept, not worked out again).
    pub fn iter_tagged(&self) -> impl Iterator<Item = (u64, &Name, &Value)> {
        self.entries.iter().map(|e| (e.tag, &e.name, &e.value))
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&Name, &mut Value)> + ExactSizeIterator {
        self.entries.iter_mut().map(|e| (&e.name, &mut e.value))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Name> + ExactSizeIterator {
        self.entries.iter().map(|e| &e.name)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|e| &e.value)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|e| &mut e.value)
    }
}

impl Extend<(Name, Value)> for Fields {
    fn extend<I: IntoIterator<Item = (Name, Value)>>(&mut self, items: I) {
        for (name, value) in items {
            self.insert(name, value);
        }
    }
}

impl FromIterator<(Name, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (Name, Value)>>(items: I) -> Fields {
        let mut fields = Fields::new();
        fields.extend(items);
        fields
    }
}

impl IntoIterator for Fields {
    type Item = (Name, Value);
    type IntoIter = std::iter::Map<std::vec::IntoIter<Entry>, fn(Entry) -> (Name, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter().map(|e| (e.name, e.value))
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a Name, &'a Value);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, Entry>, fn(&'a Entry) -> (&'a Name, &'a Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|e| (&e.name, &e.value))
    }
}

/// Equal when they hold the same fields with the same values, in any order (as maps).
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|e| other.get(&e.name) == Some(&e.value))
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(i: usize) -> Name {
        Name::from(format!("field_{i}"))
    }

    /// Against `IndexMap`, which it replaces: the same lookups, order and removals, on either
    /// side of the size that adds an index.
    #[test]
    fn behaves_as_an_index_map() {
        for size in [0, 1, 5, INDEXED, INDEXED + 1, 40] {
            let mut fields = Fields::new();
            let mut model: indexmap::IndexMap<Name, Value> = indexmap::IndexMap::new();
            for i in 0..size {
                let v = Value::Num(i as f64);
                assert_eq!(fields.insert(name(i), v.clone()), model.insert(name(i), v));
            }
            // Inserting again keeps the place.
            for i in (0..size).step_by(3) {
                let v = Value::str("again");
                assert_eq!(fields.insert(name(i), v.clone()), model.insert(name(i), v));
            }
            for i in (0..size).step_by(4) {
                assert_eq!(
                    fields.shift_remove(&name(i)),
                    model.shift_remove(name(i).as_str())
                );
            }
            fields.retain(|n, _| !n.ends_with('7'));
            model.retain(|n, _| !n.ends_with('7'));
            fields.insert(Name::from("late"), Value::Null);
            model.insert(Name::from("late"), Value::Null);
            let got: Vec<_> = fields.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
            let want: Vec<_> = model.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
            assert_eq!(got, want, "size {size}");
            for i in 0..size + 2 {
                assert_eq!(fields.get(&name(i)), model.get(name(i).as_str()), "{i}");
            }
            assert_eq!(fields.get("missing"), None);
            // The filter of first parts: a head some name has is always found.
            for (n, _) in fields.iter() {
                if let Some((head, _)) = n.split_once('_') {
                    assert!(!fields.may_have_head(head));
                }
            }
        }
        let mut dotted = Fields::new();
        dotted.insert(Name::from("Event.System.EventID"), Value::Num(1.0));
        dotted.insert(Name::from("winlog.event_id"), Value::Num(1.0));
        assert!(dotted.may_have_head("Event") && dotted.may_have_head("winlog"));
        dotted.shift_remove("Event.System.EventID");
        assert!(dotted.may_have_head("winlog"));
        assert_eq!(dotted.get("Event.System.EventID"), None);
    }

    /// `select` against building the record anew, as `table` did: listed names in order, each
    /// once, absent ones skipped; on either side of the size that adds an index.
    #[test]
    fn select_keeps_the_named_fields_in_the_order_named() {
        for size in [0, 3, INDEXED, INDEXED + 1, 40] {
            let mut fields = Fields::new();
            for i in 0..size {
                fields.insert(name(i), Value::Num(i as f64));
            }
            let listed: Vec<Name> = [7, 2, 99, 2, 0, size.saturating_sub(1), 30]
                .into_iter()
                .map(name)
                .collect();
            let mut want = Fields::new();
            for n in &listed {
                if let Some(v) = fields.get(n) {
                    want.insert(n.clone(), v.clone());
                }
            }
            fields.select(listed.iter().map(Name::as_str));
            let got: Vec<_> = fields.iter().collect();
            assert_eq!(got, want.iter().collect::<Vec<_>>(), "size {size}");
            for n in &listed {
                assert_eq!(fields.get(n), want.get(n), "size {size}: {n}");
            }
            assert_eq!(fields.get(&name(1)), None);
        }
    }

    #[test]
    fn names_compare_as_bytes_at_every_length() {
        let text = b"abcdefghijklmnopqrstuvwxyz";
        for len in 0..text.len() {
            let a = &text[..len];
            assert!(same_name(a, a));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] = b'_';
                assert!(!same_name(a, &b), "{len} {at}");
            }
            assert!(!same_name(a, &text[..len + 1]));
        }
    }

    #[test]
    fn names_that_share_a_tag_stay_apart() {
        // Same length, first and last eight bytes: the same tag, told apart in full.
        let (a, b) = ("abcdefgh_1_ijklmnop", "abcdefgh_2_ijklmnop");
        assert_eq!(name_tag(a.as_bytes()), name_tag(b.as_bytes()));
        let mut fields = Fields::new();
        fields.insert(Name::from(a), Value::Num(1.0));
        fields.insert(Name::from(b), Value::Num(2.0));
        assert_eq!(fields.get(a), Some(&Value::Num(1.0)));
        assert_eq!(fields.get(b), Some(&Value::Num(2.0)));
        assert_eq!(fields.len(), 2);
    }
}
