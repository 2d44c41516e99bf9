//! Compile: IR → Plan. Regexes and matchers are built once, Splunk's event order is
//! inserted where a stage depends on it, and the output columns are worked out when known.

use crate::diagnostic::{codes, Diagnostic};
use crate::eval::order::Keep;
use crate::eval::search_regex::SearchRegex;
use crate::eval::stage::PlanStage;
use crate::eval::value::{parse_number, Value};
use crate::eval::wild;
use crate::ir::{
    BinOp, CmpOp, DatePart, Expr, Func, Lit, NumOp, Pattern, Pipeline, Rex, RexKind, Stage,
    StreamStats,
};
use regex::{Regex, RegexBuilder};
use std::net::IpAddr;

/// Regexes from rules are bounded so a hostile pattern cannot exhaust memory.
pub const REGEX_SIZE_LIMIT: usize = 10 * (1 << 20);

/// The most a regex's lazy DFA keeps of its states, per thread: four times the `regex` crate's
/// default. A bounded repetition of a Unicode class (Sigma's `-k\s\w{1,64}`: 20k NFA states)
/// fills the default 2 MiB on an ordinary command line; the lazy DFA then gives up, and each
/// search falls back to the bounded backtracker, which clears a visited set of up to 256 KiB
/// first: 3.9 us a value, where with room for its states the lazy DFA takes 70 ns (measured on
/// SigmaHQ's 149 `|re` patterns over Sysmon values: no other pattern changed). The cache grows
/// only as states are made, so other regexes use no more memory.
const REGEX_DFA_LIMIT: usize = 8 * (1 << 20);

/// A compiled pipeline: immutable, `Send + Sync`, run many times.
#[derive(Debug)]
pub struct Plan {
    pub(crate) stages: Vec<PlanStage>,
    /// The output columns when the pipeline fixes them (`table`, `stats`), in order.
    pub columns: Option<Vec<String>>,
    /// Things the user should know before the results (e.g. `iplocation` has no database offline).
    pub warnings: Vec<Diagnostic>,
    /// The parts of the first search the parser checks ([`Plan::trust_pushdown`]).
    pub(crate) pushed: Option<Pushed>,
}

/// Parts of the first search (a conjunction) that the parser checks: on a record it marks as
/// passing them all, only the rest of the search is left to check.
#[derive(Debug)]
pub(crate) struct Pushed {
    /// The parts' fingerprint, which the parser marks such records with (`Record::checked`).
    pub mark: u64,
    /// The rest of the search; `None` when the parts are all of it.
    pub residual: Option<CExpr>,
}

impl Plan {
    /// Lets the first search check only the rest of itself on records that the parser, told
    /// the same `parts` (`EventOptions::set_pushdown`), marks as passing them all: the search
    /// is their conjunction with the rest, so such a record passes it exactly when it passes
    /// the rest. Records without the mark are checked in full. Returns whether it trusts them
    /// (then the parser need not keep what only the parts read:
    /// [`crate::eval::EventOptions::forget_checked_only`]).
    pub fn trust_pushdown(&mut self, pipeline: &Pipeline, parts: &[(String, Expr)]) -> bool {
        use crate::optimize::pushdown::{fingerprint, residual};
        let (Some(Stage::Filter(search)), Some(PlanStage::Filter(_))) =
            (pipeline.stages.first(), self.stages.first())
        else {
            return false;
        };
        if parts.is_empty() {
            return false;
        }
        let residual = match residual(search, parts).map(|e| compile_expr(&e)) {
            None => None,
            Some(Ok(rest)) => Some(rest),
            Some(Err(_)) => return false,
        };
        self.pushed = Some(Pushed {
            mark: fingerprint(parts),
            residual,
        });
        true
    }
}

/// An expression with its regexes and matchers built.
#[derive(Debug, Clone)]
pub enum CExpr {
    Lit(Value),
    Field(String),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    /// Arithmetic, comparison, concatenation and `XOR` (`AND` and `OR` are [`CExpr::All`] and
    /// [`CExpr::Any`]).
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    /// `a AND b AND ...`: the operands of a chain, tested left to right in one loop (a Sigma
    /// rule's condition is a few dozen of them; nested pairs cost a call and a pointer each).
    All(Vec<CExpr>),
    /// `a OR b OR ...`, as [`CExpr::All`].
    Any(Vec<CExpr>),
    In(Box<CExpr>, Vec<CExpr>),
    /// A function call; `regex` is pre-built when the pattern argument is a literal.
    Call {
        func: Func,
        args: Vec<CExpr>,
        regex: Option<Regex>,
    },
    Match {
        field: String,
        lookup: Lookup,
        matcher: Matcher,
    },
    /// The same match in any of several fields (see [`crate::eval::any_of::compile_or`]).
    MatchAny {
        fields: Vec<(String, Lookup)>,
        matcher: Matcher,
    },
}

