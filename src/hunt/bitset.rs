//! A fixed-size set of small numbers (rule positions), one bit each.

/// The numbers below `len` that are in the set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    pub fn empty(len: usize) -> Bitset {
        Bitset {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> Bitset {
        let mut set = Bitset::empty(len);
        set.fill();
        set
    }

    /// Every number below `len`.
    pub fn fill(&mut self) {
        self.words.fill(u64::MAX);
        if self.len % 64 != 0 {
            if let Some(last) = self.words.last_mut() {
                *last = (1 << (self.len % 64)) - 1;
            }
        }
    }

    /// Becomes a copy of `other` (of the same length), without allocating.
    pub fn copy_from(&mut self, other: &Bitset) {
        if self.words.len() == other.words.len() {
            self.words.copy_from_slice(&other.words);
        } else {
            self.clone_from(other);
        }
    }

    pub fn clear(&mut self) {
        self.words.fill(0);
    }

    pub fn insert(&mut self, n: usize) {
        if let Some(word) = self.words.get_mut(n / 64) {
            *word |= 1 << (n % 64);
        }
    }

    pub fn remove(&mut self, n: usize) {
        if let Some(word) = self.words.get_mut(n / 64) {
            *word &= !(1 << (n % 64));
        }
    }

    pub fn contains(&self, n: usize) -> bool {
        self.words
            .get(n / 64)
            .is_some_and(|word| word & (1 << (n % 64)) != 0)
    }

    /// The size of the range the set is of (not how many it holds).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn union_with(&mut self, other: &Bitset) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a |= b);
    }

    pub fn intersect_with(&mut self, other: &Bitset) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a &= b);
    }

    /// Whether the two sets have a number in common.
    pub fn intersects(&self, other: &Bitset) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    /// Keeps the numbers that are in `first` or in one of `others`.
    pub fn intersect_with_any(&mut self, first: &Bitset, others: &[&Bitset]) {
        let word_of = |set: &Bitset, i: usize| set.words.get(i).copied().unwrap_or(0);
        for (i, word) in self.words.iter_mut().enumerate() {
            *word &= others
                .iter()
                .fold(word_of(first, i), |acc, set| acc | word_of(set, i));
        }
    }

    /// The numbers in the set, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    i * 64 + bit
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Bitset;

    #[test]
    fn sets_hold_what_is_put_in_them() {
        let mut a = Bitset::empty(130);
        [0, 63, 64, 129].iter().for_each(|&n| a.insert(n));
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 64, 129]);
        assert!(a.contains(64) && !a.contains(65));
        let full = Bitset::full(130);
        assert_eq!(full.count(), 130);
        let mut b = Bitset::empty(130);
        b.insert(5);
        b.union_with(&a);
        b.intersect_with(&full);
        assert_eq!(b.count(), 5);
        assert!(b.intersects(&a) && !Bitset::empty(130).intersects(&full));
        b.intersect_with_any(&Bitset::empty(130), &[&a]);
        assert_eq!(b.iter().collect::<Vec<_>>(), [0, 63, 64, 129]);
        b.remove(63);
        assert_eq!(b.count(), 3);
        b.clear();
        assert!(b.is_empty());
    }
}
