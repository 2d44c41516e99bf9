//! The rule index: which of many rules an event may match, from each rule's needs
//! (`optimize::needs`), with one scan of the raw line for every rule's literals and one look at
//! each indexed field (`EventID`, `Channel`, ...) for every rule's values.

use super::bitset::Bitset;
use crate::eval::compile::Lookup;
use crate::eval::event::{LineCheck, LineFilter, Record};
use crate::eval::Value;
use crate::optimize::literal::searchable;
use crate::optimize::{Needs, ValueNeed};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// A clause of more literals than this is left out (the automaton would grow by thousands of
/// file hashes for one rule).
const MAX_CLAUSE_LITERALS: usize = 512;

/// At most this many field sets are indexed (each costs a few lookups per event)...
const MAX_TABLES: usize = 12;
/// ...each needed by at least this many rules.
const MIN_TABLE_RULES: usize = 2;

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
    tables: Vec<ValueTable>,
}

/// The rules that need something of one set of fields: a value (by value), any value, or that
/// the fields be absent.
#[derive(Debug)]
struct ValueTable {
    fields: Vec<(String, Lookup)>,
    /// The rules an event with this (lower-cased) value in the fields may match.
    by_value: HashMap<String, Bitset, foldhash::fast::FixedState>,
    /// Rules that need the fields to hold any value.
    any_value: Bitset,
    /// Rules that need nothing of these fields.
    free: Bitset,
    /// The rules an event without any of the fields may match.
    when_absent: Bitset,
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
            tables: tables(needs),
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
        for table in &self.tables {
            if out.is_empty() {
                return;
            }
            table.restrict(record, out);
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

/// The value tables worth keeping: the field sets most rules need values of.
fn tables(needs: &[Needs]) -> Vec<ValueTable> {
    let mut by_fields: HashMap<&[String], Vec<(usize, &ValueNeed)>> = HashMap::new();
    for (rule, need) in needs.iter().enumerate() {
        for value in &need.values {
            by_fields
                .entry(&value.fields)
                .or_default()
                .push((rule, value));
        }
    }
    let mut sets: Vec<_> = by_fields
        .into_iter()
        .filter(|(_, rules)| rules.len() >= MIN_TABLE_RULES)
        .collect();
    sets.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
    sets.into_iter()
        .take(MAX_TABLES)
        .map(|(fields, rules)| ValueTable::new(fields, &rules, needs.len()))
        .collect()
}

impl ValueTable {
    fn new(fields: &[String], needing: &[(usize, &ValueNeed)], rules: usize) -> ValueTable {
        let mut free = Bitset::full(rules);
        let mut any_value = Bitset::empty(rules);
        let mut by_value: HashMap<String, Bitset, _> = HashMap::default();
        for (rule, need) in needing {
            free.remove(*rule);
            let Some(values) = &need.values else {
                any_value.insert(*rule);
                continue;
            };
            for value in values {
                by_value
                    .entry(value.clone())
                    .or_insert_with(|| Bitset::empty(rules))
                    .insert(*rule);
            }
        }
        let mut when_absent = free.clone();
        needing
            .iter()
            .filter(|(_, need)| need.or_absent)
            .for_each(|(rule, _)| when_absent.insert(*rule));
        ValueTable {
            fields: fields.iter().map(|f| (f.clone(), Lookup::of(f))).collect(),
            by_value,
            any_value,
            free,
            when_absent,
        }
    }

    /// Keeps in `out` the rules whose need of these fields the record meets.
    fn restrict(&self, record: &Record, out: &mut Bitset) {
        let mut present = false;
        let mut allowed: Vec<&Bitset> = vec![&self.any_value];
        let mut look = |value: &Value| {
            for item in value.values() {
                present = true;
                if self.by_value.is_empty() {
                    break;
                }
                if let Some(rules) = self.by_value.get(&item.text().to_lowercase()) {
                    allowed.push(rules);
                }
            }
        };
        for (field, lookup) in &self.fields {
            if let Lookup::Wild { .. } = lookup {
                record
                    .fields
                    .iter()
                    .filter(|(name, _)| lookup.covers(field, name))
                    .for_each(|(_, v)| look(v));
            } else if let Some(value) = record.get(field) {
                look(value);
            }
        }
        if present {
            out.intersect_with_any(&self.free, &allowed);
        } else {
            out.intersect_with(&self.when_absent);
        }
    }
}
