//! The rule index: which of many rules an event may match, from each rule's needs
//! (`optimize::needs`), with one search for every rule's literals and one look at each indexed
//! field (`EventID`, `Channel`, ...) for every rule's values. The literals are looked for in the
//! raw line before it is parsed, so that a line no rule may match is skipped unparsed; or, when
//! every line is parsed anyway (some rule needs no literal), in the values of the fields they
//! come from: fewer bytes to search than the whole line, and a text found in another field
//! (`\cmd.exe` in `ParentImage` for a rule on `Image`) no longer makes a rule a candidate.

use super::bitset::Bitset;
use super::names::FieldNames;
use super::tables::Tables;
use crate::eval::event::{LineCheck, LineFilter, Record};
use crate::eval::stage::field_matches;
use crate::eval::wild::with_text;
use crate::eval::Value;
use crate::optimize::literal::{line_spelling, searchable, searchable_text, with_ascii_lowercase};
use crate::optimize::Needs;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use foldhash::fast::FixedState;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// The hash maps of the index as it is built (tens of thousands of texts: SipHash hashing was
/// 6% of building it, by the profile).
type Map<K, V> = HashMap<K, V, FixedState>;

/// A clause of more literals than this is left out (the automaton would grow by thousands of
/// file hashes for one rule).
const MAX_CLAUSE_LITERALS: usize = 1024;

/// Up to this many texts an automaton is a DFA: faster by a third than a contiguous NFA, and
/// still small (thousands of texts make a DFA of a hundred megabytes, built slowly).
const SMALL: usize = 256;

/// Many rules' needs, tested once per event.
#[derive(Debug)]
pub struct RuleIndex {
    /// Tells this index apart from others (a [`Scratch`] keeps what one index worked out).
    id: u64,
    rules: usize,
    /// How many literals the clauses are made of (numbered from 0).
    literals: usize,
    /// Where the literals are looked for, and their texts.
    scope: Scope,
    /// For each literal, the rules whose first (most selective) clause holds it.
    first_of: Vec<Vec<u32>>,
    /// For each rule, its other clauses, as literals.
    other_clauses: Vec<Vec<Vec<u32>>>,
    /// Rules that need no literal.
    without_literal: Bitset,
    /// Whether every line is parsed even when no rule may match it (rules that hold every event).
    parse_all: bool,
    tables: Tables,
}

/// Where the index looks for the literals.
#[derive(Debug)]
enum Scope {
    /// In the raw line, before it is parsed: a literal is a text as the line spells it (its
    /// number is the text's), in whatever field it is found.
    Line(Texts),
    /// In the values of the fields they come from, once the line is parsed: a literal is a
    /// text in one field. The texts of `_raw` (the whole line; keyword rules) are searched for
    /// there alone, those of other fields in the other values.
    Fields(Box<InFields>),
}

/// The literals of [`Scope::Fields`].
#[derive(Debug)]
struct InFields {
    /// The field sets of record names (a literal is a text in any field of a set).
    names: FieldNames<u32>,
    /// For each field set, the rules with literals in it: a field is searched only when the
    /// value tables allow one of the rules of its sets.
    rules_of: Vec<Bitset>,
    others: Texts,
    raw: Texts,
    /// The rules with texts in `raw`, and the texts of each rule there: a line is searched
    /// for all of them only once a quick search for those of the rules allowed finds one.
    raw_rules: Bitset,
    raw_of_rule: Vec<Vec<u32>>,
}

/// What an event's allowed rules (those the value tables leave) make of [`InFields`], worked
/// out once per set of rules allowed (few: one per kind of event) and kept in [`Scratch`].
#[derive(Debug)]
struct PerAllowed {
    /// The field sets that some allowed rule has literals in: the fields worth searching.
    sets: Bitset,
    /// The quick search for the keyword texts of the allowed rules (`None` inside: too many
    /// for one, or none), built when first needed.
    quick: Option<Option<AhoCorasick>>,
}

/// The most sets of allowed rules a [`Scratch`] keeps [`PerAllowed`] for.
const PER_ALLOWED_KEPT: usize = 256;

/// The most texts a quick search looks for (the vectorised prefilter works on up to 64).
const QUICK_TEXTS: usize = 64;

