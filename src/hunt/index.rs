//! The rule index: which of many rules an event may match, from each rule's needs
//! (`optimize::needs`), with one scan of the raw line for every rule's literals and one look at
//! each indexed field (`EventID`, `Channel`, ...) for every rule's values.

use super::bitset::Bitset;
use super::tables::Tables;
use crate::eval::event::{LineCheck, LineFilter, Record};
use crate::eval::Value;
use crate::optimize::literal::searchable;
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
    /// For each literal of the automaton, the rules that need it, with the clause it is in.
    needed_by: Vec<Vec<(u32, u8)>>,
    /// How many literal clauses each rule needs (0: none).
    clauses: Vec<u8>,
    /// Rules that need no literal.
    without_literal: Bitset,
    /// Whether every line is parsed even when no rule may match it (rules that hold every event).
    parse_all: bool,
    tables: Tables,
}

impl RuleIndex {
    /// The index of rules with these needs (in rule order); `parse_all` when some rule needs
    /// every event parsed.
    pub fn new(needs: &[Needs], parse_all: bool) -> RuleIndex {
        let rules = needs.len();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut needed_by: Vec<Vec<(u32, u8)>> = Vec::new();
        let mut clauses = vec![0u8; rules];
        for (rule, need) in needs.iter().enumerate() {
            let kept = need
                .literals
                .iter()
                .filter(|c| c.len() <= MAX_CLAUSE_LITERALS)
                .enumerate();
            for (clause, literals) in kept {
                if let Some(count) = clauses.get_mut(rule) {
                    *count = clause as u8 + 1;
                }
                for literal in literals {
                    let lower = literal.to_ascii_lowercase();
                    let id = *ids.entry(lower.clone()).or_insert_with(|| {
                        patterns.push(lower);
                        needed_by.push(Vec::new());
                        patterns.len() - 1
                    });
                    if let Some(rules) = needed_by.get_mut(id) {
                        rules.push((rule as u32, clause as u8));
                    }
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
            clauses.fill(0);
        }
        let mut without_literal = Bitset::empty(rules);
        clauses
            .iter()
            .enumerate()
            .filter(|(_, count)| **count == 0)
            .for_each(|(r, _)| without_literal.insert(r));
        RuleIndex {
            rules,
            automaton,
            needed_by,
            clauses,
            without_literal,
            parse_all,
            tables: Tables::new(needs),
        }
    }

    /// Whether the index reads lines before they are parsed (some rule needs a literal).
    pub fn reads_lines(&self) -> bool {
        self.automaton.is_some()
    }

    /// The rules `record` may match, into `out`; `tag` is what [`LineFilter::check`] found in its
    /// line (`None`: the record did not come from a checked line).
    pub fn candidates(&self, tag: Option<&Value>, record: &Record, out: &mut Bitset) {
        match tag {
            Some(Value::Multi(rules)) => {
                out.clone_from(&self.without_literal);
                for rule in rules {
                    if let Value::Num(n) = rule {
                        out.insert(*n as usize);
                    }
                }
            }
            _ => out.fill(),
        }
        if !out.is_empty() {
            self.tables.restrict(record, out);
        }
    }

    /// An empty set the size of the rule list.
    pub fn no_rules(&self) -> Bitset {
        Bitset::empty(self.rules)
    }

    /// The rules whose every literal clause the (lower-cased) line meets.
    fn rules_in(&self, automaton: &AhoCorasick, lower: &str) -> Vec<u32> {
        let mut patterns: Vec<usize> = automaton
            .find_overlapping_iter(lower)
            .map(|m| m.pattern().as_usize())
            .collect();
        patterns.sort_unstable();
        patterns.dedup();
        let mut met = vec![0u8; self.rules];
        let mut found = Vec::new();
        for pattern in patterns {
            for &(rule, clause) in self.needed_by.get(pattern).into_iter().flatten() {
                let r = rule as usize;
                let (Some(met), Some(&clauses)) = (met.get_mut(r), self.clauses.get(r)) else {
                    continue;
                };
                let before = *met;
                *met |= 1 << clause;
                if *met != before && u32::from(*met) + 1 == 1 << clauses {
                    found.push(rule);
                }
            }
        }
        found
    }
}

impl LineFilter for RuleIndex {
    /// The rules whose literals the line holds (`true`: any rule's may be there).
    fn check(&self, line: &str) -> LineCheck {
        let Some(automaton) = self.automaton.as_ref().filter(|_| searchable(line)) else {
            return LineCheck::Parse(Value::Bool(true));
        };
        let found = self.rules_in(automaton, &line.to_ascii_lowercase());
        let skip = found.is_empty() && self.without_literal.is_empty() && !self.parse_all;
        let tag = Value::Multi(found.into_iter().map(|r| Value::Num(r as f64)).collect());
        if skip {
            LineCheck::Skip(tag)
        } else {
            LineCheck::Parse(tag)
        }
    }
}