/// How a match finds its field, worked out once from the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// One lookup of the name, whose [`name_tag`](crate::eval::event::name_tag) is worked out
    /// here, once (a Sigma rule looks each field up under four or five names, per event).
    Plain { tag: u64 },
    /// `a{}.b`: the name, then the name without `{}` (as `Record::get`).
    Braces,
    /// `Event.UserData.*.Image`: every field the name covers; those shorter than `min_len` or
    /// not starting with the name's first `prefix` bytes are passed over at once. `head`: the
    /// length of the name's part before its first dot, when the dot comes before the `*` (a
    /// record with no field of that head holds none the name covers).
    Wild {
        prefix: usize,
        min_len: usize,
        head: Option<usize>,
    },
}

impl Lookup {
    pub fn of(field: &str) -> Lookup {
        match field.find('*') {
            Some(prefix) => Lookup::Wild {
                prefix,
                min_len: field.len() - field.matches('*').count(),
                head: field.get(..prefix).and_then(|p| p.find('.')),
            },
            None if crate::eval::event::has_braces(field) => Lookup::Braces,
            None => Lookup::Plain {
                tag: crate::eval::event::name_tag(field.as_bytes()),
            },
        }
    }

    /// Whether the field `name` is one that `field` (the name this lookup is of) covers.
    pub fn covers(self, field: &str, name: &str) -> bool {
        match self {
            Lookup::Plain { .. } => field == name,
            Lookup::Braces => field == name || field.replace("{}", "") == name,
            Lookup::Wild {
                prefix, min_len, ..
            } => {
                name.len() >= min_len
                    && field
                        .as_bytes()
                        .get(..prefix)
                        .is_some_and(|p| name.as_bytes().starts_with(p))
                    && crate::eval::stage::field_matches(field, name)
            }
        }
    }
}

/// A search-language matcher for one field value.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exists,
    /// case-insensitive equality with this lower-cased text
    Exact(String),
    /// case-sensitive equality (`CASE(...)`)
    ExactCased(String),
    /// a glob, as an anchored regex
    Glob(Regex),
    /// a Sigma pattern with `?` or character classes
    Parts(Box<crate::eval::wild::Parts>),
    /// IP network (address, prefix length), or the literal text
    Cidr {
        net: IpAddr,
        bits: u8,
        text: String,
    },
    Compare {
        op: CmpOp,
        text: String,
        num: Option<f64>,
    },
    /// a term against `_raw`
    Term(Regex),
    /// the value contains, starts or ends with `needle` (lower-cased unless `cased`)
    Affix {
        kind: Affix,
        needle: String,
        cased: bool,
    },
    /// an unanchored regex search (Sigma `|re`)
    Regex(Box<crate::eval::search_regex::SearchRegex>),
    /// the value (or a date part of it) compared to a number
    Number {
        op: NumOp,
        value: f64,
        part: Option<DatePart>,
    },
    /// equal to the value of the first present of `fields`
    FieldRef {
        fields: Vec<String>,
        cased: bool,
    },
    /// any of several matchers of one field (an OR of them, grouped)
    Any(Box<crate::eval::any_of::AnyOf>),
}

/// Where a fixed text must occur in a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affix {
    Contains,
    StartsWith,
    EndsWith,
}

/// What compiling may need from outside the rule.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder of CSV lookup tables (`--lookups`); lookups are read and written only there.
    pub lookups: Option<std::path::PathBuf>,
    /// The most groups one `stats` holds in memory; past it the run stops with an error.
    pub max_groups: usize,
    /// The most values one `stats` holds in memory, counted over all its groups and
    /// aggregations (each distinct value of `values()`, `dc()`, `mode()`, each `list()` entry,
    /// each number `median()`, `perc()`, `stdev()` or `var()` keeps); past it the run stops
    /// with an error.
    pub max_values: usize,
    /// Whether a `spath` without a path extracts only the fields later stages read (the
    /// `projection` pass; off, every field, the reference behaviour).
    pub projection: bool,
}

/// The default [`Options::max_groups`].
pub const DEFAULT_MAX_GROUPS: usize = 1_000_000;

/// The default [`Options::max_values`].
pub const DEFAULT_MAX_VALUES: usize = 10_000_000;