/// Lower-cased texts in one automaton.
#[derive(Debug, Default)]
struct Texts {
    ids: Map<String, u32>,
    patterns: Vec<String>,
    /// For each text, the literals it is, as (field set, literal) (when in fields).
    of_text: Vec<Vec<(u32, u32)>>,
    /// `None`: no texts, or too many for one automaton.
    automaton: Option<AhoCorasick>,
}

impl Texts {
    /// The number of a text, added if new.
    fn id(&mut self, text: String) -> u32 {
        *self.ids.entry(text).or_insert_with_key(|t| {
            self.patterns.push(t.clone());
            self.of_text.push(Vec::new());
            self.patterns.len() as u32 - 1
        })
    }

    /// Notes that `text` in field `field` is literal `literal`.
    fn add(&mut self, text: &str, field: u32, literal: u32) {
        let id = self.id(text.to_string());
        if let Some(of) = self.of_text.get_mut(id as usize) {
            of.push((field, literal));
        }
    }

    /// Builds the automaton; `false` when the texts do not fit one.
    fn build(&mut self) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        let kind = if self.patterns.len() <= SMALL {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        self.automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&self.patterns)
            .ok();
        self.automaton.is_some()
    }

    /// Calls `found` with each text found in `text` (ASCII case aside, by a lower-cased copy:
    /// measured, a DFA ignoring case itself was no faster), as often as it occurs.
    fn search(&self, text: &str, mut found: impl FnMut(u32)) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        with_ascii_lowercase(text, |lower| {
            for m in automaton.find_overlapping_iter(lower) {
                found(m.pattern().as_u32());
            }
        });
    }
}

/// The literals of [`Scope::Fields`] as they are made: a literal is a text in a set of
/// fields (numbered as [`InFields::names`] numbers them).
struct FieldLiterals {
    names: FieldNames<u32>,
    /// The number of each set of field names (sorted).
    sets: HashTable<(Vec<String>, u32)>,
    /// For each set, the rules with literals in it.
    rules_of: Vec<Bitset>,
    /// The number of each literal, by lower-cased text and set.
    literal_ids: Map<(String, u32), u32>,
    others: Texts,
    raw: Texts,
    raw_of_rule: Vec<Vec<u32>>,
}

impl FieldLiterals {
    fn new(rules: usize) -> FieldLiterals {
        FieldLiterals {
            names: FieldNames::default(),
            sets: HashTable::new(),
            rules_of: Vec::new(),
            literal_ids: Map::default(),
            others: Texts::default(),
            raw: Texts::default(),
            raw_of_rule: vec![Vec::new(); rules],
        }
    }

    /// The number of the literal `text` (lower-cased) in any of the fields `names`, which
    /// rule `rule` has.
    fn literal(&mut self, rule: usize, text: String, mut names: Vec<&str>) -> u32 {
        names.sort_unstable();
        names.dedup();
        let rules = self.raw_of_rule.len();
        let next = self.sets.len() as u32;
        let hash = FixedState::default().hash_one(&names);
        let same = |(set, _): &(Vec<String>, u32)| set.iter().eq(names.iter());
        let set = match self.sets.find(hash, same) {
            Some(&(_, set)) => set,
            None => {
                names.iter().for_each(|name| self.names.add(name, next));
                self.rules_of.push(Bitset::empty(rules));
                let key = names.iter().map(|n| n.to_string()).collect();
                let rehash = |(set, _): &(Vec<String>, u32)| FixedState::default().hash_one(set);
                self.sets.insert_unique(hash, (key, next), rehash);
                next
            }
        };
        if let Some(rules) = self.rules_of.get_mut(set as usize) {
            rules.insert(rule);
        }
        let in_raw = names.iter().any(|name| field_matches(name, "_raw"));
        if in_raw {
            // Every rule's keyword texts, also those another rule had first.
            let id = self.raw.id(text.clone());
            if let Some(texts) = self.raw_of_rule.get_mut(rule) {
                texts.push(id);
            }
        }
        let next = self.literal_ids.len() as u32;
        let FieldLiterals {
            literal_ids,
            others,
            raw,
            ..
        } = self;
        *literal_ids
            .entry((text, set))
            .or_insert_with_key(|(text, _)| {
                if names.iter().any(|name| *name != "_raw") {
                    others.add(text, set, next);
                }
                if in_raw {
                    raw.add(text, set, next);
                }
                next
            })
    }
}

