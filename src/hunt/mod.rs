//! `spelunk hunt`: many rules over the same events in one pass. Each event is read once and
//! pushed to the running plan of every rule it may match (all of them, or those the rule index
//! picks); each result row becomes a hit naming its rule.

mod bitset;
pub mod index;
mod names;
mod tables;

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{compile_with, Options};
use crate::eval::event::{Fields, Name, LINE_TAG};
use crate::eval::stage::PlanStage;
use crate::eval::{Plan, Record, Results, Run, Value};
use crate::ir::{Pipeline, Stage};
use crate::optimize::Needs;
use crate::rules::{Rule, RuleError};
use index::{RuleIndex, Scratch};

/// Levels from least to most severe, as Sigma names them.
pub const LEVELS: &[&str] = &["informational", "low", "medium", "high", "critical"];

/// Which rules to run: at least `level` (when given) and any of `tags` (when given; `*` globs).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub level: Option<String>,
    pub tags: Vec<String>,
}

impl Filter {
    pub fn keeps(&self, rule: &Rule) -> bool {
        let rank = |l: &str| LEVELS.iter().position(|x| x.eq_ignore_ascii_case(l));
        let level_ok = match (&self.level, &rule.meta.level) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(min), Some(level)) => rank(level) >= rank(min),
        };
        let tags_ok = self.tags.is_empty()
            || self.tags.iter().any(|want| {
                let want = want.to_ascii_lowercase();
                rule.meta
                    .tags
                    .iter()
                    .any(|t| crate::io::glob_match(&want, &t.to_ascii_lowercase()))
            });
        level_ok && tags_ok
    }
}

/// A rule ready to run: a plan that streams, or a pipeline with subsearches that runs at the
/// end over the events held for it.
pub enum Compiled {
    Streaming(Plan),
    Holding(Pipeline),
}

/// Compiles every rule, on up to `threads` threads; the first rule that fails is returned
/// with its diagnostics.
pub fn compile_all(
    rules: &[Rule],
    options: &Options,
    threads: usize,
) -> Result<Vec<Compiled>, RuleError> {
    crate::par::map(rules, threads, |rule| {
        if rule.pipeline.has_subsearch() {
            return Ok(Compiled::Holding(rule.pipeline.clone()));
        }
        compile_with(&rule.pipeline, options)
            .map(Compiled::Streaming)
            .map_err(|d| RuleError {
                name: rule.path.display().to_string(),
                text: rule.expanded.clone(),
                diagnostics: d,
            })
    })
    .into_iter()
    .collect()
}

/// The index of the rules' needs ([`rule_needs`]): a streaming rule that starts with a search is
/// run only on events that have what the search needs; other rules on every event.
pub fn rule_index(
    rules: &[Rule],
    defaulted: &[String],
    threads: usize,
    in_fields: bool,
) -> RuleIndex {
    let (needs, holds) = rule_needs(rules, defaulted, threads);
    RuleIndex::new(&needs, holds, in_fields)
}

/// What each rule's first search needs (`optimize::needs`; nothing for a rule that starts
/// otherwise or holds every event), and whether some rule holds every event (a subsearch);
/// worked out on up to `threads` threads. `defaulted` are the fields events may get from
/// defaults rather than from their text. Only the rules' pipelines are read, so the index can
/// be built while they compile ([`compile_all`] holds a pipeline with a subsearch and streams
/// any other, its first stage compiled from its first).
pub fn rule_needs(rules: &[Rule], defaulted: &[String], threads: usize) -> (Vec<Needs>, bool) {
    let needs = crate::par::map(rules, threads, |rule| {
        let pipeline = &rule.pipeline;
        match pipeline.stages.first() {
            Some(Stage::Filter(_)) if !pipeline.has_subsearch() => {
                crate::optimize::needs(pipeline, defaulted)
            }
            _ => Needs::default(),
        }
    });
    (needs, rules.iter().any(|r| r.pipeline.has_subsearch()))
}

