//! A readable, SPL-like text form of the IR, for `spelunk parse --emit ir` and `explain`.

use super::{BinOp, Expr, Head, Lit, NumOp, Pattern, Pipeline, SortKey, Source, Stage, WildPart};
use std::fmt::{self, Display, Formatter};

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (n, stage) in self.stages.iter().enumerate() {
            writeln!(f, "{n:>2}: {stage}")?;
        }
        Ok(())
    }
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Filter(e) => write!(f, "Filter {e}"),
            Stage::Eval(assigns) => {
                let parts: Vec<String> =
                    assigns.iter().map(|(k, v)| format!("{k} := {v}")).collect();
                write!(f, "Eval {}", parts.join(", "))
            }
            Stage::Stats(s) => {
                let aggs: Vec<String> = s
                    .aggs
                    .iter()
                    .map(|a| match &a.arg {
                        Some(arg) => format!("{}({arg}) as {:?}", a.func.name(), a.name),
                        None => format!("{} as {:?}", a.func.name(), a.name),
                    })
                    .collect();
                write!(f, "Stats {} by [{}]", aggs.join(", "), s.by.join(", "))
            }
            Stage::Sort(s) => {
                let keys: Vec<String> = s.keys.iter().map(sort_key).collect();
                let limit = s.limit.map_or("all".to_string(), |n| n.to_string());
                write!(f, "Sort {} limit {limit}", keys.join(", "))
            }
            Stage::Table(fields) => write!(f, "Table [{}]", fields.join(", ")),
            Stage::Fields { remove, fields } => {
                write!(
                    f,
                    "Fields {}[{}]",
                    if *remove { "- " } else { "" },
                    fields.join(", ")
                )
            }
            Stage::Rename(pairs) => {
                let parts: Vec<String> = pairs.iter().map(|(a, b)| format!("{a} -> {b}")).collect();
                write!(f, "Rename {}", parts.join(", "))
            }
            Stage::Head(Head::Count(n)) => write!(f, "Head {n}"),
            Stage::Head(Head::While { expr, limit, .. }) => {
                write!(
                    f,
                    "Head while {expr} limit {}",
                    limit.map_or("none".into(), |n| n.to_string())
                )
            }
            Stage::Lookup(l) => {
                let pairs = |list: &[(String, String)]| {
                    list.iter()
                        .map(|(c, f)| format!("{c} as {f}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let outputs = l
                    .outputs
                    .as_ref()
                    .map_or("all columns".to_string(), |o| pairs(o));
                let mode = if l.output_new { "OUTPUTNEW" } else { "OUTPUT" };
                write!(
                    f,
                    "Lookup {} match [{}] {mode} [{outputs}]",
                    l.table,
                    pairs(&l.inputs)
                )
            }
            Stage::InputLookup {
                table,
                append,
                filter,
            } => {
                write!(
                    f,
                    "InputLookup {table}{}",
                    if *append { " (append)" } else { "" }
                )?;
                filter.as_ref().map_or(Ok(()), |e| write!(f, " where {e}"))
            }
            Stage::OutputLookup { table, append } => write!(
                f,
                "OutputLookup {table}{}",
                if *append { " (append)" } else { "" }
            ),
            Stage::Join(j) => {
                write!(
                    f,
                    "Join {:?} on [{}] max {} with ",
                    j.kind,
                    j.fields.join(", "),
                    j.max
                )?;
                source(f, &j.right)
            }
            Stage::Append(s) => {
                write!(f, "Append ")?;
                source(f, s)
            }
            Stage::AppendPipe(p) => write!(f, "AppendPipe [ {} ]", inline(p)),
            Stage::Dedup(d) => write!(f, "Dedup {} by [{}]", d.count, d.fields.join(", ")),
            Stage::Correlate(c) => {
                let cond: Vec<String> = c
                    .condition
                    .iter()
                    .map(|(op, v)| format!("{}{v}", numop(*op)))
                    .collect();
                write!(
                    f,
                    "Correlate {:?} by [{}] within {}s where {} {}",
                    c.kind,
                    c.group_by.join(", "),
                    c.timespan,
                    c.kind.column(),
                    cond.join(" and ")
                )
            }
            Stage::Rex(r) => write!(f, "Rex {} {:?}", r.field, r.kind),
            Stage::Regex {
                field,
                pattern,
                negate,
            } => write!(
                f,
                "Regex {field} {} {pattern:?}",
                if *negate { "!~" } else { "=~" }
            ),
            Stage::Spath(s) => write!(f, "Spath {s:?}"),
            Stage::EventStats(s) => write!(f, "EventStats {s:?}"),
            Stage::StreamStats(s) => write!(f, "StreamStats {s:?}"),
            Stage::Bin(b) => write!(f, "Bin {} -> {} {:?}", b.field, b.output, b.span),
            Stage::Fillnull { value, fields } => {
                write!(f, "Fillnull {value:?} [{}]", fields.join(", "))
            }
            Stage::Convert(c) => write!(f, "Convert {c:?}"),
            Stage::MvExpand { field, limit } => write!(f, "MvExpand {field} limit {limit:?}"),
            Stage::MakeMv(m) => write!(f, "MakeMv {m:?}"),
            Stage::MvCombine { field, delim } => write!(f, "MvCombine {field} {delim:?}"),
            Stage::Top(t) => write!(f, "Top {t:?}"),
            Stage::Tail(n) => write!(f, "Tail {n}"),
            Stage::Reverse => write!(f, "Reverse"),
            Stage::MakeResults { count } => write!(f, "MakeResults {count}"),
            Stage::AddTotals(a) => write!(f, "AddTotals {a:?}"),
            Stage::FromJson { field, prefix } => write!(f, "FromJson {field} prefix {prefix:?}"),
            Stage::XmlKv { field } => write!(f, "XmlKv {field}"),
            Stage::Chart(c) => write!(f, "Chart {c:?}"),
            Stage::Transaction(t) => write!(f, "Transaction {t:?}"),
            Stage::IpLocation { field, prefix, .. } => {
                write!(f, "IpLocation {field} prefix {prefix:?}")
            }
            Stage::Foreach(fe) => write!(f, "Foreach {fe:?}"),
            Stage::Format(fmt) => write!(f, "Format {fmt:?}"),
            Stage::Replace { pairs, fields } => {
                write!(f, "Replace {pairs:?} in [{}]", fields.join(", "))
            }
        }
    }
}