/// Space for the sets worked out for each event, kept between events.
#[derive(Debug)]
pub struct Scratch {
    /// The rules the event may match.
    pub rules: Bitset,
    /// The literals found.
    found: Found,
    /// The rules the indexed fields allow.
    allowed: Bitset,
    /// The field sets of the record field being searched.
    fields: Vec<u32>,
    /// The index the space is for, and what it worked out for each set of allowed rules.
    index: u64,
    per_allowed: HashTable<(Bitset, PerAllowed)>,
    /// The literals found in field values seen before.
    memo: Memo,
}

/// The literals found in each field value searched (by field name and text), for values that
/// come again: most do. In the real Windows events of the corpus (Sysmon, WFP, SMB; 59-350
/// events a file) 83-88% of the string values of four or more characters repeat an earlier value
/// of the same field (79-95% in its Zeek logs), paths and command lines among them; a value
/// seen before costs a hash and a comparison instead of an automaton search. A value is kept
/// the second time it is seen: one seen once costs a hash and a number kept, not a copy. `_raw`
/// (the line) rarely comes again, but it is searched only when a quick search finds a keyword
/// in it, so it goes the same way at no cost worth a case of its own.
#[derive(Debug, Default)]
struct Memo {
    table: HashTable<Remembered>,
    /// The bytes of text the table holds.
    bytes: usize,
    /// The hashes of values seen once.
    once: HashTable<u64>,
    /// The literals of the value being searched.
    spare: Vec<u32>,
}

#[derive(Debug)]
struct Remembered {
    hash: u64,
    /// The field name, then the text.
    key: Box<str>,
    name_len: usize,
    /// `None`: the text cannot be searched (any literal may be there).
    literals: Option<Box<[u32]>>,
}

/// The most bytes of text a [`Memo`] holds and the most values it knows were seen once (each is
/// emptied when full), and the longest text it keeps.
const MEMO_BYTES: usize = 4 << 20;
const MEMO_ONCE: usize = 1 << 16;
const MEMO_TEXT: usize = 4096;

impl Memo {
    /// The literals in `text`, a value of field `name`, into `found`, as `search` finds them
    /// (`false` when it cannot be searched); worked out once per name and text.
    fn note(
        &mut self,
        name: &str,
        text: &str,
        found: &mut Found,
        search: impl FnOnce(&mut Vec<u32>) -> bool,
    ) -> bool {
        let hash = FixedState::default().hash_one((name, text));
        let same = |r: &Remembered| {
            r.hash == hash
                && r.key.len() == name.len() + text.len()
                && r.key.get(..r.name_len) == Some(name)
                && r.key.get(r.name_len..) == Some(text)
        };
        if let Some(r) = self.table.find(hash, same) {
            return match &r.literals {
                Some(literals) => {
                    literals.iter().for_each(|&l| found.note(l));
                    true
                }
                None => false,
            };
        }
        let mut literals = std::mem::take(&mut self.spare);
        literals.clear();
        let searchable = search(&mut literals);
        literals.iter().for_each(|&l| found.note(l));
        if text.len() <= MEMO_TEXT && self.seen_before(hash) {
            let size = name.len() + text.len();
            if self.bytes + size > MEMO_BYTES {
                self.table.clear();
                self.bytes = 0;
            }
            self.bytes += size;
            let remembered = Remembered {
                hash,
                key: [name, text].concat().into(),
                name_len: name.len(),
                literals: searchable.then(|| literals.as_slice().into()),
            };
            self.table.insert_unique(hash, remembered, |r| r.hash);
        }
        self.spare = literals;
        searchable
    }

    /// Whether a value of this hash was seen before (else it is noted as seen once).
    fn seen_before(&mut self, hash: u64) -> bool {
        if let Ok(seen) = self.once.find_entry(hash, |&h| h == hash) {
            seen.remove();
            return true;
        }
        if self.once.len() >= MEMO_ONCE {
            self.once.clear();
        }
        self.once.insert_unique(hash, hash, |&h| h);
        false
    }
}

