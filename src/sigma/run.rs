//! Runs lowered Sigma rules over events: each rule's plan sees every event, and each match is the
//! event's fields plus `rule`, `rule_id` and `level` (DESIGN.md, Sigma).

use crate::diagnostic::Diagnostic;
use crate::eval::{self, union_columns, Plan, Record, Results, Run, Value};
use crate::sigma::SigmaIr;

/// A rule with its compiled plan; a chained correlation (with subsearches) is compiled when its
/// events have been read.
pub struct CompiledRule {
    pub title: String,
    pub id: Option<String>,
    pub level: Option<String>,
    pub plan: Plan,
    pub chained: Option<crate::ir::Pipeline>,
}

/// Compiles every rule; all errors are returned.
pub fn compile(rules: &[SigmaIr]) -> Result<Vec<CompiledRule>, Vec<Diagnostic>> {
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for rule in rules {
        let chained = rule.pipeline.has_subsearch();
        let compiled = if chained {
            eval::compile(&crate::ir::Pipeline { stages: Vec::new() })
        } else {
            eval::compile(&rule.pipeline)
        };
        match compiled {
            Ok(plan) => out.push(CompiledRule {
                title: rule.title.clone(),
                id: rule.id.clone(),
                level: rule.level.clone(),
                plan,
                chained: chained.then(|| rule.pipeline.clone()),
            }),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One run of several rules over the same events.
pub struct Runner<'a> {
    runs: Vec<(&'a CompiledRule, Run<'a>)>,
    /// The events, kept when a chained correlation needs them at the end.
    held: Option<Vec<Record>>,
}

impl<'a> Runner<'a> {
    pub fn new(rules: &'a [CompiledRule]) -> Self {
        Runner {
            runs: rules.iter().map(|r| (r, r.plan.start())).collect(),
            held: rules.iter().any(|r| r.chained.is_some()).then(Vec::new),
        }
    }

    pub fn push(&mut self, record: Record) {
        if let Some(held) = &mut self.held {
            held.push(record.clone());
        }
        for (_, run) in &mut self.runs {
            run.push_ref(&record);
        }
    }

    /// Whether the matches come as the events do: one rule, whose every stage works on each
    /// event alone (the matches of several rules are given rule by rule).
    pub fn streams(&self) -> bool {
        match self.runs.as_slice() {
            [(rule, _)] => {
                rule.chained.is_none() && rule.plan.streaming_prefix() == rule.plan.stages.len()
            }
            _ => false,
        }
    }

    /// The matches found so far, taken out of the run and annotated (when [`Runner::streams`]:
    /// they are then the first of what [`Runner::finish`] would give).
    pub fn drain_matches(&mut self) -> Vec<Record> {
        let mut out = Vec::new();
        for (rule, run) in &mut self.runs {
            out.extend(run.drain_rows().map(|row| annotate(rule, row)));
        }
        out
    }

    /// The matches of every rule, rule by rule, each annotated with the rule.
    pub fn finish(self) -> Result<Results, Vec<Diagnostic>> {
        let mut rows = Vec::new();
        let held = self.held.unwrap_or_default();
        for (rule, run) in self.runs {
            let found = match &rule.chained {
                Some(p) => crate::run_pipeline(p, &Default::default(), held.iter().cloned())?,
                None => run.finish(),
            };
            rows.extend(found.rows.into_iter().map(|row| annotate(rule, row)));
        }
        Ok(Results {
            columns: union_columns(&rows),
            rows,
            events: true,
            warnings: Vec::new(),
        })
    }
}

/// A match of `rule`: the row with the rule's title, id and level.
fn annotate(rule: &CompiledRule, mut row: Record) -> Record {
    row.set("rule", Value::str(rule.title.as_str()));
    if let Some(id) = &rule.id {
        row.set("rule_id", Value::str(id.as_str()));
    }
    if let Some(level) = &rule.level {
        row.set("level", Value::str(level.as_str()));
    }
    row
}

/// Runs Sigma YAML text over records in one call.
pub fn run_text(
    text: &str,
    records: impl IntoIterator<Item = Record>,
) -> Result<Results, Vec<Diagnostic>> {
    run_with(text, &Default::default(), records)
}

/// [`run_text`] with other files' documents and processing pipelines.
pub fn run_with(
    text: &str,
    options: &crate::sigma::Options,
    records: impl IntoIterator<Item = Record>,
) -> Result<Results, Vec<Diagnostic>> {
    let rules = compile(&crate::sigma::to_ir_with(text, options)?)?;
    let mut runner = Runner::new(&rules);
    records.into_iter().for_each(|r| runner.push(r));
    runner.finish()
}
