//! Lowering: SPL syntax tree → IR. Resolves function names, checks arities and regexes,
//! applies Splunk defaults (sort limit 10,000, head 10) and collects every error in one pass.

mod commands;
mod values;

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::ir::{self, AggFunc, BinOp, Expr, Func, Lit, Pattern, Pipeline, Stage};
use crate::spl::ast::{
    AggArg, BinaryOp, Collation, Command, CommandKind, EvalExpr, EvalKind, Query, SearchExpr,
    SearchOp, SortKey, TermDirective, UnaryOp, Word,
};
use crate::spl::datamodel::Datamodels;

/// Splunk's default `sort` limit ("If no count is specified, the default limit of 10000 is used").
pub const SORT_DEFAULT_LIMIT: u64 = 10_000;
/// Search-time modifiers that select a time range rather than compare a field; offline the input
/// files are the time range, so these are accepted and match every event.
const TIME_MODIFIERS: &[&str] = &[
    "earliest",
    "latest",
    "_index_earliest",
    "_index_latest",
    "starttime",
    "endtime",
];

/// Splunk's default `head` count.
pub const HEAD_DEFAULT: u64 = 10;

mod tstats;

/// Search text (a `format`/`return` result a subsearch hands back) as a filter expression.
/// Empty text and `NOT ()` (format's "no results") match nothing.
pub fn search_text(text: &str) -> Result<Expr, Vec<Diagnostic>> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "NOT ()" {
        return Ok(Expr::Lit(Lit::Bool(false)));
    }
    let query = crate::spl::parse(&format!("search {trimmed}"))?;
    let pipeline = lower(&query)?;
    match pipeline.stages.into_iter().next() {
        Some(Stage::Filter(e)) => Ok(e),
        _ => Ok(Expr::Lit(Lit::Bool(false))),
    }
}

/// Lowers a parsed query with the built-in data models; all problems are reported together.
pub fn lower(query: &Query) -> Result<Pipeline, Vec<Diagnostic>> {
    lower_with(query, Datamodels::builtin())
}

/// Lowers a parsed query, resolving `tstats`/`from datamodel` against `datamodels`.
pub fn lower_with(query: &Query, datamodels: &Datamodels) -> Result<Pipeline, Vec<Diagnostic>> {
    let mut lowerer = Lowerer {
        errors: Vec::new(),
        datamodels,
    };
    let stages = query
        .commands
        .iter()
        .flat_map(|c| lowerer.command(c))
        .collect();
    if lowerer.errors.is_empty() {
        Ok(Pipeline { stages })
    } else {
        Err(lowerer.errors)
    }
}

struct Lowerer<'d> {
    errors: Vec<Diagnostic>,
    datamodels: &'d Datamodels,
}

