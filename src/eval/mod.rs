//! The interpreter: a compiled `Plan` runs over records pushed one at a time.

pub mod any_of;
pub mod combine;
pub mod compile;
pub mod correlate;
pub mod datepart;
pub mod event;
pub mod expr;
pub mod format;
pub mod functions;
pub mod lookup;
pub mod order;
pub mod pcre;
pub mod search_regex;
pub mod stage;
pub mod stats;
pub mod subsearch;
pub mod time;
pub mod value;
pub mod wild;

pub use compile::{compile, Plan};
pub use event::{EventOptions, Record};
pub use value::Value;

use stage::{absorb, flush, StageState};

/// The result of a run: rows and the columns to show them in.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub columns: Vec<String>,
    pub rows: Vec<Record>,
    /// Whether the rows are raw events (no stage fixed the columns).
    pub events: bool,
    /// Problems that did not stop the run.
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// One run of a plan: push records, then `finish`.
pub struct Run<'p> {
    plan: &'p Plan,
    states: Vec<StageState>,
    rows: Vec<Record>,
    warnings: Vec<crate::diagnostic::Diagnostic>,
    /// Two reused buffers a pushed record travels in from stage to stage (no allocation per event).
    batch: Vec<Record>,
    spare: Vec<Record>,
}

impl Plan {
    pub fn start(&self) -> Run<'_> {
        Run {
            plan: self,
            states: self.stages.iter().map(|s| s.start()).collect(),
            rows: Vec::new(),
            warnings: self.warnings.clone(),
            batch: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// How many leading stages work on each record alone, holding no state between records
    /// (searches, `eval`, `rex`, `fields`, `rename`, lookups, ...): they may run on several
    /// threads, each record on its own, before the rest of the plan takes the records in order.
    pub fn streaming_prefix(&self) -> usize {
        self.stages
            .iter()
            .take_while(|stage| stage.is_per_record())
            .count()
    }

    /// Runs the first `len` stages (a [`Plan::streaming_prefix`]) over one record; what they
    /// pass on is added to `out`.
    pub fn apply_prefix(&self, len: usize, record: Record, out: &mut Vec<Record>) {
        // The common case, each stage passing on at most the one record it took, allocates
        // nothing: the record goes through `out`'s spare room.
        let mut none = StageState::None;
        let mut one = record;
        for (i, stage) in self.stages.iter().take(len).enumerate() {
            let start = out.len();
            self.absorb_at(i, stage, &mut none, one, out);
            match out.len() - start {
                0 => return,
                1 => match out.pop() {
                    Some(record) => one = record,
                    None => return,
                },
                _ => {
                    let several = out.split_off(start);
                    return self.apply_prefix_all(i + 1, len, several, out);
                }
            }
        }
        out.push(one);
    }

    /// Stages `from..len` of the prefix over several records.
    fn apply_prefix_all(
        &self,
        from: usize,
        len: usize,
        mut batch: Vec<Record>,
        out: &mut Vec<Record>,
    ) {
        let mut none = StageState::None;
        for stage in self.stages.iter().take(len).skip(from) {
            let mut next = Vec::with_capacity(batch.len());
            for record in batch {
                absorb(stage, &mut none, record, &mut next);
            }
            batch = next;
            if batch.is_empty() {
                return;
            }
        }
        out.append(&mut batch);
    }

    /// Stage `i` (`stage`) takes one record. The first, a search, checks only the rest of
    /// itself on a record the parser marked as passing its pushed-down parts
    /// ([`Plan::trust_pushdown`]); the mark goes with it.
    fn absorb_at(
        &self,
        i: usize,
        stage: &stage::PlanStage,
        state: &mut StageState,
        mut record: Record,
        out: &mut Vec<Record>,
    ) {
        if i == 0 && record.checked != 0 {
            let mark = std::mem::take(&mut record.checked);
            if let Some(pushed) = self.pushed.as_ref().filter(|p| p.mark == mark) {
                if pushed
                    .residual
                    .as_ref()
                    .is_none_or(|e| expr::is_true(e, &record))
                {
                    out.push(record);
                }
                return;
            }
        }
        absorb(stage, state, record, out);
    }

    /// Runs the plan over all `records`.
    pub fn run(&self, records: impl IntoIterator<Item = Record>) -> Results {
        let mut run = self.start();
        records.into_iter().for_each(|r| run.push(r));
        run.finish()
    }
}

impl Run<'_> {
    pub fn push(&mut self, record: Record) {
        self.push_after(0, record);
    }

    /// Pushes a record that has been through the first `from` stages already
    /// ([`Plan::apply_prefix`]).
    pub fn push_after(&mut self, from: usize, record: Record) {
        let mut batch = std::mem::take(&mut self.batch);
        batch.push(record);
        self.process(from, &mut batch);
        self.batch = batch;
    }

    /// Pushes a borrowed record, cloning it only when the first stage (a search) keeps it: many
    /// rules over one event (`hunt`) then copy the event only for the rules it can match.
    /// Adds a row as if the plan had given it (a row worked out elsewhere, by the same stages).
    pub fn add_row(&mut self, row: Record) {
        self.rows.push(row);
    }

