//! Where a record's field names lead: the index keeps things by the fields rules name (value
//! tables, literals), and a record's field is each rule field that a lookup of it would return.
//! `a{}.b` is also found as `a.b` (`Record::get`), and a name with `*` stands for every name it
//! covers (`Event.UserData.*.Image`).

use crate::eval::compile::Lookup;
use crate::eval::stage::field_matches;
use foldhash::fast::FixedState;
use std::collections::HashMap;

/// Rule fields, each with an id (several fields may share one), found from record names.
#[derive(Debug)]
pub struct FieldNames<T> {
    /// The ids of each field name without `*` (`a{}.b` under both spellings).
    by_name: HashMap<String, Vec<T>, FixedState>,
    /// Field names with `*`, by the text before it, with their ids.
    wild: Vec<(String, Vec<(String, T)>)>,
}

impl<T> Default for FieldNames<T> {
    fn default() -> Self {
        FieldNames {
            by_name: HashMap::default(),
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
            Lookup::Braces | Lookup::Plain => {
                for name in [field.to_string(), field.replace("{}", "")] {
                    let ids = self.by_name.entry(name).or_default();
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
    }

    /// Calls `f` with the id of every rule field whose lookup finds the record field `name`
    /// (an id once per field that leads to it).
    pub fn each(&self, name: &str, mut f: impl FnMut(T)) {
        for &id in self.by_name.get(name).into_iter().flatten() {
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