impl Lowerer<'_> {
    fn error(&mut self, d: Diagnostic) -> Expr {
        self.errors.push(d);
        Expr::Lit(Lit::Null)
    }

    /// The stages of one command (most commands are one stage).
    fn command(&mut self, command: &Command) -> Vec<Stage> {
        match &command.kind {
            CommandKind::Tstats(t) => self.tstats(t),
            CommandKind::FromDatamodel(name) => self.datamodel_events(name),
            _ => vec![self.simple_command(command)],
        }
    }

    fn simple_command(&mut self, command: &Command) -> Stage {
        match &command.kind {
            CommandKind::Search(s) => Stage::Filter(self.search(s)),
            CommandKind::Where(e) => Stage::Filter(self.expr(e)),
            CommandKind::Eval(assignments) => Stage::Eval(
                assignments
                    .iter()
                    .map(|a| {
                        if is_boolean(&a.value) {
                            self.errors.push(
                                Diagnostic::error(
                                    codes::SPL_SEMANTIC,
                                    format!(
                                        "`eval {}=...` cannot assign a boolean result to a field",
                                        a.field.text
                                    ),
                                )
                                .at(a.value.span)
                                .help(
                                    "wrap the condition in if(), e.g. if(x > 1, \"yes\", \"no\")",
                                ),
                            );
                        }
                        (a.field.text.clone(), self.expr(&a.value))
                    })
                    .collect(),
            ),
            CommandKind::Stats(s) => Stage::Stats(self.stats(s)),
            CommandKind::Table(fields) => Stage::Table(names(fields)),
            CommandKind::Fields { remove, fields } => Stage::Fields {
                remove: *remove,
                fields: names(fields),
            },
            CommandKind::Rename(pairs) => Stage::Rename(
                pairs
                    .iter()
                    .map(|(a, b)| (a.text.clone(), b.text.clone()))
                    .collect(),
            ),
            CommandKind::Sort(s) => {
                let limit = match s.limit {
                    None => Some(SORT_DEFAULT_LIMIT),
                    Some(0) => None,
                    Some(n) => Some(n),
                };
                let mut keys: Vec<ir::SortKey> = s.keys.iter().map(sort_key).collect();
                if s.reverse {
                    keys.iter_mut().for_each(|k| k.descending = !k.descending);
                }
                Stage::Sort(ir::Sort { keys, limit })
            }
            CommandKind::Head(h) => Stage::Head(match &h.while_expr {
                None => ir::Head::Count(h.limit.unwrap_or(HEAD_DEFAULT)),
                Some(e) => ir::Head::While {
                    expr: self.expr(e),
                    limit: h.limit,
                    keeplast: h.keeplast,
                    null_true: h.null_true,
                },
            }),
            CommandKind::Tstats(_) | CommandKind::FromDatamodel(_) => {
                Stage::Filter(Expr::Lit(Lit::Bool(true)))
            }
            CommandKind::Lookup(l) => {
                let pairs = |list: &[(Word, Option<Word>)]| {
                    list.iter()
                        .map(|(c, f)| (c.text.clone(), f.as_ref().unwrap_or(c).text.clone()))
                        .collect::<Vec<_>>()
                };
                Stage::Lookup(ir::Lookup {
                    table: l.table.text.clone(),
                    inputs: pairs(&l.inputs),
                    outputs: (!l.outputs.is_empty()).then(|| pairs(&l.outputs)),
                    output_new: l.output_new,
                })
            }
            CommandKind::InputLookup {
                table,
                append,
                filter,
            } => Stage::InputLookup {
                table: table.text.clone(),
                append: *append,
                filter: filter.as_ref().map(|f| self.search(f)),
            },
            CommandKind::OutputLookup { table, append } => Stage::OutputLookup {
                table: table.text.clone(),
                append: *append,
            },
            CommandKind::Join {
                options,
                fields,
                subsearch,
            } => Stage::Join(self.join(options, fields, subsearch)),
            CommandKind::Append(q) => Stage::Append(ir::Source::Subsearch(Box::new(self.query(q)))),
            CommandKind::AppendPipe(q) => Stage::AppendPipe(Box::new(self.query(q))),
            CommandKind::Format { maxresults } => Stage::Format(ir::Format {
                items: None,
                count: *maxresults,
            }),
            CommandKind::Return { count, items } => Stage::Format(ir::Format {
                items: Some(
                    items
                        .iter()
                        .map(|i| (i.alias.text.clone(), i.field.text.clone(), i.raw))
                        .collect(),
                ),
                count: Some(*count),
            }),
            CommandKind::Dedup(d) => Stage::Dedup(ir::Dedup {
                fields: names(&d.fields),
                count: d.count,
                keepempty: d.keepempty,
                consecutive: d.consecutive,
                sortby: d.sortby.iter().map(sort_key).collect(),
            }),
            CommandKind::Rex(r) => self.rex(r),
            CommandKind::Regex(r) => self.regex_filter(r),
            CommandKind::Spath(s) => self.spath(s),
            CommandKind::Eventstats(s) => Stage::EventStats(self.stats(s)),
            CommandKind::Streamstats(s) => self.streamstats(s),
            CommandKind::Bin(b) => self.bin(b),
            CommandKind::Fillnull(f) => Stage::Fillnull {
                value: f.value.as_ref().map_or("0".to_string(), |w| w.text.clone()),
                fields: names(&f.fields),
            },
            CommandKind::Convert(c) => self.convert(c),
            CommandKind::Mvexpand { field, limit } => Stage::MvExpand {
                field: field.text.clone(),
                limit: *limit,
            },
            CommandKind::Makemv(m) => self.makemv(m),
            CommandKind::Mvcombine { delim, field } => Stage::MvCombine {
                field: field.text.clone(),
                delim: delim.as_ref().map_or(" ".to_string(), |w| w.text.clone()),
            },
            CommandKind::Top { rare, top } => self.top(*rare, top),
            CommandKind::Tail(n) => Stage::Tail(n.unwrap_or(HEAD_DEFAULT)),
            CommandKind::Reverse => Stage::Reverse,
            CommandKind::Makeresults { count } => Stage::MakeResults {
                count: count.unwrap_or(1),
            },
            CommandKind::Addtotals(a) => self.addtotals(a),
            CommandKind::Fromjson { field, prefix } => Stage::FromJson {
                field: field.text.clone(),
                prefix: prefix.as_ref().map_or(String::new(), |w| w.text.clone()),
            },
            CommandKind::Xmlkv { field } => Stage::XmlKv {
                field: field
                    .as_ref()
                    .map_or("_raw".to_string(), |w| w.text.clone()),
            },
            CommandKind::Chart { timechart, chart } => self.chart(*timechart, chart),
            CommandKind::Transaction(t) => self.transaction(t),
            CommandKind::Iplocation(l) => Stage::IpLocation {
                field: l.field.text.clone(),
                prefix: l.prefix.as_ref().map_or(String::new(), |w| w.text.clone()),
                allfields: l.allfields,
            },
            CommandKind::Foreach(f) => self.foreach(f),
            CommandKind::Replace { pairs, fields } => Stage::Replace {
                pairs: pairs
                    .iter()
                    .map(|(a, b)| (a.text.clone(), b.text.clone()))
                    .collect(),
                fields: names(fields),
            },
        }
    }

    fn stats(&mut self, s: &crate::spl::ast::StatsCommand) -> ir::Stats {
        ir::Stats {
            aggs: s.aggs.iter().map(|a| self.aggregation(a)).collect(),
            by: names(&s.by),
        }
    }

    fn aggregation(&mut self, a: &crate::spl::ast::Aggregation) -> ir::Agg {
        let name = a
            .alias
            .as_ref()
            .map_or_else(|| a.call_text.clone(), |w| w.text.clone());
        let Some(func) = AggFunc::from_name(&a.func.text) else {
            self.errors.push(
                Diagnostic::error(codes::SPL_UNSUPPORTED, format!("not supported yet: the stats function `{}`", a.func.text))
                    .at(a.func.span)
                    .help("supported: count, dc, estdc, sum, avg, min, max, range, earliest, latest, values, list, first, last, stdev, stdevp, var, varp, median, mode, perc<N>"),
            );
            return ir::Agg {
                func: AggFunc::Count,
                arg: None,
                name,
            };
        };
        let arg = match &a.arg {
            None if func == AggFunc::Count => None,
            None => {
                self.errors.push(
                    Diagnostic::error(
                        codes::SPL_SYNTAX,
                        format!(
                            "`{}` needs a field, as in `{}(bytes)`",
                            a.func.text, a.func.text
                        ),
                    )
                    .at(a.func.span),
                );
                None
            }
            Some(AggArg::Field(w)) if w.text.contains('*') && !name.contains('*') => {
                self.errors.push(
                    Diagnostic::error(
                        codes::SPL_SEMANTIC,
                        format!(
                            "`{}` names several fields, so its `as` name needs a `*` too",
                            a.call_text
                        ),
                    )
                    .at(w.span)
                    .help("e.g. values(*) as * or avg(tcp.*) as avg_tcp.*"),
                );
                None
            }
            Some(AggArg::Field(w)) => Some(Expr::Field(w.text.clone())),
            Some(AggArg::Eval(e)) => Some(self.expr(e)),
        };
        ir::Agg { func, arg, name }
    }

    /// A nested query (a subsearch) as a pipeline of its own.
    fn query(&mut self, q: &Query) -> Pipeline {
        Pipeline {
            stages: q.commands.iter().flat_map(|c| self.command(c)).collect(),
        }
    }

    /// `join type=left max=0 overwrite=false f1, f2 [subsearch]`
    fn join(&mut self, options: &[(Word, Word)], fields: &[Word], q: &Query) -> ir::Join {
        let mut join = ir::Join {
            kind: ir::JoinKind::Inner,
            fields: names(fields),
            max: 1,
            overwrite: true,
            right: ir::Source::Subsearch(Box::new(self.query(q))),
        };
        for (key, value) in options {
            let text = value.text.to_ascii_lowercase();
            match (key.text.as_str(), text.as_str()) {
                ("type", "inner") => join.kind = ir::JoinKind::Inner,
                ("type", "left" | "outer") => join.kind = ir::JoinKind::Left,
                ("max", n) if n.parse::<u64>().is_ok() => join.max = n.parse().unwrap_or(1),
                ("overwrite", _) => {
                    join.overwrite = crate::spl::lex::parse_bool(value).unwrap_or(true)
                }
                ("usetime" | "earlier" | "return_multivalue", _) => {}
                (name, _) => self.errors.push(
                    Diagnostic::error(
                        codes::SPL_UNSUPPORTED,
                        format!("not supported yet: `join {name}={}`", value.text),
                    )
                    .at(key.span.to(value.span)),
                ),
            }
        }
        join
    }

    fn search(&mut self, s: &SearchExpr) -> Expr {
        match s {
            SearchExpr::All => Expr::Lit(Lit::Bool(true)),
            SearchExpr::Subsearch(q) => Expr::Subsearch(Box::new(self.query(q))),
            SearchExpr::And(items) => self.fold(items, BinOp::And),
            SearchExpr::Or(items) => self.fold(items, BinOp::Or),
            SearchExpr::Not(inner) => Expr::Not(Box::new(self.search(inner))),
            SearchExpr::Compare {
                field,
                op,
                value,
                directive,
            } => self.compare(field, *op, value, *directive == TermDirective::Case),
            SearchExpr::In { field, values } => {
                let items: Vec<Expr> = values
                    .iter()
                    .map(|v| self.compare(field, SearchOp::Eq, v, false))
                    .collect();
                fold_exprs(items, BinOp::Or)
            }
            SearchExpr::Term { word, directive } => Expr::Match {
                field: "_raw".to_string(),
                pattern: Pattern::Term {
                    text: word.text.clone(),
                    case_sensitive: *directive == TermDirective::Case,
                },
            },
        }
    }

    fn fold(&mut self, items: &[SearchExpr], op: BinOp) -> Expr {
        let lowered = items.iter().map(|i| self.search(i)).collect();
        fold_exprs(lowered, op)
    }

    /// `field op value` in the search language.
    fn compare(&mut self, field: &Word, op: SearchOp, value: &Word, case_sensitive: bool) -> Expr {
        // `*` in a field name matches every field of that shape (`Event.UserData.*.Image=x`).
        // Offline, the events files are the time range: `earliest=-24h` selects nothing more.
        if TIME_MODIFIERS.contains(&field.text.as_str()) {
            return Expr::Lit(Lit::Bool(true));
        }
        let name = field.text.clone();
        let matcher = |pattern| Expr::Match {
            field: name.clone(),
            pattern,
        };
        let equals = || {
            if value.text == "*" {
                matcher(Pattern::Exists)
            } else if is_cidr(&value.text) {
                matcher(Pattern::Cidr(value.text.clone()))
            } else {
                matcher(Pattern::Glob {
                    glob: value.text.clone(),
                    case_sensitive,
                })
            }
        };
        let compare = |op| matcher(Pattern::Compare(op, value.text.clone()));
        match op {
            SearchOp::Eq => equals(),
            // `f!=v` needs the field to exist; `NOT f=v` does not ("Difference between NOT and !=").
            SearchOp::Ne => Expr::Binary(
                BinOp::And,
                Box::new(matcher(Pattern::Exists)),
                Box::new(Expr::Not(Box::new(equals()))),
            ),
            SearchOp::Lt => compare(ir::CmpOp::Lt),
            SearchOp::Le => compare(ir::CmpOp::Le),
            SearchOp::Gt => compare(ir::CmpOp::Gt),
            SearchOp::Ge => compare(ir::CmpOp::Ge),
        }
    }

    fn expr(&mut self, e: &EvalExpr) -> Expr {
        match &e.kind {
            EvalKind::Str(s) => Expr::Lit(Lit::Str(s.clone())),
            EvalKind::Num(n) => Expr::Lit(Lit::Num(*n)),
            EvalKind::Field(f) => Expr::Field(f.clone()),
            EvalKind::Unary(UnaryOp::Neg, inner) => Expr::Neg(Box::new(self.expr(inner))),
            EvalKind::Unary(UnaryOp::Not, inner) => Expr::Not(Box::new(self.expr(inner))),
            EvalKind::Binary(op, l, r) => {
                Expr::Binary(binop(*op), Box::new(self.expr(l)), Box::new(self.expr(r)))
            }
            EvalKind::In(inner, list) => Expr::In(
                Box::new(self.expr(inner)),
                list.iter().map(|i| self.expr(i)).collect(),
            ),
            EvalKind::Call(name, args) => self.call(name, args, e.span),
        }
    }

    fn call(&mut self, name: &str, args: &[EvalExpr], span: Span) -> Expr {
        let Some((func, min, max)) = Func::from_name(name) else {
            if ir::UNSUPPORTED_FUNCTIONS.contains(&name.to_ascii_lowercase().as_str()) {
                return self.error(
                    Diagnostic::error(
                        codes::SPL_UNKNOWN_FUNCTION,
                        format!("not supported yet: eval function `{name}`"),
                    )
                    .at(span)
                    .help("grammar/spl.ebnf lists every eval function and its status"),
                );
            }
            let message = format!("unknown eval function `{name}`");
            let names = ir::FUNCTIONS.iter().map(|(n, ..)| n);
            let help = match crate::spl::command::closest(&name.to_ascii_lowercase(), names) {
                Some(near) => format!(
                    "did you mean `{near}`? grammar/spl.ebnf lists every function and its status"
                ),
                None => "grammar/spl.ebnf lists every eval function and its status".to_string(),
            };
            return self.error(
                Diagnostic::error(codes::SPL_UNKNOWN_FUNCTION, message)
                    .at(span)
                    .help(help),
            );
        };
        let n = args.len();
        if n < min || n > max || (func == Func::Case && n % 2 != 0) {
            let expected = match (func, min, max) {
                (Func::Case, _, _) => {
                    "an even number of arguments (condition, value pairs)".to_string()
                }
                (_, lo, hi) if lo == hi => {
                    format!("{lo} argument{}", if lo == 1 { "" } else { "s" })
                }
                (_, lo, usize::MAX) => format!("at least {lo} arguments"),
                (_, lo, hi) => format!("{lo} to {hi} arguments"),
            };
            return self.error(
                Diagnostic::error(
                    codes::SPL_ARITY,
                    format!("`{name}` takes {expected}, found {n}"),
                )
                .at(span),
            );
        }
        if let (Func::Match | Func::Replace | Func::MvFind, Some(pattern)) = (func, args.get(1)) {
            if let EvalKind::Str(re) = &pattern.kind {
                // Syntax only here (cheap, and the error points at the literal); the compiled
                // size limit is checked when the plan is built.
                let parsed =
                    regex_syntax::Parser::new().parse(&crate::eval::pcre::to_rust_syntax(re));
                if let Err(err) = parsed {
                    return self.error(
                        Diagnostic::error(
                            codes::SPL_REGEX,
                            format!(
                                "invalid regular expression in `{name}`: {}",
                                first_line(&err.to_string())
                            ),
                        )
                        .at(pattern.span),
                    );
                }
            }
        }
        if let (Func::SearchMatch, Some(condition)) = (func, args.first()) {
            return self.searchmatch(condition);
        }
        let lowered: Vec<Expr> = args.iter().map(|a| self.expr(a)).collect();
        if let Err(d) = check_bound_field(func, &lowered) {
            return self.error(d.at(span));
        }
        match func {
            Func::Null => Expr::Lit(Lit::Null),
            Func::True => Expr::Lit(Lit::Bool(true)),
            Func::False => Expr::Lit(Lit::Bool(false)),
            _ => Expr::Call(func, lowered),
        }
    }

    /// `searchmatch("x=1 y=*")`: the string is parsed and lowered as search-language text.
    fn searchmatch(&mut self, arg: &EvalExpr) -> Expr {
        let EvalKind::Str(text) = &arg.kind else {
            return self.error(
                Diagnostic::error(
                    codes::SPL_UNSUPPORTED,
                    "not supported yet: searchmatch() of a computed string",
                )
                .at(arg.span)
                .help(
                    "write the search as a string literal: searchmatch(\"status=404 host=web*\")",
                ),
            );
        };
        match crate::spl::search::search(crate::spl::lex::In::new(text)) {
            Ok((_, parsed)) => Expr::Call(Func::SearchMatch, vec![self.search(&parsed)]),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => self.error(
                Diagnostic::error(
                    codes::SPL_SYNTAX,
                    format!("in searchmatch(): {}", e.message),
                )
                .at(arg.span),
            ),
            Err(nom::Err::Incomplete(_)) => self.error(
                Diagnostic::error(codes::SPL_SYNTAX, "in searchmatch(): incomplete search")
                    .at(arg.span),
            ),
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

fn fold_exprs(items: Vec<Expr>, op: BinOp) -> Expr {
    let mut iter = items.into_iter();
    let first = iter
        .next()
        .unwrap_or(Expr::Lit(Lit::Bool(op == BinOp::And)));
    iter.fold(first, |acc, e| Expr::Binary(op, Box::new(acc), Box::new(e)))
}

fn names(words: &[Word]) -> Vec<String> {
    words.iter().map(|w| w.text.clone()).collect()
}

fn sort_key(k: &SortKey) -> ir::SortKey {
    ir::SortKey {
        field: k.field.text.clone(),
        descending: k.descending,
        collation: match k.collation {
            Collation::Auto => ir::Collation::Auto,
            Collation::Num => ir::Collation::Num,
            Collation::Str => ir::Collation::Str,
            Collation::Ip => ir::Collation::Ip,
        },
    }
}

fn binop(op: BinaryOp) -> BinOp {
    match op {
        BinaryOp::Add => BinOp::Add,
        BinaryOp::Sub => BinOp::Sub,
        BinaryOp::Mul => BinOp::Mul,
        BinaryOp::Div => BinOp::Div,
        BinaryOp::Mod => BinOp::Mod,
        BinaryOp::Concat => BinOp::Concat,
        BinaryOp::Eq => BinOp::Eq,
        BinaryOp::Ne => BinOp::Ne,
        BinaryOp::Lt => BinOp::Lt,
        BinaryOp::Le => BinOp::Le,
        BinaryOp::Gt => BinOp::Gt,
        BinaryOp::Ge => BinOp::Ge,
        BinaryOp::Like => BinOp::Like,
        BinaryOp::And => BinOp::And,
        BinaryOp::Or => BinOp::Or,
        BinaryOp::Xor => BinOp::Xor,
    }
}

/// Whether an eval expression has a boolean result (which cannot be stored in a field).
fn is_boolean(e: &EvalExpr) -> bool {
    match &e.kind {
        EvalKind::Unary(UnaryOp::Not, _) | EvalKind::In(..) => true,
        EvalKind::Binary(op, ..) => !matches!(
            op,
            BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Mod
                | BinaryOp::Concat
        ),
        EvalKind::Call(name, _) => Func::from_name(name).is_some_and(|(f, ..)| f.is_boolean()),
        EvalKind::Str(_)
        | EvalKind::Num(_)
        | EvalKind::Field(_)
        | EvalKind::Unary(UnaryOp::Neg, _) => false,
    }
}

/// `a.b.c.d/nn`: an IPv4 CIDR block in a search value.
fn is_cidr(text: &str) -> bool {
    let Some((ip, bits)) = text.split_once('/') else {
        return false;
    };
    ip.parse::<std::net::Ipv4Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 32)
        || ip.parse::<std::net::Ipv6Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 128)
}

