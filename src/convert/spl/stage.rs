//! One IR stage as one SPL command (`Correlate` as several, in `correlate.rs`).

use super::expr::{field_arg, is_search, number, quote};
use super::Printer;
use crate::ir::{
    Agg, AggFunc, BinSpan, Collation, Conversion, ConvertFunc, Head, Join, JoinKind, MvSplit,
    RexKind, SortKey, Source, Stage, Stats, FOREACH_FIELD, FOREACH_MATCHSTR,
};

fn list(fields: &[String], sep: &str) -> String {
    fields
        .iter()
        .map(|f| field_arg(f))
        .collect::<Vec<_>>()
        .join(sep)
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

impl Printer {
    pub(super) fn stage(&mut self, stage: &Stage) -> String {
        match stage {
            Stage::Filter(e) if is_search(e) => format!("search {}", self.search(e)),
            Stage::Filter(e) => format!("where {}", self.eval(e)),
            Stage::Eval(assigns) => format!("eval {}", self.assignments(assigns)),
            Stage::Stats(s) => format!("stats {}", self.stats(s)),
            Stage::EventStats(s) => format!("eventstats {}", self.stats(s)),
            Stage::StreamStats(s) => format!(
                "streamstats window={} current={} global={} reset_on_change={} {}",
                s.window,
                flag(s.current),
                flag(s.global),
                flag(s.reset_on_change),
                self.stats(&s.stats)
            ),
            Stage::Sort(s) => {
                let limit = match s.limit {
                    None => "0 ".to_string(),
                    Some(crate::spl::lower::SORT_DEFAULT_LIMIT) => String::new(),
                    Some(n) => format!("{n} "),
                };
                let keys: Vec<String> = s.keys.iter().map(sort_key).collect();
                format!("sort {limit}{}", keys.join(", "))
            }
            Stage::Table(fields) => format!("table {}", list(fields, ", ")),
            Stage::Fields { remove, fields } => {
                let sign = if *remove { "- " } else { "" };
                format!("fields {sign}{}", list(fields, ", "))
            }
            Stage::Rename(pairs) => {
                let pairs: Vec<String> = pairs
                    .iter()
                    .map(|(a, b)| format!("{} AS {}", field_arg(a), field_arg(b)))
                    .collect();
                format!("rename {}", pairs.join(", "))
            }
            Stage::Head(Head::Count(n)) => format!("head {n}"),
            Stage::Head(Head::While {
                expr,
                limit,
                keeplast,
                null_true,
            }) => {
                let limit = limit.map_or(String::new(), |n| format!("limit={n} "));
                format!(
                    "head {limit}keeplast={} null={} ({})",
                    flag(*keeplast),
                    flag(*null_true),
                    self.eval(expr)
                )
            }
            Stage::Dedup(d) => {
                let sortby = if d.sortby.is_empty() {
                    String::new()
                } else {
                    let keys: Vec<String> = d.sortby.iter().map(sort_key).collect();
                    format!(" sortby {}", keys.join(", "))
                };
                format!(
                    "dedup {} {} keepempty={} consecutive={}{sortby}",
                    d.count,
                    list(&d.fields, ", "),
                    flag(d.keepempty),
                    flag(d.consecutive)
                )
            }
            Stage::Rex(r) => match &r.kind {
                RexKind::Extract { pattern, max_match } => format!(
                    "rex field={} max_match={max_match} {}",
                    field_arg(&r.field),
                    quote(pattern)
                ),
                RexKind::Replace {
                    pattern,
                    replacement,
                    global,
                    nth,
                } => {
                    let mut flags = match (*global, *nth) {
                        (true, _) => "g".to_string(),
                        (false, 0 | 1) => String::new(),
                        (false, n) => n.to_string(),
                    };
                    let pattern = match pattern.strip_prefix("(?i)") {
                        Some(rest) => {
                            flags.push('i');
                            rest
                        }
                        None => pattern,
                    };
                    let sed = format!(
                        "s/{}/{}/{flags}",
                        pattern.replace('/', "\\/"),
                        sed_replacement(replacement)
                    );
                    format!("rex field={} mode=sed {}", field_arg(&r.field), quote(&sed))
                }
                RexKind::Translate { from, to } => {
                    let (a, b): (String, String) = (from.iter().collect(), to.iter().collect());
                    let sed = format!("y/{a}/{b}/");
                    format!("rex field={} mode=sed {}", field_arg(&r.field), quote(&sed))
                }
            },
            Stage::Regex {
                field,
                pattern,
                negate,
            } => {
                let op = if *negate { "!=" } else { "=" };
                format!("regex {}{op}{}", field_arg(field), quote(pattern))
            }
            Stage::Spath(s) => {
                let mut text = format!("spath input={}", field_arg(&s.input));
                if let Some(o) = &s.output {
                    text.push_str(&format!(" output={}", field_arg(o)));
                }
                if let Some(p) = &s.path {
                    text.push_str(&format!(" path={}", quote(p)));
                }
                text
            }
            Stage::Bin(b) => {
                let as_name = if b.output == b.field {
                    String::new()
                } else {
                    format!(" as {}", field_arg(&b.output))
                };
                format!("bin {} {}{as_name}", span(&b.span), field_arg(&b.field))
            }
            Stage::Fillnull { value, fields } => {
                format!("fillnull value={} {}", quote(value), list(fields, " "))
                    .trim_end()
                    .to_string()
            }
            Stage::Convert(c) => {
                let calls: Vec<String> = c.conversions.iter().map(conversion).collect();
                format!(
                    "convert timeformat={} {}",
                    quote(&c.timeformat),
                    calls.join(", ")
                )
            }
            Stage::MvExpand { field, limit } => match limit {
                Some(n) => format!("mvexpand {} limit={n}", field_arg(field)),
                None => format!("mvexpand {}", field_arg(field)),
            },
            Stage::MakeMv(m) => {
                let split = match &m.split {
                    MvSplit::Delim(d) => format!("delim={}", quote(d)),
                    MvSplit::Tokenizer(t) => format!("tokenizer={}", quote(t)),
                };
                format!(
                    "makemv {split} allowempty={} setsv={} {}",
                    flag(m.allowempty),
                    flag(m.setsv),
                    field_arg(&m.field)
                )
            }
            Stage::MvCombine { field, delim } => {
                format!("mvcombine delim={} {}", quote(delim), field_arg(field))
            }
            Stage::Top(t) => {
                let by = if t.by.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", list(&t.by, ", "))
                };
                format!(
                    "{} limit={} countfield={} percentfield={} showcount={} showperc={} useother={} otherstr={} {}{by}",
                    if t.rare { "rare" } else { "top" },
                    t.limit,
                    quote(&t.countfield),
                    quote(&t.percentfield),
                    flag(t.showcount),
                    flag(t.showperc),
                    flag(t.useother),
                    quote(&t.otherstr),
                    list(&t.fields, ", ")
                )
            }
            Stage::Tail(n) => format!("tail {n}"),
            Stage::Reverse => "reverse".to_string(),
            Stage::MakeResults { count } => format!("makeresults count={count}"),
            Stage::AddTotals(a) => {
                let mut text = format!(
                    "addtotals row={} col={} fieldname={} label={}",
                    flag(a.row),
                    flag(a.col),
                    quote(&a.fieldname),
                    quote(&a.label)
                );
                if let Some(l) = &a.labelfield {
                    text.push_str(&format!(" labelfield={}", quote(l)));
                }
                if !a.fields.is_empty() {
                    text.push(' ');
                    text.push_str(&list(&a.fields, " "));
                }
                text
            }
            Stage::FromJson { field, prefix } if prefix.is_empty() => {
                format!("fromjson {}", field_arg(field))
            }
            Stage::FromJson { field, prefix } => {
                format!("fromjson {} prefix={}", field_arg(field), quote(prefix))
            }
            Stage::XmlKv { field } => format!("xmlkv {}", field_arg(field)),
            Stage::Chart(c) => self.chart(c),
            Stage::Transaction(t) => self.transaction(t),
            Stage::IpLocation {
                field,
                prefix,
                allfields,
            } => format!(
                "iplocation prefix={} allfields={} {}",
                quote(prefix),
                flag(*allfields),
                field_arg(field)
            ),
            Stage::Foreach(f) => {
                let body = self
                    .assignments(&f.body)
                    .replace(FOREACH_FIELD, "<<FIELD>>")
                    .replace(FOREACH_MATCHSTR, "<<MATCHSTR>>");
                format!("foreach {} [eval {body}]", list(&f.fields, " "))
            }
            Stage::Replace { pairs, fields } => {
                let pairs: Vec<String> = pairs
                    .iter()
                    .map(|(a, b)| format!("{} WITH {}", quote(a), quote(b)))
                    .collect();
                let fields = if fields.is_empty() {
                    String::new()
                } else {
                    format!(" IN {}", list(fields, ", "))
                };
                format!("replace {}{fields}", pairs.join(", "))
            }
            Stage::Correlate(c) => self.correlate(c),
            Stage::Lookup(l) => {
                let mode = if l.output_new { "OUTPUTNEW" } else { "OUTPUT" };
                let outputs = l
                    .outputs
                    .as_ref()
                    .map_or(String::new(), |o| format!(" {mode} {}", pairs_as(o)));
                format!(
                    "lookup {} {}{outputs}",
                    field_arg(&l.table),
                    pairs_as(&l.inputs)
                )
            }
            Stage::InputLookup {
                table,
                append,
                filter,
            } => {
                let filter = filter
                    .as_ref()
                    .map_or(String::new(), |f| format!(" where {}", self.search(f)));
                format!(
                    "inputlookup append={} {}{filter}",
                    flag(*append),
                    field_arg(table)
                )
            }
            Stage::OutputLookup { table, append } => {
                format!("outputlookup append={} {}", flag(*append), field_arg(table))
            }
            Stage::Join(j) => self.join(j),
            Stage::Append(s) => format!("append {}", self.source(s)),
            Stage::AppendPipe(p) => format!("appendpipe [{}]", self.subpipeline(p)),
            Stage::Format(f) => match &f.items {
                None => match f.count {
                    Some(n) => format!("format maxresults={n}"),
                    None => "format".to_string(),
                },
                Some(items) => {
                    let parts: Vec<String> = items
                        .iter()
                        .map(|(alias, field, raw)| match (raw, alias == field) {
                            (true, _) => format!("${field}"),
                            (false, true) => field.clone(),
                            (false, false) => format!("{alias}={field}"),
                        })
                        .collect();
                    format!("return {} {}", f.count.unwrap_or(1), parts.join(" "))
                }
            },
        }
    }

    fn assignments(&mut self, assigns: &[(String, crate::ir::Expr)]) -> String {
        let parts: Vec<String> = assigns
            .iter()
            .map(|(k, v)| format!("{}={}", field_arg(k), self.eval(v)))
            .collect();
        parts.join(", ")
    }

    pub(super) fn stats(&mut self, s: &Stats) -> String {
        let aggs: Vec<String> = s.aggs.iter().map(|a| self.agg(a)).collect();
        if s.by.is_empty() {
            aggs.join(", ")
        } else {
            format!("{} by {}", aggs.join(", "), list(&s.by, ", "))
        }
    }

    fn agg(&mut self, a: &Agg) -> String {
        let name = match a.func {
            AggFunc::Perc(n) => format!("perc{n}"),
            f => f.name().to_string(),
        };
        let call = match &a.arg {
            None => name,
            Some(crate::ir::Expr::Field(f)) => format!("{name}({})", field_arg(f)),
            Some(e) => format!("{name}(eval({}))", self.eval(e)),
        };
        if call == a.name {
            call
        } else {
            format!("{call} as {}", field_arg(&a.name))
        }
    }

    fn join(&mut self, j: &Join) -> String {
        let kind = match j.kind {
            JoinKind::Inner => "inner",
            JoinKind::Left => "left",
        };
        format!(
            "join type={kind} max={} overwrite={} {} {}",
            j.max,
            flag(j.overwrite),
            list(&j.fields, ", "),
            self.source(&j.right)
        )
    }

    fn source(&mut self, s: &Source) -> String {
        match s {
            Source::Subsearch(p) => format!("[{}]", self.subpipeline(p)),
            Source::Rows(_) => {
                self.error("subsearch results already computed".to_string());
                "[]".to_string()
            }
        }
    }
}

