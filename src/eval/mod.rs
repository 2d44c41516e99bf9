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
}

impl Plan {
    pub fn start(&self) -> Run<'_> {
        Run {
            plan: self,
            states: self.stages.iter().map(|s| s.start()).collect(),
            rows: Vec::new(),
            warnings: self.warnings.clone(),
        }
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
        self.process(0, vec![record]);
    }

    /// Pushes a borrowed record, cloning it only when the first stage (a search) keeps it: many
    /// rules over one event (`hunt`) then copy the event only for the rules it can match.
    pub fn push_ref(&mut self, record: &Record) {
        if let Some(stage::PlanStage::Filter(e)) = self.plan.stages.first() {
            if !expr::is_true(e, record) {
                return;
            }
        }
        self.push(record.clone());
    }

    /// Passes a batch through the stages from `from` on, until a blocking stage holds it.
    fn process(&mut self, from: usize, mut batch: Vec<Record>) {
        for (stage, state) in self
            .plan
            .stages
            .iter()
            .zip(self.states.iter_mut())
            .skip(from)
        {
            if batch.is_empty() {
                return;
            }
            let mut out = Vec::with_capacity(batch.len());
            for record in batch {
                absorb(stage, state, record, &mut out);
            }
            batch = out;
        }
        self.rows.extend(batch);
    }

    /// Ends the input: each blocking stage in turn releases its records downstream.
    pub fn finish(mut self) -> Results {
        for i in 0..self.plan.stages.len() {
            let state = std::mem::replace(&mut self.states[i], StageState::None);
            let released = flush(&self.plan.stages[i], state, &mut self.warnings);
            self.process(i + 1, released);
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
    let mut seen = indexmap::IndexSet::new();
    for row in rows {
        for name in row.fields.keys() {
            if name != "_raw" {
                seen.insert(name.clone());
            }
        }
    }
    let mut columns: Vec<String> = seen.into_iter().collect();
    if let Some(pos) = columns.iter().position(|c| c == "_time") {
        let time = columns.remove(pos);
        columns.insert(0, time);
    }
    columns
}