impl Default for Options {
    fn default() -> Self {
        Options {
            lookups: None,
            max_groups: DEFAULT_MAX_GROUPS,
            max_values: DEFAULT_MAX_VALUES,
            projection: true,
        }
    }
}

/// Compiles a pipeline with default options; every error found is returned.
pub fn compile(pipeline: &Pipeline) -> Result<Plan, Vec<Diagnostic>> {
    compile_with(pipeline, &Options::default())
}

/// Compiles a pipeline; every error found is returned.
pub fn compile_with(pipeline: &Pipeline, options: &Options) -> Result<Plan, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut stages = Vec::new();
    let mut ordered = false;
    for (at, stage) in pipeline.stages.iter().enumerate() {
        let mut compiled = PlanStage::compile(stage, options);
        if let (true, Ok(PlanStage::Command(command))) = (options.projection, &mut compiled) {
            let later = pipeline.stages.get(at + 1..).unwrap_or_default();
            command.extract_only(|| crate::optimize::projection::projection_of(later));
        }
        if stage.depends_on_order() && !ordered {
            match &mut compiled {
                // `stats` ranks its picks itself: it needs every event for its other
                // aggregations, and holding them all to sort them is what this avoids.
                Ok(PlanStage::Stats(plan)) => plan.time_ordered = true,
                _ => stages.push(PlanStage::TimeOrder(Keep::before(stage))),
            }
            ordered = true;
        }
        if stage.resets_order() {
            ordered = true;
        }
        match compiled {
            Ok(s) => stages.push(s),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan {
        stages,
        columns: static_columns(pipeline),
        warnings: warnings(pipeline),
        pushed: None,
    })
}

/// One warning per kind of stage that cannot do its whole job offline.
fn warnings(pipeline: &Pipeline) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if pipeline
        .stages
        .iter()
        .any(|s| matches!(s, Stage::IpLocation { .. }))
    {
        out.push(
            Diagnostic::warning(
                codes::SPL_UNSUPPORTED,
                "iplocation has no location database offline: City, Country, Region, lat and lon stay empty",
            )
            .help("the rest of the search runs as written"),
        );
    }
    out
}

/// Compiles one expression.
pub fn compile_expr(e: &Expr) -> Result<CExpr, Diagnostic> {
    Ok(match e {
        Expr::Lit(l) => CExpr::Lit(lit_value(l)),
        Expr::Field(f) => CExpr::Field(f.clone()),
        Expr::Not(inner) => CExpr::Not(Box::new(compile_expr(inner)?)),
        Expr::Neg(inner) => CExpr::Neg(Box::new(compile_expr(inner)?)),
        Expr::Binary(BinOp::Like, l, r) => {
            let regex = match r.as_ref() {
                Expr::Lit(Lit::Str(p)) => Some(like_regex(p)?),
                _ => None,
            };
            CExpr::Call {
                func: Func::Like,
                args: vec![compile_expr(l)?, compile_expr(r)?],
                regex,
            }
        }
        Expr::Binary(BinOp::Or, ..) => crate::eval::any_of::compile_or(e)?,
        Expr::Binary(BinOp::And, ..) => CExpr::All(
            e.operands(BinOp::And)
                .into_iter()
                .map(compile_expr)
                .collect::<Result<_, _>>()?,
        ),
        Expr::Binary(op, l, r) => {
            CExpr::Binary(*op, Box::new(compile_expr(l)?), Box::new(compile_expr(r)?))
        }
        Expr::In(inner, list) => CExpr::In(
            Box::new(compile_expr(inner)?),
            list.iter().map(compile_expr).collect::<Result<_, _>>()?,
        ),
        Expr::Call(func, args) => {
            let compiled: Vec<CExpr> = args.iter().map(compile_expr).collect::<Result<_, _>>()?;
            let regex = match (func, args.get(1)) {
                (Func::Match | Func::Replace | Func::MvFind, Some(Expr::Lit(Lit::Str(p)))) => {
                    Some(regex(p)?)
                }
                (Func::Like, Some(Expr::Lit(Lit::Str(p)))) => Some(like_regex(p)?),
                _ => None,
            };
            CExpr::Call {
                func: *func,
                args: compiled,
                regex,
            }
        }
        Expr::Subsearch(_) => return Err(crate::eval::combine::unresolved()),
        Expr::Match { field, pattern } => CExpr::Match {
            field: field.clone(),
            lookup: Lookup::of(field),
            matcher: matcher(pattern)?,
        },
    })
}

