//! Plan stages and their run state. Streaming stages pass records on at once; blocking
//! stages (`stats`, `sort`, the inserted time order) hold them until the input ends.

mod command;
mod extract;
mod foreach;
mod grouping;
mod report;
mod reshape;

pub use extract::iplocation_fields;

use crate::diagnostic::Diagnostic;
use crate::eval::combine::JoinPlan;
use crate::eval::compile::{compile_expr, CExpr, Options};
use crate::eval::event::{has_braces, Record};
use crate::eval::expr::{eval, is_true};
use crate::eval::lookup::{self, LookupPlan};
use crate::eval::order::{due_for_cut, Keep, TimeOrderState, SLACK};
use crate::eval::stats::{StatsPlan, StatsState};
use crate::eval::value::{compare_auto, compare_auto_with, first, Value};
use crate::ir::{Collation, Dedup, Head, SortKey, Stage};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug)]
pub enum PlanStage {
    Filter(CExpr),
    Eval(Vec<(String, CExpr)>),
    Stats(StatsPlan),
    Sort {
        keys: Vec<SortKey>,
        limit: Option<u64>,
    },
    Table(Vec<String>),
    Fields {
        remove: bool,
        fields: Vec<String>,
    },
    Rename(Vec<(String, String)>),
    HeadCount(u64),
    HeadWhile {
        expr: CExpr,
        limit: Option<u64>,
        keeplast: bool,
        null_true: bool,
    },
    Dedup(Dedup),
    Lookup(LookupPlan),
    Join(JoinPlan),
    /// `append`: the subsearch's rows, released after the input.
    Append(Vec<Record>),
    /// `appendpipe`: the subpipeline, run over the buffered results at the end.
    AppendPipe(Box<crate::eval::Plan>),
    InputLookup {
        rows: Vec<Record>,
        append: bool,
        filter: Option<CExpr>,
    },
    OutputLookup {
        dir: Option<PathBuf>,
        table: String,
        append: bool,
    },
    /// `format` / `return`: held until the end, then one `search` row.
    Format(crate::ir::Format),
    /// Splunk's event order (newest first), inserted before the first order-dependent stage;
    /// holds only what that stage uses ([`crate::eval::order`]).
    TimeOrder(Keep),
    /// A Sigma correlation: holds every event until the input ends.
    Correlate(crate::ir::Correlate),
    /// `rex`, `spath`, `eventstats`, `chart`, ...: see `stage/command.rs`.
    Command(Box<command::CommandStage>),
}