impl RuleIndex {
    /// The index of rules with these needs (in rule order); `parse_all` when some rule needs
    /// every event parsed; `in_fields` to look for literals in their fields when every line is
    /// parsed anyway.
    pub fn new(needs: &[Needs], parse_all: bool, in_fields: bool) -> RuleIndex {
        let rules = needs.len();
        // A clause's size counts each text once (Sigma tries a text in several fields).
        let fits = |clause: &&Vec<crate::optimize::Literal>| {
            let mut texts: Vec<&str> = clause.iter().map(|l| l.text.as_str()).collect();
            texts.sort_unstable();
            texts.dedup();
            texts.len() <= MAX_CLAUSE_LITERALS
        };
        // The raw line can be searched only for clauses whose texts it holds as they are.
        let in_line = |clause: &&Vec<crate::optimize::Literal>| clause.iter().all(|l| l.in_line);
        let lacking = needs
            .iter()
            .any(|n| !n.literals.iter().any(|c| fits(&c) && in_line(&c)));
        let in_fields = in_fields && (parse_all || lacking);
        let usable = |c: &&Vec<crate::optimize::Literal>| fits(c) && (in_fields || in_line(c));
        let kept: Vec<Vec<&Vec<crate::optimize::Literal>>> = needs
            .iter()
            .map(|n| n.literals.iter().filter(usable).collect())
            .collect();
        let mut line = Texts::default();
        let mut fields = FieldLiterals::new(rules);
        let mut clauses_of: Vec<Vec<Vec<u32>>> = vec![Vec::new(); rules];
        for (rule, clauses) in kept.iter().enumerate() {
            for literals in clauses {
                let mut clause: Vec<u32> = if in_fields {
                    // A text tried in several fields in one clause (Sigma tries each field
                    // under every spelling events come in: `CommandLine`,
                    // `Event.EventData.CommandLine`, ...) is one literal: the text in any of
                    // them. Found once per value, where one literal per spelling was looked
                    // up for every text found.
                    let mut by_text: BTreeMap<String, Vec<&str>> = BTreeMap::new();
                    for literal in literals.iter() {
                        by_text
                            .entry(literal.text.to_ascii_lowercase())
                            .or_default()
                            .push(literal.field.as_str());
                    }
                    by_text
                        .into_iter()
                        .map(|(text, names)| fields.literal(rule, text, names))
                        .collect()
                } else {
                    literals
                        .iter()
                        .map(|l| line.id(line_spelling(&l.text).to_ascii_lowercase()))
                        .collect()
                };
                clause.sort_unstable();
                clause.dedup();
                if let Some(clauses) = clauses_of.get_mut(rule) {
                    clauses.push(clause);
                }
            }
        }
        let FieldLiterals {
            names,
            sets: _,
            rules_of,
            literal_ids,
            mut others,
            mut raw,
            raw_of_rule,
        } = fields;
        let (literals, built) = if in_fields {
            (literal_ids.len(), others.build() && raw.build())
        } else {
            (line.patterns.len(), line.build())
        };
        if !built {
            clauses_of.iter_mut().for_each(Vec::clear);
        }
        let mut first_of: Vec<Vec<u32>> = vec![Vec::new(); literals];
        let mut without_literal = Bitset::empty(rules);
        for (rule, clauses) in clauses_of.iter_mut().enumerate() {
            if clauses.is_empty() {
                without_literal.insert(rule);
                continue;
            }
            for &literal in &clauses.remove(0) {
                if let Some(rules) = first_of.get_mut(literal as usize) {
                    rules.push(rule as u32);
                }
            }
        }
        let scope = if in_fields {
            let mut raw_rules = Bitset::empty(rules);
            for (rule, texts) in raw_of_rule.iter().enumerate() {
                if !texts.is_empty() {
                    raw_rules.insert(rule);
                }
            }
            Scope::Fields(Box::new(InFields {
                names,
                rules_of,
                others,
                raw,
                raw_rules,
                raw_of_rule,
            }))
        } else {
            Scope::Line(line)
        };
        static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        RuleIndex {
            id: IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            rules,
            literals,
            scope,
            first_of,
            other_clauses: clauses_of,
            without_literal,
            parse_all,
            tables: Tables::new(needs),
        }
    }

    /// Whether the index reads lines before they are parsed (it looks for literals there).
    pub fn reads_lines(&self) -> bool {
        matches!(&self.scope, Scope::Line(texts) if texts.automaton.is_some())
    }