fn lit_value(l: &Lit) -> Value {
    match l {
        Lit::Null => Value::Null,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Num(n) => Value::Num(*n),
        Lit::Str(s) => Value::str(s.as_str()),
    }
}

/// A regex from a rule, size-limited.
pub fn regex(pattern: &str) -> Result<Regex, Diagnostic> {
    RegexBuilder::new(&crate::eval::pcre::to_rust_syntax(pattern))
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|e| {
            Diagnostic::error(
                codes::SPL_REGEX,
                format!(
                    "invalid regular expression {pattern:?}: {}",
                    e.to_string().lines().last().unwrap_or("").trim()
                ),
            )
        })
}

/// `like()` patterns: `%` is any run of characters, `_` one character; anchored, case-sensitive.
pub fn like_regex(pattern: &str) -> Result<Regex, Diagnostic> {
    let mut re = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex(&re)
}

/// A glob (`*` any run; `\*` a literal star) as a regex body.
///
/// A backslash is a literal character here: the search parser already turned `\\` into one,
/// and "the backslash symbol can't be used to escape the asterisk in search strings" (Search
/// Manual, Backslashes).
fn glob_body(glob: &str) -> String {
    glob.split('*')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(".*")
}

pub(crate) fn matcher(p: &Pattern) -> Result<Matcher, Diagnostic> {
    Ok(match p {
        Pattern::Exists => Matcher::Exists,
        Pattern::Glob {
            glob,
            case_sensitive: false,
        } if is_plain(glob) => Matcher::Exact(glob.to_lowercase()),
        Pattern::Glob {
            glob,
            case_sensitive: true,
        } if is_plain(glob) => Matcher::ExactCased(glob.clone()),
        Pattern::Glob {
            glob,
            case_sensitive,
        } => {
            let flags = if *case_sensitive { "(?s)" } else { "(?si)" };
            Matcher::Glob(regex(&format!("{flags}^{}$", glob_body(glob)))?)
        }
        Pattern::Cidr(text) => {
            let (ip, bits) = text.split_once('/').unwrap_or((text, "32"));
            match (ip.parse(), bits.parse()) {
                (Ok(net), Ok(bits)) => Matcher::Cidr {
                    net,
                    bits,
                    text: text.to_lowercase(),
                },
                _ => Matcher::Exact(text.to_lowercase()),
            }
        }
        Pattern::Compare(op, text) => Matcher::Compare {
            op: *op,
            text: text.clone(),
            num: parse_number(text),
        },
        Pattern::Term {
            text,
            case_sensitive,
        } => {
            let flags = if *case_sensitive { "(?s)" } else { "(?si)" };
            Matcher::Term(regex(&format!(
                r"{flags}(?:^|[^\w]){}(?:[^\w]|$)",
                glob_body(text)
            ))?)
        }
        Pattern::Wild {
            parts,
            case_sensitive,
        } => wild::matcher(parts, *case_sensitive)?,
        Pattern::Regex(re) => Matcher::Regex(Box::new(SearchRegex::new(re)?)),
        Pattern::Number { op, value, part } => Matcher::Number {
            op: *op,
            value: *value,
            part: *part,
        },
        Pattern::FieldRef {
            fields,
            case_sensitive,
        } => Matcher::FieldRef {
            fields: fields.clone(),
            cased: *case_sensitive,
        },
    })
}

/// A glob without wildcards or escapes: plain equality.
fn is_plain(glob: &str) -> bool {
    !glob.contains('*')
}

