//! The rule index: which of many rules an event may match, from each rule's needs
//! (`optimize::needs`), with one scan of the raw line for every rule's literals and one look at
//! each indexed field (`EventID`, `Channel`, ...) for every rule's values.

use super::bitset::Bitset;
use super::tables::Tables;
use crate::eval::event::{LineCheck, LineFilter, Record};
use crate::eval::Value;
use crate::optimize::literal::{searchable, with_ascii_lowercase};
use crate::optimize::Needs;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// A clause of more literals than this is left out (the automaton would grow by thousands of
/// file hashes for one rule).
const MAX_CLAUSE_LITERALS: usize = 1024;

/// Many rules' needs, tested once per event.
#[derive(Debug)]
pub struct RuleIndex {
    rules: usize,
    /// Every literal some rule needs, once, lower-cased, in one automaton (`None`: no rule needs
    /// one).
    automaton: Option<AhoCorasick>,
    patterns: usize,
    /// For each literal of the automaton, the rules whose first (most selective) clause holds it.
    first_of: Vec<Vec<u32>>,
    /// For each rule, its other clauses, as literals of the automaton.
    other_clauses: Vec<Vec<Vec<u32>>>,
    /// Rules that need no literal.
    without_literal: Bitset,
    /// Whether every line is parsed even when no rule may match it (rules that hold every event).
    parse_all: bool,
    tables: Tables,
}

/// Space for the sets worked out for each event, kept between events.
#[derive(Debug)]
pub struct Scratch {
    /// The rules the event may match.
    pub rules: Bitset,
    /// The literals its line holds.
    found: Bitset,
    /// The rules the indexed fields allow.
    allowed: Bitset,
}

impl RuleIndex {
    /// The index of rules with these needs (in rule order); `parse_all` when some rule needs
    /// every event parsed.
    pub fn new(needs: &[Needs], parse_all: bool) -> RuleIndex {
        let rules = needs.len();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut clauses_of: Vec<Vec<Vec<u32>>> = vec![Vec::new(); rules];
        for (rule, need) in needs.iter().enumerate() {
            let kept = need
                .literals
                .iter()
                .filter(|c| c.len() <= MAX_CLAUSE_LITERALS);
            for literals in kept {
                let mut clause: Vec<u32> = literals
                    .iter()
                    .map(|literal| {
                        let lower = literal.to_ascii_lowercase();
                        *ids.entry(lower.clone()).or_insert_with(|| {
                            patterns.push(lower);
                            patterns.len() as u32 - 1
                        })
                    })
                    .collect();
                clause.sort_unstable();
                clause.dedup();
                if let Some(clauses) = clauses_of.get_mut(rule) {
                    clauses.push(clause);
                }
            }
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        if automaton.is_none() {
            clauses_of.iter_mut().for_each(Vec::clear);
        }
        let mut first_of: Vec<Vec<u32>> = vec![Vec::new(); patterns.len()];
        let mut without_literal = Bitset::empty(rules);
        for (rule, clauses) in clauses_of.iter_mut().enumerate() {
            if clauses.is_empty() {
                without_literal.insert(rule);
                continue;
            }
            for &pattern in &clauses.remove(0) {
                if let Some(rules) = first_of.get_mut(pattern as usize) {
                    rules.push(rule as u32);
                }
            }
        }
        RuleIndex {
            rules,
            automaton,
            patterns: patterns.len(),
            first_of,
            other_clauses: clauses_of,
            without_literal,
            parse_all,
            tables: Tables::new(needs),
        }
    }

    /// Whether the index reads lines before they are parsed (some rule needs a literal).
    pub fn reads_lines(&self) -> bool {
        self.automaton.is_some()
    }

    /// Space for [`RuleIndex::candidates`].
    pub fn scratch(&self) -> Scratch {
        Scratch {
            rules: Bitset::empty(self.rules),
            found: Bitset::empty(self.patterns),
            allowed: Bitset::empty(self.rules),
        }
    }

    /// Whether `scratch` was made by [`RuleIndex::scratch`] of an index of this size.
    pub fn fits(&self, scratch: &Scratch) -> bool {
        scratch.rules.len() == self.rules && scratch.found.len() == self.patterns
    }

    /// The rules `record` may match, into `scratch.rules`; `tag` is what [`LineFilter::check`]
    /// found in its line (`None`: the record did not come from a checked line).
    pub fn candidates(&self, tag: Option<&Value>, record: &Record, scratch: &mut Scratch) {
        let Scratch {
            rules: out,
            found: in_line,
            allowed,
        } = scratch;
        out.fill();
        self.tables.restrict(record, out);
        let Some(Value::Multi(found)) = tag else {
            return;
        };
        allowed.copy_from(out);
        out.copy_from(&self.without_literal);
        out.intersect_with(allowed);
        in_line.clear();
        for pattern in found {
            if let Value::Num(p) = pattern {
                in_line.insert(*p as usize);
            }
        }
        for pattern in in_line.iter() {
            for &rule in self.first_of.get(pattern).into_iter().flatten() {
                let r = rule as usize;
                let met = |clause: &Vec<u32>| clause.iter().any(|&p| in_line.contains(p as usize));
                let others = self.other_clauses.get(r).into_iter().flatten();
                if allowed.contains(r) && !out.contains(r) && others.clone().all(met) {
                    out.insert(r);
                }
            }
        }
    }
}

thread_local! {
    /// [`LineFilter::check`]'s set of literals seen, kept between lines.
    static SEEN: std::cell::RefCell<Bitset> = std::cell::RefCell::new(Bitset::empty(0));
}

impl LineFilter for RuleIndex {
    /// The literals the line holds, by automaton pattern (`true`: any may be there); a line
    /// holding no rule's first clause is only checked.
    fn check(&self, line: &str) -> LineCheck {
        let Some(automaton) = self.automaton.as_ref().filter(|_| searchable(line)) else {
            return LineCheck::Parse(Value::Bool(true));
        };
        // Each literal once, in the order first found (the order does not matter), using a
        // lower-cased copy and a set of those seen kept by the thread from line to line.
        let found = SEEN.with_borrow_mut(|seen| {
            if seen.len() != self.patterns {
                *seen = Bitset::empty(self.patterns);
            }
            with_ascii_lowercase(line, |lower| {
                let mut found: Vec<usize> = Vec::new();
                for m in automaton.find_overlapping_iter(lower) {
                    let p = m.pattern().as_usize();
                    if !seen.contains(p) {
                        seen.insert(p);
                        found.push(p);
                    }
                }
                found.iter().for_each(|&p| seen.remove(p));
                found
            })
        });
        let none = found
            .iter()
            .all(|&p| self.first_of.get(p).is_none_or(Vec::is_empty));
        let skip = none && self.without_literal.is_empty() && !self.parse_all;
        let tag = Value::Multi(found.into_iter().map(|p| Value::Num(p as f64)).collect());
        if skip {
            LineCheck::Skip(tag)
        } else {
            LineCheck::Parse(tag)
        }
    }
}
