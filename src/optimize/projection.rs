//! Projection: the fields a pipeline can read, found by walking its stages backwards from the
//! output. Events then keep only those fields (and skip parsing the rest).

use crate::ir::{Agg, Expr, Pattern, Pipeline, Stage};
use std::collections::BTreeSet;

/// The fields an event must keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projection {
    /// Every field (the output shows whole events, or a stage reads fields by wildcard).
    All,
    /// Only these (normalised, without `{}`), plus `_time`.
    Fields(BTreeSet<String>),
}

impl Projection {
    /// Whether a field is kept.
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            Projection::All => true,
            Projection::Fields(set) => set.contains(name),
        }
    }

    fn add(&mut self, name: &str) {
        if let Projection::Fields(set) = self {
            if name.contains('*') {
                *self = Projection::All;
            } else {
                set.insert(name.replace("{}", ""));
            }
        }
    }

    fn add_all<'a>(&mut self, names: impl IntoIterator<Item = &'a String>) {
        names.into_iter().for_each(|n| self.add(n));
    }

    fn add_expr(&mut self, e: &Expr) {
        for name in expr_fields(e) {
            self.add(&name);
        }
    }
}

/// The fields `pipeline` reads from its input events.
pub fn projection(pipeline: &Pipeline) -> Projection {
    let mut live = Projection::All;
    for stage in pipeline.stages.iter().rev() {
        live = before(stage, live);
    }
    live.add("_time");
    live
}

/// What is live before `stage`, given what is live after it.
fn before(stage: &Stage, after: Projection) -> Projection {
    let mut live = after;
    let fixed = |names: &[String]| {
        let mut p = Projection::Fields(BTreeSet::new());
        p.add_all(names);
        p
    };
    match stage {
        Stage::Filter(e) => live.add_expr(e),
        Stage::Eval(assigns) => {
            if assigns.iter().any(|(name, _)| name.contains('{')) {
                return Projection::All;
            }
            assigns.iter().for_each(|(_, e)| live.add_expr(e));
        }
        Stage::Stats(s) | Stage::EventStats(s) => {
            let mut p = if matches!(stage, Stage::Stats(_)) {
                fixed(&s.by)
            } else {
                live
            };
            p.add_all(&s.by);
            add_aggs(&mut p, &s.aggs);
            p.add("_time");
            return p;
        }
        Stage::Table(fields) => return fixed(fields),
        Stage::Fields {
            remove: false,
            fields,
        } => {
            let mut p = fixed(fields);
            p.add("_raw");
            return p;
        }
        Stage::Sort(s) => s.keys.iter().for_each(|k| live.add(&k.field)),
        Stage::Dedup(d) => {
            live.add_all(&d.fields);
            d.sortby.iter().for_each(|k| live.add(&k.field));
        }
        Stage::Rename(pairs) => {
            if pairs
                .iter()
                .any(|(a, b)| a.contains('*') || b.contains('*'))
            {
                return Projection::All;
            }
            pairs.iter().for_each(|(from, _)| live.add(from));
        }
        Stage::Lookup(l) => l.inputs.iter().for_each(|(_, field)| live.add(field)),
        Stage::Correlate(c) => {
            let mut p = fixed(&c.group_by);
            p.add(&c.rules_field);
            if let Some(field) = c.kind.value_field() {
                p.add(field);
            }
            return p;
        }
        Stage::Head(_) | Stage::OutputLookup { .. } => {}
        // Stages that read fields by name pattern, or whose reads are not tracked yet: keep all.
        Stage::Fields { remove: true, .. }
        | Stage::Rex(_)
        | Stage::Regex { .. }
        | Stage::Spath(_)
        | Stage::StreamStats(_)
        | Stage::Bin(_)
        | Stage::Fillnull { .. }
        | Stage::Convert(_)
        | Stage::MvExpand { .. }
        | Stage::MakeMv(_)
        | Stage::MvCombine { .. }
        | Stage::Top(_)
        | Stage::Tail(_)
        | Stage::Reverse
        | Stage::MakeResults { .. }
        | Stage::AddTotals(_)
        | Stage::FromJson { .. }
        | Stage::XmlKv { .. }
        | Stage::Chart(_)
        | Stage::Transaction(_)
        | Stage::IpLocation { .. }
        | Stage::Foreach(_)
        | Stage::Replace { .. }
        | Stage::Format(_)
        | Stage::InputLookup { .. }
        | Stage::Join(_)
        | Stage::Append(_)
        | Stage::AppendPipe(_) => return Projection::All,
    }
    live
}

fn add_aggs(p: &mut Projection, aggs: &[Agg]) {
    for agg in aggs {
        if let Some(arg) = &agg.arg {
            p.add_expr(arg);
        }
    }
}

/// Every field an expression reads (`_raw` for free-text terms).
pub fn expr_fields(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    collect(e, &mut out);
    out
}

fn collect(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Match {
            field,
            pattern: Pattern::FieldRef { fields, .. },
        } => {
            out.push(field.clone());
            out.extend(fields.iter().cloned());
        }
        Expr::Field(f) | Expr::Match { field: f, .. } => out.push(f.clone()),
        Expr::Lit(_) => {}
        // The subsearch's results become terms on the fields it returns: keep everything.
        Expr::Subsearch(_) => out.push("*".to_string()),
        Expr::Not(inner) | Expr::Neg(inner) => collect(inner, out),
        Expr::Binary(_, l, r) => {
            collect(l, out);
            collect(r, out);
        }
        Expr::In(inner, list) => {
            collect(inner, out);
            list.iter().for_each(|i| collect(i, out));
        }
        Expr::Call(_, args) => args.iter().for_each(|a| collect(a, out)),
    }
}
