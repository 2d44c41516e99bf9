//! The sets of texts behind `dc()` and `values()`. In most groups of a detection's `stats` such
//! a set sees one value only (one user per host, one destination per source), so a set holds
//! its first value inline: a group's set then costs no allocation, and checking a value against
//! it follows no pointer. Up to [`FEW`] texts lie in one short list, searched in turn (a
//! handful of users per host: one block to read, no hashing); a table is built past that.

use crate::eval::value::Text;
use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::BuildHasher;

/// A set of texts; [`Few`] keeps one in front of it.
pub trait Many: Default {
    fn contains(&self, text: &str) -> bool;
    fn insert(&mut self, text: Text);
    fn len(&self) -> usize;
    /// The texts, in the set's own order.
    fn into_texts(self) -> Vec<Text>;
}

impl<H: BuildHasher + Default> Many for HashSet<Text, H> {
    fn contains(&self, text: &str) -> bool {
        HashSet::contains(self, text)
    }
    fn insert(&mut self, text: Text) {
        HashSet::insert(self, text);
    }
    fn len(&self) -> usize {
        HashSet::len(self)
    }
    fn into_texts(self) -> Vec<Text> {
        self.into_iter().collect()
    }
}

/// A [`Few`] holds up to this many texts in a list, searched in turn.
const FEW: usize = 8;

/// A set of texts holding up to one inline, up to [`FEW`] in a list, then a [`Many`].
#[derive(Debug, Clone, Default)]
pub enum Few<S> {
    #[default]
    Empty,
    One(Text),
    List(Vec<Text>),
    Many(S),
}

impl<S: Many> Few<S> {
    /// Adds the text; whether it was new.
    pub fn insert(&mut self, text: Cow<'_, str>) -> bool {
        match self {
            Few::Empty => *self = Few::One(Text::from(text)),
            Few::One(first) if first.as_str() == text => return false,
            Few::One(first) => {
                let mut list = Vec::with_capacity(FEW);
                list.push(first.clone());
                list.push(Text::from(text));
                *self = Few::List(list);
            }
            Few::List(list) if list.iter().any(|t| t.as_str() == text) => return false,
            Few::List(list) if list.len() < FEW => list.push(Text::from(text)),
            Few::List(list) => {
                let mut many = S::default();
                list.drain(..).for_each(|t| many.insert(t));
                many.insert(Text::from(text));
                *self = Few::Many(many);
            }
            Few::Many(many) if many.contains(&text) => return false,
            Few::Many(many) => many.insert(Text::from(text)),
        }
        true
    }

    /// Adds every text of `other`.
    pub fn absorb(&mut self, other: Few<S>) {
        for text in other.into_texts() {
            self.insert(Cow::Borrowed(&text));
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Few::Empty => 0,
            Few::One(_) => 1,
            Few::List(list) => list.len(),
            Few::Many(many) => many.len(),
        }
    }

    /// The texts: in first-seen order up to [`FEW`], past that in the order of `S`.
    pub fn into_texts(self) -> Vec<Text> {
        match self {
            Few::Empty => Vec::new(),
            Few::One(first) => vec![first],
            Few::List(list) => list,
            Few::Many(many) => many.into_texts(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the plain set, over several orders of texts with repeats, from one past the
    /// list's room (a table) down to one.
    #[test]
    fn holds_what_the_plain_set_holds() {
        let long = "a longer text than fits inline, shared";
        for distinct in 1..=FEW + 2 {
            let mut texts: Vec<String> = (0..distinct).map(|i| format!("t{i}")).collect();
            texts.push(long.to_string());
            texts.extend((0..distinct).step_by(2).map(|i| format!("t{i}")));
            for start in 0..texts.len() {
                let mut few: Few<HashSet<Text>> = Few::default();
                let mut plain = HashSet::new();
                for t in texts.iter().cycle().skip(start).take(texts.len()) {
                    assert_eq!(few.insert(Cow::Borrowed(t)), plain.insert(Text::new(t)));
                    assert_eq!(few.len(), plain.len());
                }
                let mut held = few.into_texts();
                let mut want = plain.into_iter().collect::<Vec<_>>();
                held.sort_unstable();
                want.sort_unstable();
                assert_eq!(held, want);
            }
        }
    }
}
