//! Where a record's field names lead: the index keeps things by the fields rules name (value
//! tables, literals), and a record's field is each rule field that a lookup of it would return.
//! `a{}.b` is also found as `a.b` (`Record::get`), and a name with `*` stands for every name it
//! covers (`Event.UserData.*.Image`).

use crate::eval::compile::Lookup;
use crate::eval::event::{name_tag, same_name};
use crate::eval::stage::field_matches;
use hashbrown::HashTable;

/// Rule fields, each with an id (several fields may share one), found from record names.
#[derive(Debug)]
pub struct FieldNames<T> {
    /// The ids of each field name without `*` (`a{}.b` under both spellings), by the name's
    /// [`name_tag`] (which a record keeps for each of its names: no name is hashed to look
    /// it up).
    by_name: HashTable<(u64, String, Vec<T>)>,
    /// Field names with `*`, by the text before it, with their ids.
    wild: Vec<(String, Vec<(String, T)>)>,
}

impl<T> Default for FieldNames<T> {
    fn default() -> Self {
        FieldNames {
            by_name: HashTable::new(),
            wild: Vec::new(),
        }
    }
}

impl<T: Copy + PartialEq> FieldNames<T> {
    /// Files `id` under the rule field `field`.
    pub fn add(&mut self, field: &str, id: T) {
        match Lookup::of(field) {
            Lookup::Wild { prefix, .. } => {
                let prefix = field.get(..prefix).unwrap_or(field);
                let at = match self.wild.iter().position(|(p, _)| p == prefix) {
                    Some(at) => at,
                    None => {
                        self.wild.push((prefix.to_string(), Vec::new()));
                        self.wild.len() - 1
                    }
                };
                if let Some((_, fields)) = self.wild.get_mut(at) {
                    fields.push((field.to_string(), id));
                }
            }
            Lookup::Braces | Lookup::Plain { .. } => {
                for name in [field.to_string(), field.replace("{}", "")] {
                    let tag = name_tag(name.as_bytes());
                    let (_, _, ids) = self
                        .by_name
                        .entry(tag, |(t, n, _)| *t == tag && *n == name, |(t, _, _)| *t)
                        .or_insert_with(|| (tag, name, Vec::new()))
                        .into_mut();
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
    }

    /// Calls `f` with the id of every rule field whose lookup finds the record field `name`
    /// (an id once per field that leads to it).
    #[cfg(test)]
    pub fn each(&self, name: &str, f: impl FnMut(T)) {
        self.each_tagged(name_tag(name.as_bytes()), name, f);
    }

    /// `FieldNames::each` (a test helper) for a name whose [`name_tag`] is `tag`.
    pub fn each_tagged(&self, tag: u64, name: &str, mut f: impl FnMut(T)) {
        let found = self.by_name.find(tag, |(t, n, _)| {
            *t == tag && same_name(n.as_bytes(), name.as_bytes())
        });
        for &id in found.map(|(_, _, ids)| ids).into_iter().flatten() {
            f(id);
        }
        for (prefix, fields) in &self.wild {
            if name.starts_with(prefix.as_str()) {
                fields
                    .iter()
                    .filter(|(field, _)| field_matches(field, name))
                    .for_each(|&(_, id)| f(id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lead_to_the_fields_whose_lookups_find_them() {
        let mut names = FieldNames::default();
        names.add("Image", 1);
        names.add("Event.UserData.*.Image", 2);
        names.add("a{}.b", 3);
        let ids = |name: &str| {
            let mut out = Vec::new();
            names.each(name, |id| out.push(id));
            out
        };
        assert_eq!(ids("Image"), [1]);
        assert_eq!(ids("Event.UserData.Rule.Image"), [2]);
        assert_eq!(ids("Event.UserData.Image"), Vec::<i32>::new());
        assert_eq!(ids("a.b"), [3]);
        assert_eq!(ids("a{}.b"), [3]);
        assert_eq!(ids("image"), Vec::<i32>::new());
    }
}
