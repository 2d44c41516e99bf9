//! The sets of texts behind `dc()` and `values()`. In most groups of a detection's `stats` such
//! a set sees one value only (one user per host, one destination per source), so a set holds
//! its first value inline and builds its table only for a second: a group's set then costs no
//! allocation, and checking a value against it follows no pointer.

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

/// A set of texts holding up to one inline, then a [`Many`].
#[derive(Debug, Clone, Default)]
pub enum Few<S> {
    #[default]
    Empty,
    One(Text),
    Many(S),
}

impl<S: Many> Few<S> {
    /// Adds the text; whether it was new.
    pub fn insert(&mut self, text: Cow<'_, str>) -> bool {
        match self {
            Few::Empty => *self = Few::One(Text::from(text)),
            Few::One(first) if first.as_str() == text => return false,
            Few::One(first) => {
                let mut many = S::default();
                many.insert(first.clone());
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
            Few::Many(many) => many.len(),
        }
    }

    /// The texts, in the order of `S`.
    pub fn into_texts(self) -> Vec<Text> {
        match self {
            Few::Empty => Vec::new(),
            Few::One(first) => vec![first],
            Few::Many(many) => many.into_texts(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the plain set, over every order of a few texts with repeats.
    #[test]
    fn holds_what_the_plain_set_holds() {
        let texts = [
            "b",
            "a",
            "b",
            "c",
            "a",
            "a longer text than fits inline, shared",
        ];
        for start in 0..texts.len() {
            let mut few: Few<HashSet<Text>> = Few::default();
            let mut plain = HashSet::new();
            for t in texts.iter().cycle().skip(start).take(texts.len()) {
                assert_eq!(few.insert(Cow::Borrowed(t)), plain.insert(Text::new(t)));
                assert_eq!(few.len(), plain.len());
            }
            let (mut held, mut want) = (few.into_texts(), plain.into_iter().collect::<Vec<_>>());
            held.sort_unstable();
            want.sort_unstable();
            assert_eq!(held, want);
        }
    }
}