/// `mvfilter(pred)` must refer to exactly one field and `mvmap(field, expr)` must name a field:
/// that field is bound to each of its values in turn.
fn check_bound_field(func: Func, args: &[Expr]) -> Result<(), Diagnostic> {
    match func {
        Func::MvFilter => {
            let mut fields = Vec::new();
            if let Some(predicate) = args.first() {
                fields_of(predicate, &mut fields);
            }
            fields.sort();
            fields.dedup();
            if fields.len() == 1 {
                Ok(())
            } else {
                Err(Diagnostic::error(
                    codes::SPL_SEMANTIC,
                    format!(
                        "`mvfilter` must refer to exactly one field, found {}",
                        if fields.is_empty() { "none".to_string() } else { fields.join(", ") }
                    ),
                )
                .help("mvfilter tests each value of one multivalue field, e.g. mvfilter(match(email, \"\\.net$\"))"))
            }
        }
        Func::MvMap if !matches!(args.first(), Some(Expr::Field(_))) => Err(Diagnostic::error(
            codes::SPL_SEMANTIC,
            "the first argument of `mvmap` must be a field",
        )
        .help("e.g. mvmap(sizes, sizes * 2)")),
        _ => Ok(()),
    }
}

/// Every field an expression refers to.
fn fields_of(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Field(f) | Expr::Match { field: f, .. } => out.push(f.clone()),
        Expr::Lit(_) | Expr::Subsearch(_) => {}
        Expr::Not(inner) | Expr::Neg(inner) => fields_of(inner, out),
        Expr::Binary(_, l, r) => {
            fields_of(l, out);
            fields_of(r, out);
        }
        Expr::In(inner, list) => {
            fields_of(inner, out);
            list.iter().for_each(|i| fields_of(i, out));
        }
        Expr::Call(_, args) => args.iter().for_each(|a| fields_of(a, out)),
    }
}