    /// Space for [`RuleIndex::candidates`].
    pub fn scratch(&self) -> Scratch {
        Scratch {
            rules: Bitset::empty(self.rules),
            found: Found::new(self.literals),
            allowed: Bitset::empty(self.rules),
            fields: Vec::new(),
            index: self.id,
            per_allowed: HashTable::new(),
            memo: Memo::default(),
        }
    }

    /// Whether `scratch` was made by [`RuleIndex::scratch`] of this index.
    pub fn fits(&self, scratch: &Scratch) -> bool {
        scratch.index == self.id
    }

    /// The rules `record` may match, into `scratch.rules`; `tag` is what [`LineFilter::check`]
    /// found in its line (`None`: the record did not come from a checked line).
    pub fn candidates(&self, tag: Option<&Value>, record: &Record, scratch: &mut Scratch) {
        scratch.rules.fill();
        self.tables.restrict(record, &mut scratch.rules);
        let searched = match &self.scope {
            Scope::Line(_) => match tag {
                Some(Value::Multi(found)) => {
                    for pattern in found {
                        if let Value::Num(p) = pattern {
                            scratch.found.note(*p as u32);
                        }
                    }
                    true
                }
                _ => false,
            },
            Scope::Fields(fields) => search_fields(record, fields, scratch),
        };
        let Scratch {
            rules: out,
            found,
            allowed,
            ..
        } = scratch;
        if searched {
            allowed.copy_from(out);
            out.copy_from(&self.without_literal);
            out.intersect_with(allowed);
            for &literal in found.list() {
                for &rule in self.first_of.get(literal as usize).into_iter().flatten() {
                    let r = rule as usize;
                    let met = |clause: &Vec<u32>| clause.iter().any(|&l| found.contains(l));
                    let others = self.other_clauses.get(r).into_iter().flatten();
                    if allowed.contains(r) && !out.contains(r) && others.clone().all(met) {
                        out.insert(r);
                    }
                }
            }
        }
        found.clear();
    }
}

/// Looks for the literals in the values of the record's fields, into `scratch`'s found
/// literals; `false` when some value cannot be searched (any literal may be there). A field is
/// searched only when some rule allowed so far (`scratch.rules`) has literals in it.
fn search_fields(record: &Record, in_fields: &InFields, scratch: &mut Scratch) -> bool {
    let InFields {
        names, others, raw, ..
    } = in_fields;
    let Scratch {
        rules,
        found,
        fields,
        per_allowed,
        memo,
        ..
    } = scratch;
    if per_allowed.len() >= PER_ALLOWED_KEPT {
        per_allowed.clear();
    }
    let hash = |rules: &Bitset| FixedState::default().hash_one(rules);
    let allowed = match per_allowed.entry(hash(rules), |(r, _)| r == rules, |(r, _)| hash(r)) {
        Entry::Occupied(entry) => &mut entry.into_mut().1,
        Entry::Vacant(entry) => {
            let per = in_fields.per_allowed(rules);
            &mut entry.insert((rules.clone(), per)).into_mut().1
        }
    };
    let mut searched = true;
    for (tag, name, value) in record.fields.iter_tagged() {
        let texts = if name == "_raw" { raw } else { others };
        if texts.automaton.is_none() {
            continue;
        }
        fields.clear();
        names.each_tagged(tag, name, |set| fields.push(set));
        if !fields
            .iter()
            .any(|&set| allowed.sets.contains(set as usize))
        {
            continue;
        }
        if name == "_raw" && !in_fields.may_hold_raw(value, rules, &mut allowed.quick) {
            continue;
        }
        let search = |text: &str, literals: &mut Vec<u32>| {
            if !searchable_text(text) {
                return false;
            }
            texts.search(text, |text| {
                let of = texts.of_text.get(text as usize);
                for &(set, literal) in of.into_iter().flatten() {
                    if fields.contains(&set) {
                        literals.push(literal);
                    }
                }
            });
            true
        };
        for item in value.values() {
            searched = with_text(item, |text| {
                memo.note(name, text, found, |literals| search(text, literals))
            });
            if !searched {
                break;
            }
        }
        if !searched {
            break;
        }
    }
    searched
}