impl PlanStage {
    pub fn compile(stage: &Stage, options: &Options) -> Result<PlanStage, Diagnostic> {
        let dir = options.lookups.as_deref();
        Ok(match stage {
            Stage::Join(j) => PlanStage::Join(JoinPlan::new(j)?),
            Stage::Append(source) => {
                PlanStage::Append(crate::eval::combine::resolved_rows(source)?)
            }
            Stage::AppendPipe(p) => {
                let plan = crate::eval::compile::compile_with(p, options).map_err(|d| {
                    d.into_iter()
                        .next()
                        .unwrap_or_else(crate::eval::combine::unresolved)
                })?;
                PlanStage::AppendPipe(Box::new(plan))
            }
            Stage::Lookup(l) => {
                PlanStage::Lookup(LookupPlan::new(l, lookup::load(dir, &l.table)?)?)
            }
            Stage::InputLookup {
                table,
                append,
                filter,
            } => PlanStage::InputLookup {
                rows: lookup::load(dir, table)?.records(),
                append: *append,
                filter: filter.as_ref().map(compile_expr).transpose()?,
            },
            Stage::OutputLookup { table, append } => {
                lookup::table_path(dir, table, true)?;
                PlanStage::OutputLookup {
                    dir: options.lookups.clone(),
                    table: table.clone(),
                    append: *append,
                }
            }
            Stage::Filter(e) => PlanStage::Filter(compile_expr(e)?),
            Stage::Eval(assigns) => PlanStage::Eval(
                assigns
                    .iter()
                    .map(|(k, e)| Ok((k.clone(), compile_expr(e)?)))
                    .collect::<Result<_, Diagnostic>>()?,
            ),
            Stage::Stats(s) => {
                let mut plan = StatsPlan::compile(s)?;
                plan.max_groups = options.max_groups;
                plan.max_values = options.max_values;
                PlanStage::Stats(plan)
            }
            Stage::Sort(s) => PlanStage::Sort {
                keys: s.keys.clone(),
                limit: s.limit,
            },
            Stage::Table(f) => PlanStage::Table(f.clone()),
            Stage::Fields { remove, fields } => PlanStage::Fields {
                remove: *remove,
                fields: fields.clone(),
            },
            Stage::Rename(pairs) => PlanStage::Rename(pairs.clone()),
            Stage::Head(Head::Count(n)) => PlanStage::HeadCount(*n),
            Stage::Head(Head::While {
                expr,
                limit,
                keeplast,
                null_true,
            }) => PlanStage::HeadWhile {
                expr: compile_expr(expr)?,
                limit: *limit,
                keeplast: *keeplast,
                null_true: *null_true,
            },
            Stage::Dedup(d) => PlanStage::Dedup(d.clone()),
            Stage::Correlate(c) => PlanStage::Correlate(c.clone()),
            Stage::Rex(_)
            | Stage::Regex { .. }
            | Stage::Spath(_)
            | Stage::EventStats(_)
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
            | Stage::Replace { .. } => PlanStage::Command(Box::new(
                command::CommandStage::compile(stage, options.max_groups)?,
            )),
            Stage::Format(f) => PlanStage::Format(f.clone()),
        })
    }

    /// Whether the stage works on each record alone and holds nothing between records, so
    /// records may go through it on several threads at once.
    pub fn is_per_record(&self) -> bool {
        match self {
            PlanStage::Filter(_)
            | PlanStage::Eval(_)
            | PlanStage::Fields { .. }
            | PlanStage::Rename(_)
            | PlanStage::Table(_)
            | PlanStage::Lookup(_) => true,
            PlanStage::Command(c) => matches!(c.start(), StageState::None),
            _ => false,
        }
    }

    pub fn start(&self) -> StageState {
        match self {
            PlanStage::Stats(p) => StageState::Stats(p.start()),
            PlanStage::TimeOrder(_) => StageState::TimeOrder(Box::default()),
            PlanStage::Sort { .. }
            | PlanStage::OutputLookup { .. }
            | PlanStage::AppendPipe(_)
            | PlanStage::Format(_)
            | PlanStage::Correlate(_) => StageState::Buffer(Vec::new()),
            PlanStage::HeadCount(_) | PlanStage::HeadWhile { .. } => StageState::Head {
                seen: 0,
                done: false,
            },
            PlanStage::Dedup(_) => StageState::Dedup {
                seen: HashMap::new(),
                last: None,
                kept: Vec::new(),
            },
            PlanStage::Command(c) => c.start(),
            PlanStage::Filter(_)
            | PlanStage::Join(_)
            | PlanStage::Append(_)
            | PlanStage::Lookup(_)
            | PlanStage::InputLookup { .. }
            | PlanStage::Eval(_)
            | PlanStage::Table(_)
            | PlanStage::Fields { .. }
            | PlanStage::Rename(_) => StageState::None,
        }
    }
}

/// The mutable state of one stage during one run.
#[derive(Debug)]
pub enum StageState {
    None,
    Stats(StatsState),
    Buffer(Vec<Record>),
    Head {
        seen: u64,
        done: bool,
    },
    Dedup {
        seen: HashMap<String, u64>,
        last: Option<String>,
        kept: Vec<Record>,
    },
    /// `streamstats`' running state.
    Stream(command::StreamStateBox),
    /// `top` / `rare`'s counts.
    Top(Box<report::TopCounts>),
    /// The cells of a `chart` / `timechart` that needs no event held.
    Chart(Box<report::ChartCells>),
    TimeOrder(Box<TimeOrderState>),
}