/// Many rules over one stream of events: what the threads reading it share. Rules that take
/// each event alone, holding nothing between events (searches and `eval`s: most Sigma rules),
/// run in [`Hunt::prepare`] on the reading threads; the rest run in order on the [`Hunter`].
pub struct Hunt<'a> {
    compiled: &'a [Compiled],
    index: Option<&'a RuleIndex>,
    /// For each rule, whether every stage of it works on each event alone.
    alone: Vec<bool>,
    /// Whether some rule holds every event (subsearches), so every event goes on.
    holds: bool,
    /// Whether rows that are whole events keep only what [`hits`] shows of them.
    trim: bool,
}

/// The field a prepared hit carries its rule's number in, and the one a prepared event carries
/// the rules still to run on it in; no event field has these names (parsing takes `{}` out of
/// keys).
const HIT_TAG: &str = "{}hit";
const RULES_TAG: &str = "{}rules";

impl<'a> Hunt<'a> {
    /// Every rule on every event, or (with an index) only the rules an event may match.
    pub fn new(compiled: &'a [Compiled], index: Option<&'a RuleIndex>) -> Self {
        let alone = compiled
            .iter()
            .map(|c| match c {
                Compiled::Streaming(plan) => plan.streaming_prefix() == plan.stages.len(),
                Compiled::Holding(_) => false,
            })
            .collect();
        Hunt {
            compiled,
            index,
            alone,
            holds: compiled.iter().any(|c| matches!(c, Compiled::Holding(_))),
            trim: false,
        }
    }

    /// Rows that are whole events keep only the fields [`hits`] reads ([`hit_fields`]), as
    /// they come: the hits are the same, and memory holds a few fields per hit instead of
    /// whole events (measured: hunt over 100k Sysmon events with 50k hits, 330 MB peak RSS
    /// before).
    pub fn trim_to_hits(mut self) -> Self {
        self.trim = true;
        self
    }

    /// A run of the rules, fed in input order.
    pub fn hunter(&self) -> Hunter<'_> {
        let runs = self
            .compiled
            .iter()
            .map(|c| match c {
                Compiled::Streaming(plan) => Some(plan.start()),
                Compiled::Holding(_) => None,
            })
            .collect();
        Hunter {
            hunt: self,
            runs,
            held: self.holds.then(Vec::new),
            scratch: self.index.map(RuleIndex::scratch),
        }
    }

    /// The rules the event may match (its line's tag from the index, if any).
    fn candidates(
        &self,
        tag: Option<&Value>,
        record: &Record,
        scratch: Option<&mut Scratch>,
    ) -> Vec<usize> {
        let Some(index) = self.index else {
            return (0..self.compiled.len()).collect();
        };
        let pick = |scratch: &mut Scratch| {
            index.candidates(tag, record, scratch);
            scratch.rules.iter().collect()
        };
        match scratch {
            Some(scratch) => pick(scratch),
            // On a reading thread: its own space, kept from event to event.
            None => SCRATCH.with_borrow_mut(|kept| match kept {
                Some(s) if index.fits(s) => pick(s),
                _ => pick(kept.insert(index.scratch())),
            }),
        }
    }

    /// Whether rows of rule `i` are trimmed to what hits show.
    fn trims(&self, i: usize) -> bool {
        self.trim
            && matches!(self.compiled.get(i), Some(Compiled::Streaming(p)) if p.columns.is_none())
    }

    /// Runs, on a reading thread, the rules that take the event alone: their rows go to `out`,
    /// each tagged with its rule, followed by the event itself when rules remain to run on it
    /// in order ([`Hunter::push`] takes both).
    pub fn prepare(&self, mut record: Record, out: &mut Vec<Record>) {
        let tag = record.fields.shift_remove(LINE_TAG);
        let mut rest = Vec::new();
        for i in self.candidates(tag.as_ref(), &record, None) {
            let plan = match self.compiled.get(i) {
                Some(Compiled::Streaming(plan)) if self.alone.get(i) == Some(&true) => plan,
                _ => {
                    rest.push(Value::Num(i as f64));
                    continue;
                }
            };
            if let Some(PlanStage::Filter(e)) = plan.stages.first() {
                if !crate::eval::expr::is_true(e, &record) {
                    continue;
                }
            }
            let trim = self.trims(i);
            // A rule that is one search (most Sigma rules) gives the event as its row: the hit is
            // taken from the event without copying all of it first.
            let one_search = matches!(plan.stages.as_slice(), [PlanStage::Filter(_)]) && trim;
            let start = out.len();
            if one_search {
                out.push(hit_fields(&record));
            } else {
                plan.apply_prefix(plan.stages.len(), record.clone(), out);
            }
            for row in out.iter_mut().skip(start) {
                if trim && !one_search {
                    *row = hit_fields(row);
                }
                row.fields.insert(HIT_TAG.into(), Value::Num(i as f64));
            }
        }
        if !rest.is_empty() || self.holds {
            record.fields.insert(RULES_TAG.into(), Value::Multi(rest));
            out.push(record);
        }
    }
}

