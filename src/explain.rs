//! `spelunk explain`: a rule after macro expansion, its IR in readable form, and the event
//! fields it reads, found by walking the IR.

use crate::ir::{Agg, Expr, Head, Pipeline, Source, Stage};
use crate::rules::{Language, Rule};
use indexmap::IndexSet;

/// The event fields a pipeline reads, in first-use order. A field an earlier stage creates
/// (`eval`, `rename`, `lookup`) is not an event field; after `stats` the pipeline reads results,
/// not events. `_raw` stands for free-text terms.
pub fn fields_read(pipeline: &Pipeline) -> Vec<String> {
    let mut walk = Walk::default();
    walk.pipeline(pipeline);
    walk.read.into_iter().collect()
}

#[derive(Default)]
struct Walk {
    read: IndexSet<String>,
    made: IndexSet<String>,
    /// Set once a stage turned events into result rows.
    rows: bool,
}

impl Walk {
    fn pipeline(&mut self, pipeline: &Pipeline) {
        for stage in &pipeline.stages {
            self.stage(stage);
        }
    }

    fn field(&mut self, name: &str) {
        if !self.rows && !self.made.contains(name) && !name.contains('*') {
            self.read.insert(name.to_string());
        }
    }

    fn stage(&mut self, stage: &Stage) {
        match stage {
            Stage::Filter(e) => self.expr(e),
            Stage::Eval(assigns) => {
                for (name, e) in assigns {
                    self.expr(e);
                    self.made.insert(name.clone());
                }
            }
            Stage::Stats(s) => {
                s.aggs.iter().for_each(|a| self.agg(a));
                s.by.iter().for_each(|f| self.field(f));
                self.rows = true;
            }
            Stage::Sort(s) => s.keys.iter().for_each(|k| self.field(&k.field)),
            Stage::Table(fields) | Stage::Fields { fields, .. } => {
                fields.iter().for_each(|f| self.field(f))
            }
            Stage::Rename(pairs) => {
                for (from, to) in pairs {
                    self.field(from);
                    self.made.insert(to.clone());
                }
            }
            Stage::Head(Head::Count(_)) => {}
            Stage::Head(Head::While { expr, .. }) => self.expr(expr),
            Stage::Dedup(d) => {
                d.fields.iter().for_each(|f| self.field(f));
                d.sortby.iter().for_each(|k| self.field(&k.field));
            }
            Stage::Lookup(l) => {
                l.inputs.iter().for_each(|(_, event)| self.field(event));
                for (_, event) in l.outputs.iter().flatten() {
                    self.made.insert(event.clone());
                }
            }
            Stage::InputLookup { filter, .. } => {
                if let Some(e) = filter {
                    self.expr(e);
                }
            }
            Stage::OutputLookup { .. } => {}
            Stage::Join(j) => {
                j.fields.iter().for_each(|f| self.field(f));
                self.source(&j.right);
            }
            Stage::Append(s) => self.source(s),
            Stage::AppendPipe(p) => self.pipeline(p),
            Stage::EventStats(s) | Stage::StreamStats(crate::ir::StreamStats { stats: s, .. }) => {
                s.aggs.iter().for_each(|a| self.agg(a));
                s.by.iter().for_each(|f| self.field(f));
            }
            Stage::Chart(c) => {
                c.aggs.iter().for_each(|a| self.agg(a));
                c.over.iter().chain(&c.by).for_each(|f| self.field(f));
                self.rows = true;
            }
            Stage::Top(t) => {
                t.fields.iter().chain(&t.by).for_each(|f| self.field(f));
                self.rows = true;
            }
            Stage::Correlate(c) => {
                c.group_by.iter().for_each(|f| self.field(f));
                self.rows = true;
            }
            Stage::Rex(r) => self.field(&r.field),
            Stage::Regex { field, .. }
            | Stage::MvExpand { field, .. }
            | Stage::MvCombine { field, .. }
            | Stage::FromJson { field, .. }
            | Stage::XmlKv { field }
            | Stage::IpLocation { field, .. } => self.field(field),
            Stage::Spath(s) => self.field(&s.input),
            Stage::Bin(b) => {
                self.field(&b.field);
                self.made.insert(b.output.clone());
            }
            Stage::MakeMv(m) => self.field(&m.field),
            Stage::Format(f) => {
                for (_, field, _) in f.items.iter().flatten() {
                    self.field(field);
                }
                self.rows = true;
            }
            Stage::Fillnull { fields, .. } | Stage::Replace { fields, .. } => {
                fields.iter().for_each(|f| self.field(f))
            }
            Stage::Convert(c) => c.conversions.iter().for_each(|c| self.field(&c.field)),
            Stage::Transaction(t) => t.fields.iter().for_each(|f| self.field(f)),
            Stage::Tail(_)
            | Stage::Reverse
            | Stage::MakeResults { .. }
            | Stage::AddTotals(_)
            | Stage::Foreach(_) => {}
        }
    }

    /// A subsearch reads the same events, from scratch.
    fn source(&mut self, source: &Source) {
        match source {
            Source::Subsearch(p) => self.subsearch(p),
            Source::Rows(_) => {}
        }
    }