/// Passes one record through a stage; pushes what comes out (if anything) to `out`.
pub fn absorb(
    stage: &PlanStage,
    state: &mut StageState,
    mut record: Record,
    out: &mut Vec<Record>,
) {
    match (stage, state) {
        (PlanStage::Lookup(plan), _) => {
            plan.apply(&mut record);
            out.push(record);
        }
        (PlanStage::Join(plan), _) => plan.apply(record, out),
        (PlanStage::Append(_), _) => out.push(record),
        (PlanStage::AppendPipe(_) | PlanStage::Format(_), StageState::Buffer(buf)) => {
            buf.push(record)
        }
        (PlanStage::InputLookup { append: true, .. }, _) => out.push(record),
        (PlanStage::InputLookup { append: false, .. }, _) => {}
        (PlanStage::OutputLookup { .. }, StageState::Buffer(buf)) => buf.push(record),
        (PlanStage::Filter(e), _) if is_true(e, &record) => out.push(record),
        (PlanStage::Filter(_), _) => {}
        (PlanStage::Eval(assigns), _) => {
            for (name, e) in assigns {
                let value = match eval(e, &record) {
                    Value::Bool(b) => Value::str(b.to_string()),
                    v => v,
                };
                match dynamic_name(name, &record) {
                    Some(resolved) => record.set(&resolved, value),
                    None => record.set(name, value),
                }
            }
            out.push(record);
        }
        (PlanStage::Stats(plan), StageState::Stats(s)) => s.absorb(plan, &record),
        (PlanStage::Sort { keys, limit }, StageState::Buffer(buf)) => {
            buf.push(record.hold());
            // Only the first `limit` rows come out: once well past that many, the rest go.
            if let Some(n) = limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)) {
                if due_for_cut(buf.len(), n, SLACK) {
                    *buf = sort_rows(keys, std::mem::take(buf));
                    buf.truncate(n);
                }
            }
        }
        (PlanStage::Correlate(_), StageState::Buffer(buf)) => buf.push(record),
        (PlanStage::TimeOrder(keep), StageState::TimeOrder(held)) => held.absorb(keep, record),
        (PlanStage::Table(patterns), _) => out.push(table(patterns, record)),
        (PlanStage::Fields { remove, fields }, _) => {
            out.push(fields_stage(*remove, fields, record))
        }
        (PlanStage::Rename(pairs), _) => out.push(rename(pairs, record)),
        (PlanStage::HeadCount(n), StageState::Head { seen, .. }) if *seen < *n => {
            *seen += 1;
            out.push(record);
        }
        (
            PlanStage::HeadWhile {
                expr,
                limit,
                keeplast,
                null_true,
            },
            StageState::Head { seen, done },
        ) => {
            if *done || limit.is_some_and(|l| *seen >= l) {
                return;
            }
            let keep = match eval(expr, &record) {
                Value::Bool(b) => b,
                _ => *null_true,
            };
            if keep || *keeplast {
                *seen += 1;
                out.push(record);
            }
            *done = !keep;
        }
        (PlanStage::Dedup(d), StageState::Dedup { seen, last, kept }) => {
            dedup(d, seen, last, kept, record, out)
        }
        (PlanStage::Command(c), state) => c.absorb(state, record, out),
        _ => {}
    }
}