thread_local! {
    /// The index's working space on a reading thread ([`Hunt::prepare`]), kept between events.
    static SCRATCH: std::cell::RefCell<Option<Scratch>> = const { std::cell::RefCell::new(None) };
}

/// One run of a [`Hunt`]: events (or what [`Hunt::prepare`] made of them) pushed in order.
pub struct Hunter<'a> {
    hunt: &'a Hunt<'a>,
    runs: Vec<Option<Run<'a>>>,
    held: Option<Vec<Record>>,
    /// The sets the index works out for each event pushed unprepared.
    scratch: Option<Scratch>,
}

impl<'a> Hunter<'a> {
    /// Runs one rule on the record.
    fn run_one(&mut self, i: usize, record: &Record) {
        let trim = self.hunt.trims(i);
        if let Some(Some(run)) = self.runs.get_mut(i) {
            let before = run.rows_len();
            run.push_ref(record);
            if trim {
                run.map_rows_from(before, hit_fields);
            }
        }
    }

    /// Takes an event, or a row or an event from [`Hunt::prepare`].
    pub fn push(&mut self, mut record: Record) {
        if let Some(Value::Num(i)) = record.fields.get(HIT_TAG) {
            let i = *i as usize;
            record.fields.shift_remove(HIT_TAG);
            if let Some(Some(run)) = self.runs.get_mut(i) {
                run.add_row(record);
            }
            return;
        }
        let rules = match record.fields.shift_remove(RULES_TAG) {
            Some(rules) => rules
                .values()
                .iter()
                .filter_map(Value::as_num)
                .map(|i| i as usize)
                .collect(),
            None => {
                let tag = record.fields.shift_remove(LINE_TAG);
                self.hunt
                    .candidates(tag.as_ref(), &record, self.scratch.as_mut())
            }
        };
        for i in rules {
            self.run_one(i, &record);
        }
        if let Some(held) = &mut self.held {
            held.push(record);
        }
    }

    /// Each rule's results, in rule order.
    pub fn finish(self, options: &Options) -> Result<Vec<Results>, Vec<Diagnostic>> {
        let held = self.held.unwrap_or_default();
        self.runs
            .into_iter()
            .zip(self.hunt.compiled)
            .map(|(run, compiled)| match (run, compiled) {
                (Some(run), _) => Ok(run.finish()),
                (None, Compiled::Holding(p)) => crate::run_pipeline(p, options, held.clone()),
                (None, Compiled::Streaming(plan)) => Ok(plan.run(Vec::new())),
            })
            .collect()
    }
}

