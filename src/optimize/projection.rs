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
    projection_of(&pipeline.stages)
}

/// The fields `stages`, run in turn, read from what comes into the first.
pub fn projection_of(stages: &[Stage]) -> Projection {
    let mut live = Projection::All;
    for stage in stages.iter().rev() {
        live = before(stage, live);
    }
    live.add("_time");
    live
}

/// What is live before `stage`, given what is live after it.
fn before(stage: &Stage, after: Projection) -> Projection {
    let mut live = after;
    /// Only these fields (and what the stage's expressions add).
    fn fixed<'a>(names: impl IntoIterator<Item = &'a String>) -> Projection {
        let mut p = Projection::Fields(BTreeSet::new());
        p.add_all(names);
        p
    }
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
        // Stages that pass events on, reading (and perhaps writing) the fields they name: a
        // field they write that a later stage reads is live already, and kept from the input
        // too, for the events where they leave it as it came (`rex` not matching, say).
        // (`fields -` only takes fields away: those read later are the ones to keep.)
        Stage::Head(_)
        | Stage::OutputLookup { .. }
        | Stage::Tail(_)
        | Stage::Reverse
        | Stage::Fields { remove: true, .. } => {}
        Stage::Rex(r) => live.add(&r.field),
        Stage::Regex { field, .. }
        | Stage::MvExpand { field, .. }
        | Stage::IpLocation { field, .. } => live.add(field),
        Stage::MakeMv(m) => live.add(&m.field),
        Stage::Spath(s) => live.add(&s.input),
        Stage::Bin(b) => live.add(&b.field),
        Stage::Convert(c) => c.conversions.iter().for_each(|c| live.add(&c.field)),
        // With no fields named, every field is filled or replaced: only the live ones matter.
        Stage::Fillnull { fields, .. } | Stage::Replace { fields, .. } => live.add_all(fields),
        Stage::StreamStats(s) => {
            live.add_all(&s.stats.by);
            add_aggs(&mut live, &s.stats.aggs);
        }
        // Each transaction's record has every field of its events (and `_time`, kept always).
        Stage::Transaction(t) => {
            live.add_all(&t.fields);
            t.startswith
                .iter()
                .chain(&t.endswith)
                .for_each(|e| live.add_expr(e));
        }
        // Reports: their rows are made of the fields they name alone.
        Stage::Top(t) => return fixed(t.fields.iter().chain(&t.by)),
        Stage::Chart(c) => {
            let mut p = fixed(c.over.iter().chain(&c.by));
            add_aggs(&mut p, &c.aggs);
            return p;
        }
        // Stages that read fields by name pattern, or whose reads are not tracked yet: keep all.
        Stage::MvCombine { .. }
        | Stage::MakeResults { .. }
        | Stage::AddTotals(_)
        | Stage::FromJson { .. }
        | Stage::XmlKv { .. }
        | Stage::Foreach(_)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields each search keeps from its events (`None`: all of them). That results do not
    /// change with projection is `tests/optimize.rs`' job; this pins that it narrows.
    #[test]
    fn reports_and_passing_stages_keep_only_what_they_read() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("a=1", None),
            ("a=1 | timechart count", Some(&["_time", "a"])),
            (
                "* | timechart span=1h avg(x) by y",
                Some(&["_time", "x", "y"]),
            ),
            ("* | chart count over h by u", Some(&["_time", "h", "u"])),
            (
                "* | top limit=3 src by dest",
                Some(&["_time", "dest", "src"]),
            ),
            ("* | rare user | table user", Some(&["_time", "user"])),
            (
                // `count` is written, and read later: kept from the input too (harmless).
                "* | streamstats count by src | where count > 2 | table src dest",
                Some(&["_time", "count", "dest", "src"]),
            ),
            (
                "* | rex field=p \"(?<exe>\\w+)\" | stats count by exe",
                Some(&["_time", "exe", "p"]),
            ),
            (
                "* | bin x span=10 | stats count by x",
                Some(&["_time", "x"]),
            ),
            ("* | fillnull | stats count by u", Some(&["_time", "u"])),
            (
                "* | fillnull value=0 n | reverse | tail 5 | table u",
                Some(&["_time", "n", "u"]),
            ),
            ("* | convert ctime(t) | table t", Some(&["_time", "t"])),
            ("* | convert auto(*) | table t", None),
            ("* | mvcombine x | table x", None),
            (
                "* | fields - x, y* | stats count by x, z",
                Some(&["_time", "x", "z"]),
            ),
            ("* | fields - _raw", None),
            ("* | timechart count | table _time", Some(&["_time"])),
            (
                "* | transaction s maxspan=1m startswith=(a=1) | stats count by d",
                Some(&["_time", "a", "d", "s"]),
            ),
            (
                "* | transaction s | table _raw",
                Some(&["_raw", "_time", "s"]),
            ),
        ];
        for (spl, want) in cases {
            let ir = crate::spl_to_ir(spl).expect(spl);
            let got = projection(&ir);
            let want = match want {
                None => Projection::All,
                Some(names) => Projection::Fields(names.iter().map(|n| n.to_string()).collect()),
            };
            assert_eq!(got, want, "{spl}");
        }
    }
}