/// `eval {key}=...`: each `{field}` in the name becomes that field's value (`{}` alone, the
/// multivalue suffix, stays). `None` when the name has no such part.
fn dynamic_name(name: &str, record: &Record) -> Option<String> {
    if !name.contains('{') || !name.contains(|c| c != '{' && c != '}') {
        return None;
    }
    let mut out = String::new();
    let mut rest = name;
    let mut changed = false;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..close];
        if inner.is_empty() {
            out.push_str("{}");
        } else {
            out.push_str(&record.get(inner).map(Value::to_text).unwrap_or_default());
            changed = true;
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Ends the input for a stage: blocking stages release their records. Problems that do not stop
/// the run (a lookup that cannot be written) go to `warnings`.
pub fn flush(stage: &PlanStage, state: StageState, warnings: &mut Vec<Diagnostic>) -> Vec<Record> {
    match (stage, state) {
        (PlanStage::InputLookup { rows, filter, .. }, _) => rows
            .iter()
            .filter(|r| filter.as_ref().is_none_or(|f| is_true(f, r)))
            .cloned()
            .collect(),
        (PlanStage::Append(rows), _) => rows.clone(),
        (PlanStage::Format(f), StageState::Buffer(buf)) => {
            vec![crate::eval::format::format(f, &buf)]
        }
        (PlanStage::AppendPipe(plan), StageState::Buffer(mut buf)) => {
            let results = plan.run(buf.clone());
            warnings.extend(results.warnings);
            buf.extend(results.rows);
            buf
        }
        (PlanStage::OutputLookup { dir, table, append }, StageState::Buffer(buf)) => {
            if let Err(d) = lookup::write(dir.as_deref(), table, &buf, *append) {
                warnings.push(d);
            }
            buf
        }
        (PlanStage::Stats(plan), StageState::Stats(s)) => {
            warnings.extend(s.overflow(plan));
            s.finish(plan)
        }
        (PlanStage::Sort { keys, limit }, StageState::Buffer(buf)) => {
            let mut buf = sort_rows(keys, buf);
            if let Some(n) = limit {
                buf.truncate(usize::try_from(*n).unwrap_or(usize::MAX));
            }
            buf
        }
        (PlanStage::TimeOrder(keep), StageState::TimeOrder(held)) => held.finish(keep),
        (PlanStage::Correlate(c), StageState::Buffer(buf)) => {
            crate::eval::correlate::correlate(c, buf)
        }
        (PlanStage::Dedup(d), StageState::Dedup { kept, .. }) if !d.sortby.is_empty() => {
            sort_rows(&d.sortby, kept)
        }
        (PlanStage::Command(c), state) => c.flush(state, warnings),
        _ => Vec::new(),
    }
}

/// The rows sorted stably by each key in turn; a missing field sorts last in either direction
/// ("Results missing a given field are treated as having the smallest or largest possible value
/// of that field if the order is descending or ascending, respectively"). Each row's sort values
/// are looked up (and read as numbers) once rather than at every comparison.
pub fn sort_rows(keys: &[SortKey], rows: Vec<Record>) -> Vec<Record> {
    type Cell<'r> = Option<(&'r Value, Option<f64>)>;
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            keys.iter()
                .map(|key| {
                    let v = row.get(&key.field)?;
                    Some((v, number_for(key.collation, v)))
                })
                .collect()
        })
        .collect();
    let compare = |a: &[Cell], b: &[Cell]| -> Ordering {
        for ((key, x), y) in keys.iter().zip(a).zip(b) {
            let ordering = match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some((x, xn)), Some((y, yn))) => {
                    let o = collate_with(key.collation, x, *xn, y, *yn);
                    if key.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        Ordering::Equal
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&i, &j| match (cells.get(i), cells.get(j)) {
        (Some(a), Some(b)) => compare(a, b),
        _ => Ordering::Equal,
    });
    drop(cells);
    let mut rows: Vec<Option<Record>> = rows.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| rows.get_mut(i).and_then(Option::take))
        .collect()
}

/// The number a collation reads a value as ([`collate_with`]'s `a_num`).
fn number_for(collation: Collation, v: &Value) -> Option<f64> {
    match collation {
        Collation::Auto => first(v).as_num(),
        Collation::Num => v.as_num(),
        Collation::Str | Collation::Ip => None,
    }
}