/// Fields shown for a hit on a rule that returns whole events, first present first.
const KEY_FIELDS: &[&str] = &[
    "host",
    "Computer",
    "Event.System.Computer",
    "EventCode",
    "Event.System.EventID",
    "user",
    "User",
    "Event.EventData.User",
    "src_ip",
    "dest_ip",
    "dest_port",
    "process_name",
    "Image",
    "Event.EventData.Image",
    "CommandLine",
    "Event.EventData.CommandLine",
    "ParentImage",
    "Event.EventData.ParentImage",
    "TargetFilename",
    "Event.EventData.TargetFilename",
    "TargetObject",
    "Event.EventData.TargetObject",
];

/// At most this many key fields per hit.
const MAX_KEYS: usize = 6;

/// The hits of one rule: `_time`, `rule`, `level`, then at most `MAX_KEYS` key fields: the
/// first columns of a rule that shapes its rows (`table`, `stats`; time columns become `_time`),
/// or the `KEY_FIELDS` an event has. The rows are consumed: their values move into the hits,
/// and each row's memory is free for the next hit.
pub fn hits(rule: &Rule, results: Results) -> Vec<Record> {
    let Results {
        columns,
        rows,
        events,
        ..
    } = results;
    // One text of the title and level for all of the rule's hits (a copy shares it).
    let title = Value::str(rule.meta.title.as_str());
    let level = rule.meta.level.as_deref().map(Value::str);
    rows.into_iter()
        .map(|mut row| {
            let mut hit = Record::from(Fields::with_capacity(3 + MAX_KEYS));
            if let Some(t) = row_time(&row) {
                hit.set("_time", Value::Num(t));
            }
            hit.set("rule", title.clone());
            if let Some(level) = &level {
                hit.set("level", level.clone());
            }
            let keys: Vec<Name> = if events {
                event_keys(&row).into_iter().map(Name::from).collect()
            } else {
                columns
                    .iter()
                    .filter(|c| !not_a_key(c) && row.get(c).is_some())
                    .take(MAX_KEYS)
                    .map(|c| Name::from(c.as_str()))
                    .collect()
            };
            for key in keys {
                if let Some(value) = row.take(&key) {
                    hit.set(&key, value);
                }
            }
            hit
        })
        .collect()
}

/// Columns a stats rule keeps its times in.
const TIME_COLUMNS: &[&str] = &[
    "_time",
    "FirstSeen",
    "firstTime",
    "first_seen",
    "LastSeen",
    "lastTime",
    "last_seen",
];

/// `_time`, else the first time column (stats rules).
fn row_time(row: &Record) -> Option<f64> {
    TIME_COLUMNS.iter().find_map(|f| {
        row.get(f)
            .and_then(|v| crate::eval::event::parse_time(crate::eval::value::first(v)))
    })
}

/// Columns a hit never shows as a key field: the raw text, the hit's own `rule` and `level`, and
/// the time columns (shown as `_time`).
fn not_a_key(column: &str) -> bool {
    matches!(column, "_raw" | "rule" | "level") || TIME_COLUMNS.contains(&column)
}

/// The key fields of a hit that is a whole event: the [`KEY_FIELDS`] it has, else its first
/// fields.
fn event_keys(row: &Record) -> Vec<&str> {
    // The key fields have no `{}` in their names: looked up as they are.
    let keys: Vec<&str> = KEY_FIELDS
        .iter()
        .copied()
        .filter(|k| row.fields.contains_key(k))
        .take(MAX_KEYS)
        .collect();
    if !keys.is_empty() {
        return keys;
    }
    row.fields
        .keys()
        .map(|k| k.as_str())
        .filter(|k| !not_a_key(k) && !matches!(*k, "source" | "sourcetype" | "index"))
        .take(MAX_KEYS)
        .collect()
}

/// What [`hits`] reads of a whole event, in the event's order: its time columns and key fields.
pub fn hit_fields(row: &Record) -> Record {
    let keys = event_keys(row);
    Record::from(
        row.fields
            .filtered(|name| TIME_COLUMNS.contains(&name) || keys.contains(&name)),
    )
}