    /// How many rows the run has given so far.
    pub fn rows_len(&self) -> usize {
        self.rows.len()
    }

    /// The rows given so far, taken out of the run (a caller that writes them as they come).
    pub fn drain_rows(&mut self) -> std::vec::Drain<'_, Record> {
        self.rows.drain(..)
    }

    /// Replaces each row given from the `from`-th on by `f` of it (a caller that keeps less
    /// of each row than the run gives, as it comes).
    pub fn map_rows_from(&mut self, from: usize, mut f: impl FnMut(&Record) -> Record) {
        for row in self.rows.iter_mut().skip(from) {
            *row = f(row);
        }
    }

    pub fn push_ref(&mut self, record: &Record) {
        if let Some(stage::PlanStage::Filter(e)) = self.plan.stages.first() {
            if !expr::is_true(e, record) {
                return;
            }
        }
        self.push(record.clone());
    }

    /// Passes a batch through the stages from `from` on, until a blocking stage holds it; the
    /// survivors join the rows and `batch` is left empty.
    fn process(&mut self, from: usize, batch: &mut Vec<Record>) {
        let mut out = std::mem::take(&mut self.spare);
        for (i, (stage, state)) in self
            .plan
            .stages
            .iter()
            .zip(self.states.iter_mut())
            .enumerate()
            .skip(from)
        {
            if batch.is_empty() {
                break;
            }
            for record in batch.drain(..) {
                self.plan.absorb_at(i, stage, state, record, &mut out);
            }
            std::mem::swap(batch, &mut out);
        }
        self.rows.append(batch);
        self.spare = out;
    }

    /// Ends the input: each blocking stage in turn releases its records downstream.
    pub fn finish(mut self) -> Results {
        let plan = self.plan;
        for (i, stage) in plan.stages.iter().enumerate() {
            let state = self
                .states
                .get_mut(i)
                .map_or(StageState::None, |s| std::mem::replace(s, StageState::None));
            let mut released = flush(stage, state, &mut self.warnings);
            self.process(i + 1, &mut released);
        }
        let (columns, events) = match &self.plan.columns {
            Some(c) => (c.clone(), false),
            None => (union_columns(&self.rows), true),
        };
        Results {
            columns,
            rows: self.rows,
            events,
            warnings: self.warnings,
        }
    }
}

/// Every field of the rows in first-seen order, `_time` first and `_raw` left out.
pub fn union_columns(rows: &[Record]) -> Vec<String> {
    let mut union = FieldUnion::default();
    for row in rows {
        union.add(row);
    }
    union.columns()
}

/// The columns of rows that do not fix their own ([`union_columns`]), worked out a row at a time.
#[derive(Debug, Default)]
pub struct FieldUnion {
    /// Hashed with foldhash: every row's every name is looked up here (SipHash was a tenth of
    /// writing a filter's matching events).
    seen: indexmap::IndexSet<String, foldhash::fast::FixedState>,
    /// The names of the last row added, with their tags: rows of one log mostly have the same
    /// names in the same order, and a row with the last one's adds nothing.
    last: Vec<(u64, event::Name)>,
}

impl FieldUnion {
    /// Adds the row's fields; whether some were new.
    pub fn add(&mut self, row: &Record) -> bool {
        let same = row.fields.len() == self.last.len()
            && (row.fields.iter_tagged().zip(&self.last)).all(|((tag, name, _), (t, n))| {
                tag == *t && event::same_name(name.as_bytes(), n.as_bytes())
            });
        if same {
            return false;
        }
        self.last.clear();
        (self.last).extend(
            row.fields
                .iter_tagged()
                .map(|(tag, name, _)| (tag, name.clone())),
        );
        let before = self.seen.len();
        for name in row.fields.keys() {
            if name != "_raw" && !self.seen.contains(name.as_str()) {
                self.seen.insert(name.to_string());
            }
        }
        self.seen.len() > before
    }

    /// Every field added, in first-seen order, `_time` first.
    pub fn columns(&self) -> Vec<String> {
        let time = self.seen.get("_time").into_iter();
        time.chain(self.seen.iter().filter(|c| *c != "_time"))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(names: &[&str]) -> Record {
        let mut r = Record::default();
        for n in names {
            r.set(n, Value::Num(1.0));
        }
        r
    }

    #[test]
    fn the_union_of_columns_takes_every_new_name_even_one_with_the_last_rows_tag() {
        // Same length, same first and last eight bytes: the same tag, different names.
        let (a, b) = ("abcdefgh_X_12345678", "abcdefgh_Y_12345678");
        assert_eq!(event::name_tag(a.as_bytes()), event::name_tag(b.as_bytes()));
        let rows = [
            row(&["x", a]),
            row(&["x", a]),
            row(&["x", b]),
            row(&["_time", "x"]),
            row(&["_raw", "y"]),
        ];
        assert_eq!(union_columns(&rows), ["_time", "x", a, b, "y"]);
    }
}
