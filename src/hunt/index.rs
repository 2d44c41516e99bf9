//! The rule index: which of many rules an event may match, from each rule's needs
//! (`optimize::needs`), with one scan of the raw line for every rule's literals and one look at
//! each indexed field (`EventID`, `Channel`, ...) for every rule's values.

use super::bitset::Bitset;
use crate::eval::event::{LineCheck, LineFilter, Record};
use crate::eval::Value;
use crate::optimize::literal::searchable;
use crate::optimize::{Needs, ValueNeed};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

/// At most this many field sets are indexed (each costs a few lookups per event)...
const MAX_TABLES: usize = 8;
/// ...each needed by at least this many rules.
const MIN_TABLE_RULES: usize = 2;

/// Many rules' needs, tested once per event.
#[derive(Debug)]
pub struct RuleIndex {
    rules: usize,
    /// Every literal some rule needs, once, in one automaton (`None`: no rule needs one).
    automaton: Option<AhoCorasick>,
    /// The rules that need each literal of the automaton (one of theirs).
    rules_of: Vec<Vec<usize>>,
    /// Rules that need no literal.
    without_literal: Bitset,
    /// Whether every line is parsed even when no rule may match it (rules that hold every event).
    parse_all: bool,
    tables: Vec<ValueTable>,
}

/// The rules that need a value of one set of fields, by value.
#[derive(Debug)]
struct ValueTable {
    fields: Vec<String>,
    /// The rules an event with this (lower-cased) value in the fields may match.
    by_value: HashMap<String, Bitset, foldhash::fast::FixedState>,
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
        let mut literals: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut rules_of: Vec<Vec<usize>> = Vec::new();
        let mut without_literal = Bitset::empty(rules);
        for (rule, need) in needs.iter().enumerate() {
            let Some(any_of) = &need.literals else {
                without_literal.insert(rule);
                continue;
            };
            for literal in any_of {
                let id = *literals
                    .entry(literal.to_ascii_lowercase())
                    .or_insert_with(|| {
                        patterns.push(literal.clone());
                        rules_of.push(Vec::new());
                        patterns.len() - 1
                    });
                if rules_of[id].last() != Some(&rule) {
                    rules_of[id].push(rule);
                }
            }
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        if automaton.is_none() {
            without_literal.fill();
        }
        RuleIndex {
            rules,
            automaton,
            rules_of,
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
            Some(Value::Multi(ids)) => {
                out.clone_from(&self.without_literal);
                for id in ids {
                    if let Value::Num(n) = id {
                        self.rules_of[*n as usize]
                            .iter()
                            .for_each(|&r| out.insert(r));
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
}

impl LineFilter for RuleIndex {
    /// The literals found in the line, by automaton pattern (`true`: any may be there).
    fn check(&self, line: &str) -> LineCheck {
        let Some(automaton) = self.automaton.as_ref().filter(|_| searchable(line)) else {
            return LineCheck::Parse(Value::Bool(true));
        };
        let mut found: Vec<usize> = automaton
            .find_overlapping_iter(line)
            .map(|m| m.pattern().as_usize())
            .collect();
        found.sort_unstable();
        found.dedup();
        let skip = found.is_empty() && self.without_literal.is_empty() && !self.parse_all;
        let tag = Value::Multi(found.into_iter().map(|id| Value::Num(id as f64)).collect());
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
        let mut by_value: HashMap<String, Bitset, _> = HashMap::default();
        for (rule, need) in needing {
            free.remove(*rule);
            for value in &need.values {
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
            fields: fields.to_vec(),
            by_value,
            free,
            when_absent,
        }
    }

    /// Keeps in `out` the rules whose need of these fields the record meets.
    fn restrict(&self, record: &Record, out: &mut Bitset) {
        let mut present = false;
        let mut allowed: Vec<&Bitset> = Vec::new();
        for field in &self.fields {
            for item in record.get(field).map_or(&[][..], Value::values) {
                present = true;
                if let Some(rules) = self.by_value.get(&item.text().to_lowercase()) {
                    allowed.push(rules);
                }
            }
        }
        if present {
            out.intersect_with_any(&self.free, &allowed);
        } else {
            out.intersect_with(&self.when_absent);
        }
    }
}