/// The output columns, when the stages fix them; `None` when they depend on the events.
fn static_columns(pipeline: &Pipeline) -> Option<Vec<String>> {
    let mut columns: Option<Vec<String>> = None;
    for stage in &pipeline.stages {
        columns = match stage {
            Stage::Stats(s) if s.aggs.iter().any(|a| a.name.contains('*')) => None,
            Stage::Stats(s) => Some(
                s.by.iter()
                    .cloned()
                    .chain(s.aggs.iter().map(|a| a.name.clone()))
                    .collect(),
            ),
            Stage::Table(fields) if fields.iter().all(|f| !f.contains('*')) => {
                Some(dedup_names(fields))
            }
            Stage::Table(_) => None,
            Stage::Eval(assigns) => columns.map(|mut c| {
                for (name, _) in assigns {
                    if !c.contains(name) {
                        c.push(name.clone());
                    }
                }
                c
            }),
            Stage::Rename(pairs)
                if pairs
                    .iter()
                    .any(|(a, b)| a.contains('*') || b.contains('*')) =>
            {
                None
            }
            Stage::Rename(pairs) => columns.map(|c| {
                let mut out: Vec<String> = c
                    .into_iter()
                    .filter(|n| !pairs.iter().any(|(_, b)| b == n))
                    .collect();
                for n in out.iter_mut() {
                    if let Some((_, b)) = pairs.iter().find(|(a, _)| a == n) {
                        *n = b.clone();
                    }
                }
                out
            }),
            Stage::Fields {
                remove: false,
                fields,
            } if fields.iter().all(|f| !f.contains('*')) => Some(dedup_names(fields)),
            Stage::Fields {
                remove: true,
                fields,
            } if fields.iter().all(|f| !f.contains('*')) => {
                columns.map(|c| c.into_iter().filter(|n| !fields.contains(n)).collect())
            }
            Stage::Fields { .. } => None,
            Stage::Lookup(l) => match (&l.outputs, columns) {
                (Some(outputs), Some(mut c)) => {
                    for (_, field) in outputs {
                        if !c.contains(field) {
                            c.push(field.clone());
                        }
                    }
                    Some(c)
                }
                _ => None,
            },
            Stage::InputLookup { .. }
            | Stage::Join(_)
            | Stage::Append(_)
            | Stage::AppendPipe(_) => None,
            Stage::Filter(_)
            | Stage::Sort(_)
            | Stage::Head(_)
            | Stage::Dedup(_)
            | Stage::OutputLookup { .. }
            | Stage::Regex { .. }
            | Stage::Tail(_)
            | Stage::Reverse
            | Stage::MvExpand { .. }
            | Stage::MakeMv(_)
            | Stage::MvCombine { .. }
            | Stage::Replace { .. } => columns,
            Stage::Format(_) => Some(vec!["search".to_string()]),
            Stage::Top(t) => {
                let mut c: Vec<String> = t.by.iter().chain(&t.fields).cloned().collect();
                if t.showcount {
                    c.push(t.countfield.clone());
                }
                if t.showperc {
                    c.push(t.percentfield.clone());
                }
                Some(c)
            }
            Stage::EventStats(s) | Stage::StreamStats(StreamStats { stats: s, .. })
                if s.aggs.iter().any(|a| a.name.contains('*')) =>
            {
                None
            }
            Stage::EventStats(s) | Stage::StreamStats(StreamStats { stats: s, .. }) => {
                add_columns(columns, s.aggs.iter().map(|a| a.name.clone()))
            }
            Stage::Fillnull { fields, .. } => add_columns(columns, fields.iter().cloned()),
            Stage::Convert(c) => add_columns(
                columns,
                c.conversions
                    .iter()
                    .filter_map(|c| c.output.clone().filter(|o| !o.contains('*'))),
            ),
            Stage::Bin(b) => add_columns(columns, std::iter::once(b.output.clone())),
            Stage::AddTotals(a) => add_columns(
                columns,
                a.row
                    .then(|| a.fieldname.clone())
                    .into_iter()
                    .chain(a.labelfield.clone().filter(|_| a.col)),
            ),
            Stage::Rex(Rex {
                kind: RexKind::Extract { pattern, .. },
                ..
            }) => match regex(pattern) {
                Ok(re) => add_columns(
                    columns,
                    re.capture_names()
                        .flatten()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                Err(_) => None,
            },
            Stage::Rex(_) => columns,
            Stage::IpLocation {
                prefix, allfields, ..
            } => add_columns(
                columns,
                crate::eval::stage::iplocation_fields(*allfields)
                    .iter()
                    .map(|f| format!("{prefix}{f}")),
            ),
            Stage::Spath(_)
            | Stage::MakeResults { .. }
            | Stage::FromJson { .. }
            | Stage::XmlKv { .. }
            | Stage::Chart(_)
            | Stage::Transaction(_)
            | Stage::Foreach(_) => None,
            Stage::Correlate(c) => Some(
                c.group_by
                    .iter()
                    .cloned()
                    .chain(
                        [c.kind.column(), "first_seen", "last_seen"]
                            .iter()
                            .map(|s| s.to_string()),
                    )
                    .collect(),
            ),
        };
    }
    columns
}

/// Known columns plus new ones at the end; unknown stays unknown.
fn add_columns(
    columns: Option<Vec<String>>,
    extra: impl IntoIterator<Item = String>,
) -> Option<Vec<String>> {
    columns.map(|mut c| {
        for name in extra {
            if !c.contains(&name) {
                c.push(name);
            }
        }
        c
    })
}

fn dedup_names(fields: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in fields {
        if !out.contains(f) {
            out.push(f.clone());
        }
    }
    out
}