impl InFields {
    /// [`PerAllowed`] for the rules `allowed`.
    fn per_allowed(&self, allowed: &Bitset) -> PerAllowed {
        let mut sets = Bitset::empty(self.rules_of.len());
        for (set, rules) in self.rules_of.iter().enumerate() {
            if rules.intersects(allowed) {
                sets.insert(set);
            }
        }
        PerAllowed { sets, quick: None }
    }

    /// Whether `_raw` may hold a text of a rule in `allowed` (`false`: none, and none needs
    /// searching for). Most lines hold no keyword: a leftmost search for the texts of the rules
    /// allowed (a few dozen, where all rules have a hundred or more) stops at none, with the
    /// automaton's vectorised prefilter, ten times as fast as an overlapping search for all.
    /// `quick` is that search, once built.
    fn may_hold_raw(
        &self,
        value: &Value,
        allowed: &Bitset,
        quick: &mut Option<Option<AhoCorasick>>,
    ) -> bool {
        let quick = quick.get_or_insert_with(|| {
            let mut texts: Vec<&str> = self
                .raw_rules
                .iter()
                .filter(|&rule| allowed.contains(rule))
                .filter_map(|rule| self.raw_of_rule.get(rule))
                .flatten()
                .filter_map(|&t| self.raw.patterns.get(t as usize).map(String::as_str))
                .collect();
            texts.sort_unstable();
            texts.dedup();
            // Past a few dozen texts the prefilter no longer pays (for 113 of them the quick
            // search was slower than the full one): the full search alone.
            (texts.len() <= QUICK_TEXTS)
                .then(|| {
                    AhoCorasick::builder()
                        .match_kind(MatchKind::LeftmostFirst)
                        .build(&texts)
                        .ok()
                })
                .flatten()
        });
        let Some(quick) = quick else {
            return true;
        };
        value.values().iter().any(|item| {
            with_text(item, |text| {
                !searchable_text(text) || with_ascii_lowercase(text, |lower| quick.is_match(lower))
            })
        })
    }
}

/// Literals found, each once, in the order first found; emptied by taking out each found
/// (a few per event, of thousands of literals), not by clearing the whole set.
#[derive(Debug)]
struct Found {
    set: Bitset,
    list: Vec<u32>,
}

impl Found {
    fn new(literals: usize) -> Found {
        Found {
            set: Bitset::empty(literals),
            list: Vec::new(),
        }
    }

    fn note(&mut self, literal: u32) {
        if !self.set.contains(literal as usize) {
            self.set.insert(literal as usize);
            self.list.push(literal);
        }
    }

    fn contains(&self, literal: u32) -> bool {
        self.set.contains(literal as usize)
    }

    /// The literals found, in the order first found.
    fn list(&self) -> &[u32] {
        &self.list
    }

    /// Empties it; what it held, in the order found.
    fn take(&mut self) -> Vec<u32> {
        let list = std::mem::take(&mut self.list);
        list.iter().for_each(|&l| self.set.remove(l as usize));
        list
    }

    fn clear(&mut self) {
        self.list
            .drain(..)
            .for_each(|l| self.set.remove(l as usize));
    }
}

thread_local! {
    /// [`LineFilter::check`]'s literals found, kept between lines.
    static SEEN: std::cell::RefCell<Found> = std::cell::RefCell::new(Found::new(0));
}