/// How two values of a sort key compare, given each one's [`number_for`] the collation.
fn collate_with(
    collation: Collation,
    a: &Value,
    a_num: Option<f64>,
    b: &Value,
    b_num: Option<f64>,
) -> Ordering {
    match collation {
        Collation::Auto => compare_auto_with(a, a_num, b, b_num),
        Collation::Str => a.to_text().cmp(&b.to_text()),
        Collation::Num => match (a_num, b_num) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.to_text().cmp(&b.to_text()),
        },
        Collation::Ip => match (a.to_text().parse::<IpAddr>(), b.to_text().parse::<IpAddr>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => compare_auto(a, b),
        },
    }
}

/// Whether `name` matches a field pattern with `*` wildcards (as `wildcard_capture` does, without
/// building the captures).
pub fn field_matches(pattern: &str, name: &str) -> bool {
    let star = |p: &str| p.bytes().position(|b| b == b'*');
    let Some(first) = star(pattern) else {
        return pattern == name;
    };
    let Some(mut rest) = name.strip_prefix(&pattern[..first]) else {
        return false;
    };
    let mut parts = &pattern[first + 1..];
    while let Some(end) = star(parts) {
        let part = &parts[..end];
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
        parts = &parts[end + 1..];
    }
    rest.ends_with(parts)
}

/// Matches `name` against `pattern` and returns what each `*` matched.
pub(crate) fn wildcard_capture(pattern: &str, name: &str) -> Option<Vec<String>> {
    let Some((first, more)) = pattern.split_once('*') else {
        return (pattern == name).then(Vec::new);
    };
    let mut rest = name.strip_prefix(first)?;
    let mut parts = more.split('*').peekable();
    let mut captures = Vec::new();
    while let Some(part) = parts.next() {
        let (captured, after) = match parts.peek() {
            None => (rest.strip_suffix(part)?, ""),
            Some(_) => rest.split_once(part)?,
        };
        captures.push(captured.to_string());
        rest = after;
    }
    Some(captures)
}

fn table(patterns: &[String], mut record: Record) -> Record {
    if !patterns.iter().any(|p| p.contains('*')) {
        // Named fields only: the record is cut down and reordered where it is (`a{}` is the
        // field `a`, as `Record::get` reads it).
        let names: Vec<std::borrow::Cow<str>> = patterns
            .iter()
            .map(|p| {
                if has_braces(p) {
                    std::borrow::Cow::Owned(p.replace("{}", ""))
                } else {
                    std::borrow::Cow::Borrowed(p.as_str())
                }
            })
            .collect();
        record.fields.select(names.iter().map(|n| n.as_ref()));
        return record;
    }
    let mut out = Record::default();
    for pattern in patterns {
        if pattern.contains('*') {
            for (name, v) in &record.fields {
                if field_matches(pattern, name) && !out.fields.contains_key(name) {
                    out.fields.insert(name.clone(), v.clone());
                }
            }
        } else if let Some(v) = record.get(pattern) {
            out.set(pattern, v.clone());
        }
    }
    out
}

fn fields_stage(remove: bool, patterns: &[String], mut record: Record) -> Record {
    let listed = |name: &str| patterns.iter().any(|p| field_matches(p, name));
    if remove {
        record.fields.retain(|name, _| !listed(name));
        return record;
    }
    // The kept fields move from the record into one built in the order of the list (a name is
    // looked up, not compared with every field; a wildcard walks the fields left, in order).
    let mut out = Record::default();
    out.fields.reserve(patterns.len() + 2);
    for pattern in patterns {
        if !pattern.contains('*') {
            if let Some((name, v)) = record.fields.shift_remove_entry(pattern.as_str()) {
                out.fields.insert(name, v);
            }
            continue;
        }
        for (name, v) in &record.fields {
            if field_matches(pattern, name) && !out.fields.contains_key(name) {
                out.fields.insert(name.clone(), v.clone());
            }
        }
    }
    for internal in ["_time", "_raw"] {
        if let Some((name, v)) = record.fields.shift_remove_entry(internal) {
            out.fields.get_or_insert_with(name, || v);
        }
    }
    out
}