fn pairs_as(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(a, b)| {
            if a == b {
                field_arg(a)
            } else {
                format!("{} AS {}", field_arg(a), field_arg(b))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn sort_key(k: &SortKey) -> String {
    let sign = if k.descending { "-" } else { "+" };
    let field = field_arg(&k.field);
    match k.collation {
        Collation::Auto => format!("{sign}{field}"),
        Collation::Num => format!("{sign}num({field})"),
        Collation::Str => format!("{sign}str({field})"),
        Collation::Ip => format!("{sign}ip({field})"),
    }
}

pub(super) fn span(s: &BinSpan) -> String {
    match s {
        BinSpan::Fixed(n) => format!("span={}", number(*n)),
        BinSpan::Months(n) => format!("span={n}mon"),
        BinSpan::Log { coefficient, base } => {
            format!("span={}log{}", number(*coefficient), number(*base))
        }
        BinSpan::Auto { bins, minspan } if *minspan > 0.0 => {
            format!("bins={bins} minspan={}s", number(*minspan))
        }
        BinSpan::Auto { bins, .. } => format!("bins={bins}"),
    }
}

fn conversion(c: &Conversion) -> String {
    let func = match c.func {
        ConvertFunc::Auto => "auto",
        ConvertFunc::Ctime => "ctime",
        ConvertFunc::Dur2Sec => "dur2sec",
        ConvertFunc::Memk => "memk",
        ConvertFunc::Mktime => "mktime",
        ConvertFunc::Mstime => "mstime",
        ConvertFunc::None => "none",
        ConvertFunc::Num => "num",
        ConvertFunc::Rmcomma => "rmcomma",
        ConvertFunc::Rmunit => "rmunit",
    };
    match &c.output {
        Some(o) => format!("{func}({}) as {}", field_arg(&c.field), field_arg(o)),
        None => format!("{func}({})", field_arg(&c.field)),
    }
}

/// A `regex`-crate replacement back in sed's syntax: `${1}` → `\1`, `$$` → `$`.
fn sed_replacement(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push('$');
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('\\');
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    out.push(d);
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' | '/' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