impl LineFilter for RuleIndex {
    /// The literals the line holds, by automaton pattern (`true`: any may be there); a line
    /// holding no rule's first clause is only checked.
    fn check(&self, line: &str) -> LineCheck {
        let texts = match &self.scope {
            Scope::Line(texts) if texts.automaton.is_some() && searchable(line) => texts,
            Scope::Line(_) | Scope::Fields(_) => return LineCheck::Parse(Value::Bool(true)),
        };
        // Each literal once, in the order first found (the order does not matter), using a set
        // of those seen kept by the thread from line to line.
        let found = SEEN.with_borrow_mut(|seen| {
            if seen.set.len() != self.literals {
                *seen = Found::new(self.literals);
            }
            texts.search(line, |p| seen.note(p));
            seen.take()
        });
        let none = found
            .iter()
            .all(|&p| self.first_of.get(p as usize).is_none_or(Vec::is_empty));
        let skip = none && self.without_literal.is_empty() && !self.parse_all;
        let tag = Value::Multi(found.into_iter().map(|p| Value::Num(p as f64)).collect());
        if skip {
            LineCheck::Skip(tag)
        } else {
            LineCheck::Parse(tag)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs_of(sigma: &str) -> Needs {
        let ir = crate::sigma_to_ir(sigma).expect("rule");
        crate::optimize::needs(&ir[0].pipeline, &[])
    }

    fn record(fields: &[(&str, &str)]) -> Record {
        let mut r = Record::default();
        fields.iter().for_each(|(k, v)| r.set(k, Value::str(*v)));
        r
    }

    /// A rule on `Image` ending `\cmd.exe`.
    fn image_rule() -> Needs {
        needs_of(
            "title: t\nlogsource: {category: test}\ndetection:\n  s: {Image|endswith: '\\cmd.exe'}\n  \
             condition: s\n",
        )
    }

    /// A rule on any `Image`: it needs no literal.
    fn any_image_rule() -> Needs {
        needs_of(
            "title: a\nlogsource: {category: test}\ndetection:\n  s: {Image: '*'}\n  condition: s\n",
        )
    }

    /// With a rule that needs no literal (every line is parsed anyway), literals are looked for
    /// in their own fields: a text in another field does not make a rule a candidate.
    #[test]
    fn literals_are_looked_for_in_their_fields() {
        let image = image_rule();
        let keyword = needs_of(
            "title: k\nlogsource: {category: test}\ndetection:\n  s: [mimikatz]\n  condition: s\n",
        );
        let any = any_image_rule();
        let candidates = |in_fields: bool, r: &Record| {
            let index = RuleIndex::new(
                &[image.clone(), keyword.clone(), any.clone()],
                false,
                in_fields,
            );
            let mut scratch = index.scratch();
            let tag = (!in_fields).then(|| Value::Bool(true));
            index.candidates(tag.as_ref(), r, &mut scratch);
            scratch.rules.iter().collect::<Vec<_>>()
        };
        let parent = record(&[("ParentImage", r"C:\cmd.exe"), ("Image", r"C:\x.exe")]);
        assert_eq!(candidates(true, &parent), [2]);
        let own = record(&[("Image", r"C:\CMD.exe"), ("_raw", "MimiKatz")]);
        assert_eq!(candidates(true, &own), [0, 1, 2]);
        // The raw line is searched for keywords alone: a keyword in a field but not in `_raw` is
        // not found.
        let field = record(&[("Image", "x"), ("CommandLine", "mimikatz")]);
        assert_eq!(candidates(true, &field), [2]);
        // Looked for in the raw line (tag `true`: anything may be there), every rule may match.
        assert_eq!(candidates(false, &parent), [0, 1, 2]);
        // A value with a letter that folds to an ASCII one cannot be searched: every rule may
        // match.
        let kelvin = record(&[("Image", "\u{212a}")]);
        assert_eq!(candidates(true, &kelvin), [0, 1, 2]);
    }

    /// Field values are searched once: a value seen again (kept the second time, taken from the
    /// memo the third) makes the same rules candidates, in its own field only, and a value that
    /// cannot be searched stays so.
    #[test]
    fn a_value_seen_again_finds_what_it_found_first() {
        let index = RuleIndex::new(&[image_rule(), any_image_rule()], false, true);
        let mut scratch = index.scratch();
        let mut candidates = |fields: &[(&str, &str)]| {
            index.candidates(None, &record(fields), &mut scratch);
            scratch.rules.iter().collect::<Vec<_>>()
        };
        for round in 0..4 {
            assert_eq!(candidates(&[("Image", r"C:\CMD.exe")]), [0, 1], "{round}");
            let parent = [("ParentImage", r"C:\cmd.exe"), ("Image", r"C:\x.exe")];
            assert_eq!(candidates(&parent), [1], "{round}");
            assert_eq!(candidates(&[("Image", "\u{212a}")]), [0, 1], "{round}");
            assert_eq!(candidates(&[("Image", r"C:\x.exe")]), [1], "{round}");
        }
        // Three values of `Image` (`ParentImage` holds no rule's literal: never searched).
        assert_eq!(scratch.memo.table.len(), 3);
    }

    /// A text that could be part of a number (`123456789`) is a literal only where values are
    /// searched: the raw line may spell a number otherwise (`1.23456789e8`), a value's text is
    /// what the match reads, numbers as they print.
    #[test]
    fn a_number_text_is_looked_for_in_values_only() {
        let password = needs_of(
            "title: p\nlogsource: {category: test}\ndetection:\n  s: {CommandLine|contains: \
             ['123456789', 'P@ssw0rd']}\n  condition: s\n",
        );
        assert!(password.literals[0].iter().any(|l| !l.in_line));
        // With a rule that needs no literal, values are searched, for the number text too.
        let in_fields = RuleIndex::new(&[password.clone(), any_image_rule()], false, true);
        let mut scratch = in_fields.scratch();
        let mut candidates = |r: &Record| {
            in_fields.candidates(None, r, &mut scratch);
            scratch.rules.iter().collect::<Vec<_>>()
        };
        let mut number = record(&[("Image", "x")]);
        number.set("CommandLine", Value::Num(123_456_789.0));
        assert_eq!(candidates(&number), [0, 1]);
        let text = record(&[("Image", "x"), ("CommandLine", "net user a 123456789x")]);
        assert_eq!(candidates(&text), [0, 1]);
        let neither = record(&[("Image", "x"), ("CommandLine", "net user a 12345678")]);
        assert_eq!(candidates(&neither), [1]);
        // Searched in the raw line (values are not searched with `field-literals` off), the
        // rule's clause is left out: it runs on every line.
        let in_line = RuleIndex::new(&[password, image_rule()], false, false);
        assert!(in_line.reads_lines());
        assert!(in_line.without_literal.contains(0));
        assert!(!in_line.without_literal.contains(1));
    }

    /// A text a clause tries in several fields (each spelling Sigma gives a field, or a list
    /// of fields) is one literal, found in any of them; texts and fields of other clauses stay
    /// apart.
    #[test]
    fn a_text_tried_in_several_fields_is_one_literal() {
        let rule = needs_of(
            "title: t\nlogsource: {product: windows}\ndetection:\n  a: {Image|endswith: '\\x.exe'}\n  \
             b: {ParentImage|endswith: '\\x.exe'}\n  c: {User: bob}\n  \
             condition: (a or b) and c\n",
        );
        let any = needs_of(
            "title: a\nlogsource: {product: windows}\ndetection:\n  s: {Image: '*'}\n  condition: s\n",
        );
        let index = RuleIndex::new(&[rule, any], false, true);
        // `\x.exe` in Image or ParentImage, and `bob` in User: two literals.
        assert_eq!(index.literals, 2);
        let mut scratch = index.scratch();
        let mut candidates = |fields: &[(&str, &str)]| {
            index.candidates(None, &record(fields), &mut scratch);
            scratch.rules.iter().collect::<Vec<_>>()
        };
        for field in ["Image", "ParentImage", "Event.EventData.ParentImage"] {
            assert_eq!(
                candidates(&[(field, r"C:\X.exe"), ("User", "BOB")]),
                [0, 1],
                "{field}"
            );
        }
        assert_eq!(
            candidates(&[("CommandLine", r"C:\x.exe"), ("User", "bob")]),
            [1]
        );
        assert_eq!(
            candidates(&[("Image", r"C:\x.exe"), ("Image2", "bob")]),
            [1]
        );
    }

    /// Two keyword rules with the same keyword, told apart by `EventID`: the quick search for
    /// the keywords of the rules an event allows has the keyword of each, not only of the rule
    /// that had it first.
    #[test]
    fn a_shared_keyword_is_searched_for_every_rule_that_has_it() {
        let rule = |id: u32| {
            needs_of(&format!(
                "title: k{id}\nlogsource: {{category: test}}\ndetection:\n  s: [mimikatz]\n  \
                 f: {{EventID: {id}}}\n  condition: s and f\n"
            ))
        };
        // A rule without a keyword: every line is parsed, and keywords searched in `_raw`.
        let plain = needs_of(
            "title: p\nlogsource: {category: test}\ndetection:\n  f: {EventID: 9}\n  \
             condition: f\n",
        );
        let index = RuleIndex::new(&[rule(5), rule(7), plain], false, true);
        assert!(!index.reads_lines());
        let mut scratch = index.scratch();
        let mut r = record(&[("_raw", "MIMIKATZ")]);
        r.set("EventID", Value::Num(7.0));
        index.candidates(None, &r, &mut scratch);
        assert_eq!(scratch.rules.iter().collect::<Vec<_>>(), [1]);
    }
}