/// `rename a as b`: the field keeps its place; an existing `b` is replaced. Wildcards carry what
/// `*` matched (`Processes.* as *`).
fn rename(pairs: &[(String, String)], mut record: Record) -> Record {
    for (from, to) in pairs {
        let targets: Vec<(String, String)> = record
            .fields
            .keys()
            .filter_map(|name| {
                wildcard_capture(from, name)
                    .map(|caps| (name.to_string(), fill_wildcards(to, &caps)))
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        let replaced: Vec<&str> = targets.iter().map(|(_, t)| t.as_str()).collect();
        let mut fields = crate::eval::event::Fields::with_capacity(record.fields.len());
        for (name, value) in record.fields {
            match targets.iter().find(|(source, _)| *source == name) {
                Some((_, target)) => {
                    fields.insert(target.into(), value);
                }
                None if replaced.contains(&name.as_str()) => {}
                None => {
                    fields.insert(name, value);
                }
            }
        }
        record.fields = fields;
    }
    record
}

/// `to` with each `*` replaced by the next capture.
pub(crate) fn fill_wildcards(to: &str, captures: &[String]) -> String {
    let mut target = String::new();
    let mut caps = captures.iter();
    for (i, part) in to.split('*').enumerate() {
        if i > 0 {
            target.push_str(caps.next().map_or("", String::as_str));
        }
        target.push_str(part);
    }
    target
}

fn dedup(
    d: &Dedup,
    seen: &mut HashMap<String, u64>,
    last: &mut Option<String>,
    kept: &mut Vec<Record>,
    record: Record,
    out: &mut Vec<Record>,
) {
    let Some(key) = dedup_key(d, &record) else {
        if d.keepempty {
            emit(d, kept, record, out);
        }
        return;
    };
    if d.consecutive {
        if last.as_deref() == Some(key.as_str()) {
            return;
        }
        *last = Some(key);
        return emit(d, kept, record, out);
    }
    let count = seen.entry(key).or_insert(0);
    if *count < d.count {
        *count += 1;
        emit(d, kept, record, out);
    }
}

/// What `dedup` tells records apart by: the texts of its fields; `None` when the record lacks
/// one (or it is null).
pub fn dedup_key(d: &Dedup, record: &Record) -> Option<String> {
    let mut key = String::new();
    for field in &d.fields {
        let v = record.get(field).filter(|v| !v.is_null())?;
        key.push_str(&v.to_text());
        key.push('\u{1f}');
    }
    Some(key)
}

fn emit(d: &Dedup, kept: &mut Vec<Record>, record: Record, out: &mut Vec<Record>) {
    if d.sortby.is_empty() {
        out.push(record);
    } else {
        kept.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::{field_matches, wildcard_capture};

    #[test]
    fn wildcard_capture_returns_what_each_star_matched() {
        let caps = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(wildcard_capture("a*b*c", "axxbyyc"), caps(&["xx", "yy"]));
        assert_eq!(
            wildcard_capture("*_count", "x_count_count"),
            caps(&["x_count"])
        );
        assert_eq!(wildcard_capture("a**", "abc"), caps(&["", "bc"]));
        assert_eq!(wildcard_capture("abc", "abc"), caps(&[]));
        assert_eq!(wildcard_capture("a*a", "a"), None);
        assert_eq!(wildcard_capture("abc", "abd"), None);
    }

    #[test]
    fn field_matches_agrees_with_wildcard_capture() {
        let patterns = [
            "a",
            "a*",
            "*b",
            "a*b",
            "a*b*c",
            "*",
            "**",
            "a**b",
            "Event.UserData.*.Image",
        ];
        let names = [
            "a",
            "ab",
            "b",
            "abc",
            "abxbc",
            "abcc",
            "",
            "ba",
            "Event.UserData.X.Image",
        ];
        for p in patterns {
            for n in names {
                assert_eq!(
                    field_matches(p, n),
                    wildcard_capture(p, n).is_some(),
                    "{p} {n}"
                );
            }
        }
    }
}