    fn subsearch(&mut self, pipeline: &Pipeline) {
        let mut inner = Walk::default();
        inner.pipeline(pipeline);
        for f in inner.read {
            self.field(&f);
        }
    }

    fn agg(&mut self, agg: &Agg) {
        if let Some(e) = &agg.arg {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Lit(_) => {}
            Expr::Field(name) => self.field(name),
            Expr::Not(x) | Expr::Neg(x) => self.expr(x),
            Expr::Binary(_, l, r) => {
                self.expr(l);
                self.expr(r);
            }
            Expr::In(x, items) => {
                self.expr(x);
                items.iter().for_each(|i| self.expr(i));
            }
            Expr::Call(_, args) => args.iter().for_each(|a| self.expr(a)),
            Expr::Match { field, .. } => self.field(field),
            Expr::Subsearch(p) => self.subsearch(p),
        }
    }
}

/// The explanation of a rule as text: its name and metadata, the expanded text (SPL), the IR,
/// the fields it reads, and (`optimised`: `run` optimises it, as it does an SPL search or the
/// one rule of a Sigma file) what the optimiser makes of its first search.
pub fn explain(rule: &Rule, optimised: bool) -> String {
    let mut out = String::new();
    let language = match rule.language {
        Language::Spl => "SPL",
        Language::Sigma => "Sigma",
    };
    out.push_str(&format!(
        "rule:     {} ({language}, {})\n",
        rule.meta.title,
        rule.path.display()
    ));
    if let Some(level) = &rule.meta.level {
        out.push_str(&format!("level:    {level}\n"));
    }
    if !rule.meta.tags.is_empty() {
        out.push_str(&format!("tags:     {}\n", rule.meta.tags.join(", ")));
    }
    if rule.language == Language::Spl {
        let note = if rule.expanded == rule.text {
            ""
        } else {
            " (after macro expansion)"
        };
        out.push_str(&format!("\nsearch{note}:\n"));
        for line in rule.expanded.trim().lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("\nIR:\n");
    for line in rule.pipeline.to_string().trim_end().lines() {
        out.push_str(&format!("  {line}\n"));
    }
    let fields = fields_read(&rule.pipeline);
    out.push_str(&format!("\nfields read ({}):\n", fields.len()));
    for f in &fields {
        out.push_str(&format!("  {f}\n"));
    }
    if optimised {
        // A search's plan trusts the parser's checks; a Sigma rule is checked in full.
        out.push_str(&optimiser(&rule.pipeline, rule.language == Language::Spl));
    }
    out
}

/// What `run`'s optimiser makes of a search's first stage (no defaults given on the command
/// line): the literals a line must hold to be parsed (each once, in any case), the fields the
/// parser checks as it reads them, and what it tests before building the whole event. Empty
/// when none applies.
fn optimiser(pipeline: &Pipeline, trusted: bool) -> String {
    if pipeline.has_subsearch() {
        return String::new();
    }
    let defaulted = crate::eval::event::EventOptions::default().defaulted();
    let mut out = String::new();
    if let Some(prefilter) = crate::optimize::prefilter(pipeline, &defaulted) {
        out.push_str("\nline must hold (prefilter, any case):\n");
        for clause in &prefilter.literals {
            let once: IndexSet<String> = clause.iter().map(|l| l.to_ascii_lowercase()).collect();
            let quoted: Vec<String> = once.iter().map(|l| format!("{l:?}")).collect();
            out.push_str(&format!("  {}\n", quoted.join(" or ")));
        }
    }
    let parts = crate::optimize::pushdown(pipeline, &defaulted);
    if !parts.is_empty() {
        out.push_str("\nchecked as parsed (pushdown):\n");
        for (field, part) in &parts {
            out.push_str(&format!("  {field}: {part}\n"));
        }
        // What the first search still checks on events the parser found pass those parts.
        if let Some(Stage::Filter(search)) = pipeline.stages.first() {
            let rest = crate::optimize::pushdown::residual(search, &parts);
            let rest = rest.map_or_else(|| "nothing".to_string(), |e| e.to_string());
            out.push_str(&format!("  left to the search: {rest}\n"));
        }
        // What the parser, told as `run` tells it (only when the plan trusts its checks), does
        // not keep.
        if trusted {
            let mut opts = crate::eval::event::EventOptions::default();
            opts.set_pushdown(&parts, false);
            opts.forget_checked_only(&crate::optimize::pushdown::check_only(pipeline, &parts));
            let unkept = opts.unkept();
            if !unkept.is_empty() {
                out.push_str(&format!(
                    "  read by nothing else, not kept: {}\n",
                    unkept.join(", ")
                ));
            }
        }
    }
    let kept = crate::optimize::projection(pipeline);
    if let Some((test, read)) = crate::optimize::gate::gate(pipeline, &parts, &kept) {
        out.push_str("\ntested before the event is built (gate), on ");
        out.push_str(&read.into_iter().collect::<Vec<_>>().join(", "));
        out.push_str(&format!(":\n  {test}\n"));
    }
    out
}