fn source(f: &mut Formatter<'_>, s: &Source) -> fmt::Result {
    match s {
        Source::Subsearch(p) => write!(f, "[ {} ]", inline(p)),
        Source::Rows(rows) => write!(f, "{} rows", rows.len()),
    }
}

/// A pipeline on one line: its stages joined by ` | `.
fn inline(p: &Pipeline) -> String {
    p.stages
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" | ")
}

fn sort_key(k: &SortKey) -> String {
    format!(
        "{}{} ({:?})",
        if k.descending { "-" } else { "+" },
        k.field,
        k.collation
    )
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Lit(l) => write!(f, "{l}"),
            Expr::Field(name) => write!(f, "{name}"),
            Expr::Not(e) => write!(f, "NOT {e}"),
            Expr::Neg(e) => write!(f, "-{e}"),
            Expr::Binary(op @ (BinOp::And | BinOp::Or), _, _) => {
                let mut parts = Vec::new();
                chain(self, *op, &mut parts);
                let text: Vec<String> = parts.iter().map(ToString::to_string).collect();
                write!(f, "({})", text.join(&format!(" {} ", op.symbol())))
            }
            Expr::Binary(op, l, r) => write!(f, "({l} {} {r})", op.symbol()),
            Expr::In(e, list) => write!(f, "({e} IN ({}))", join(list)),
            Expr::Call(func, args) => write!(f, "{}({})", func.name(), join(args)),
            Expr::Subsearch(p) => write!(f, "[ {} ]", inline(p)),
            Expr::Match { field, pattern } => match pattern {
                Pattern::Exists => write!(f, "{field}=*"),
                Pattern::Glob {
                    glob,
                    case_sensitive: false,
                } => write!(f, "{field}~={glob:?}"),
                Pattern::Glob {
                    glob,
                    case_sensitive: true,
                } => write!(f, "{field}=CASE({glob:?})"),
                Pattern::Cidr(c) => write!(f, "{field} in cidr {c}"),
                Pattern::Compare(op, v) => write!(f, "{field}{}{v:?}", op.symbol()),
                Pattern::Term {
                    text,
                    case_sensitive: false,
                } => write!(f, "term {text:?}"),
                Pattern::Term {
                    text,
                    case_sensitive: true,
                } => write!(f, "CASE({text:?})"),
                Pattern::Wild {
                    parts,
                    case_sensitive,
                } => {
                    let op = if *case_sensitive { "=" } else { "~=" };
                    write!(f, "{field}{op}{:?}", wild_text(parts))
                }
                Pattern::Regex(re) => write!(f, "{field} =~ /{re}/"),
                Pattern::Number { op, value, part } => {
                    let name = match part {
                        Some(p) => format!("{}({field})", format!("{p:?}").to_lowercase()),
                        None => field.clone(),
                    };
                    write!(f, "{name}{}{value}", numop(*op))
                }
                Pattern::FieldRef {
                    fields,
                    case_sensitive,
                } => {
                    let op = if *case_sensitive { "=" } else { "~=" };
                    write!(f, "{field}{op}field({})", fields.join("|"))
                }
            },
        }
    }
}

impl Display for Lit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Null => write!(f, "null()"),
            Lit::Bool(b) => write!(f, "{b}()"),
            Lit::Num(n) => write!(f, "{n}"),
            Lit::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// The operands of a chain of one associative operator, flattened for display.
fn chain<'a>(e: &'a Expr, op: BinOp, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Binary(o, l, r) if *o == op => {
            chain(l, op, out);
            chain(r, op, out);
        }
        other => out.push(other),
    }
}

fn join(items: &[Expr]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Sigma pattern as Sigma-like text: `*`, `?`, `[-/]` for a class, `\` before a literal wildcard.
pub fn wild_text(parts: &[WildPart]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            WildPart::Text(t) => {
                for c in t.chars() {
                    if matches!(c, '*' | '?') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            WildPart::AnyRun => out.push('*'),
            WildPart::AnyChar => out.push('?'),
            WildPart::OneOf(set) => {
                out.push('[');
                out.push_str(set);
                out.push(']');
            }
        }
    }
    out
}

fn numop(op: NumOp) -> &'static str {
    match op {
        NumOp::Eq => "==",
        NumOp::Lt => "<",
        NumOp::Le => "<=",
        NumOp::Gt => ">",
        NumOp::Ge => ">=",
        NumOp::Ne => "!=",
    }
}
