//! Sigma rule → IR: each search identifier becomes an expression, the condition combines them,
//! the logsource adds what it implies, and the rule becomes one `Filter` stage.

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::ir::{BinOp, Expr, Lit, Pattern, Pipeline, Stage, WildPart};
use crate::sigma::condition::{self, CondKind, Condition, Target};
use crate::sigma::modifier::{self, Check, Item};
use crate::sigma::rule::{Detection, LogSource, Rule, Search, Values};
use crate::sigma::{string, windows};
use indexmap::IndexMap;

/// Where the lowering reports problems: the document text and its offset in the file.
pub struct Context<'a> {
    pub text: &'a str,
    pub offset: usize,
}

impl Context<'_> {
    /// The span of `key:` in the document, as a file span.
    fn key_span(&self, key: &str) -> Option<Span> {
        crate::sigma::rule::locate(self.text, key)
            .map(|s| Span::new(s.start + self.offset, s.end + self.offset))
    }

    /// The file offset of a condition's text (to shift its spans), if it can be found.
    fn condition_offset(&self, condition: &str) -> Option<usize> {
        let key = crate::sigma::rule::locate(self.text, "condition")?;
        let at = self.text[key.end..].find(condition)?;
        Some(self.offset + key.end + at)
    }
}

/// Lowers a detection rule to a pipeline with one `Filter`.
pub fn lower_rule(rule: &Rule, ctx: &Context) -> Result<Pipeline, Vec<Diagnostic>> {
    let mut expr = detection_expr(&rule.detection, &rule.logsource, ctx)?;
    if let Some(implied) = logsource_expr(&rule.logsource) {
        expr = and(vec![implied, expr]);
    }
    Ok(Pipeline {
        stages: vec![Stage::Filter(expr)],
    })
}

/// A detection's expression: its conditions (a list means OR) over its search identifiers, with
/// field names looked up as the logsource says.
pub fn detection_expr(
    detection: &Detection,
    logsource: &LogSource,
    ctx: &Context,
) -> Result<Expr, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut searches = IndexMap::new();
    for (name, search) in &detection.searches {
        match search_expr(search, logsource) {
            Ok(e) => {
                searches.insert(name.clone(), e);
            }
            Err(d) => {
                errors.push(place(d, ctx.key_span(name), &format!("in `{name}`")));
                searches.insert(name.clone(), Expr::Lit(Lit::Bool(false)));
            }
        }
    }
    let mut alternatives = Vec::new();
    for text in &detection.conditions {
        let shift = ctx.condition_offset(text);
        let parsed = condition::parse(text).map_err(|d| shift_diag(d, shift));
        match parsed.and_then(|c| cond_expr(&c, &searches).map_err(|d| shift_diag(d, shift))) {
            Ok(e) if errors.is_empty() => alternatives.push(e),
            Ok(_) => {}
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(or(alternatives))
}

/// Adds a span (or a note of where) to a diagnostic that has none.
fn place(d: Diagnostic, span: Option<Span>, context: &str) -> Diagnostic {
    match (d.span, span) {
        (None, Some(s)) => d.at(s),
        (None, None) => {
            let message = format!("{context}: {}", d.message);
            Diagnostic { message, ..d }
        }
        (Some(_), _) => d,
    }
}

fn shift_diag(mut d: Diagnostic, shift: Option<usize>) -> Diagnostic {
    match (d.span, shift) {
        (Some(s), Some(by)) => d.span = Some(Span::new(s.start + by, s.end + by)),
        (Some(_), None) => d.span = None,
        _ => {}
    }
    d
}

/// One search identifier's expression.
fn search_expr(search: &Search, logsource: &LogSource) -> Result<Expr, Diagnostic> {
    match search {
        Search::Map(items) => map_expr(items, logsource),
        Search::Maps(maps) => Ok(or(maps
            .iter()
            .map(|m| map_expr(m, logsource))
            .collect::<Result<_, _>>()?)),
        Search::Keywords(values) => item_expr("", values, logsource),
    }
}

fn map_expr(items: &[(String, Values)], logsource: &LogSource) -> Result<Expr, Diagnostic> {
    Ok(and(items
        .iter()
        .map(|(key, values)| item_expr(key, values, logsource))
        .collect::<Result<_, _>>()?))
}

/// One `field|modifiers: values` item.
fn item_expr(key: &str, values: &Values, logsource: &LogSource) -> Result<Expr, Diagnostic> {
    let key = modifier::parse_key(key)?;
    let item = modifier::item(&key, values).map_err(|d| {
        let message = format!(
            "`{}`: {}",
            key.field.as_deref().unwrap_or("keywords"),
            d.message
        );
        Diagnostic { message, ..d }
    })?;
    Ok(checks_expr(&item, logsource))
}

fn checks_expr(item: &Item, logsource: &LogSource) -> Expr {
    let fields = match &item.field {
        Some(f) => windows::candidates(f, logsource),
        None => vec!["_raw".to_string()],
    };
    let any_field = |pattern: Pattern| {
        or(fields
            .iter()
            .map(|f| Expr::Match {
                field: f.clone(),
                pattern: pattern.clone(),
            })
            .collect())
    };
    let checks: Vec<Expr> = item
        .checks
        .iter()
        .map(|check| match check {
            Check::Match(Pattern::Wild {
                parts,
                case_sensitive,
            }) if item.field.is_none() => any_field(Pattern::Wild {
                parts: keyword(parts.clone()),
                case_sensitive: *case_sensitive,
            }),
            Check::Match(p) => any_field(p.clone()),
            Check::Absent | Check::Exists(false) => not(any_field(Pattern::Exists)),
            Check::Exists(true) => any_field(Pattern::Exists),
            Check::FieldRef { field, cased } => any_field(Pattern::FieldRef {
                fields: windows::candidates(field, logsource),
                case_sensitive: *cased,
            }),
        })
        .collect();
    let combined = if item.all { and(checks) } else { or(checks) };
    if item.negate {
        not(combined)
    } else {
        combined
    }
}

/// A keyword is found anywhere in the event text.
fn keyword(parts: Vec<WildPart>) -> Vec<WildPart> {
    string::wrap(parts, true, true)
}

/// The condition over the search identifiers' expressions.
fn cond_expr(c: &Condition, searches: &IndexMap<String, Expr>) -> Result<Expr, Diagnostic> {
    match &c.kind {
        CondKind::Ident(name) => searches.get(name).cloned().ok_or_else(|| {
            Diagnostic::error(
                codes::SIGMA_DETECTION,
                format!("the condition names `{name}`, which the detection does not define"),
            )
            .at(c.span)
            .help(defined(searches))
        }),
        CondKind::OneOf(target) => Ok(or(quantified(target, c.span, searches)?)),
        CondKind::AllOf(target) => Ok(and(quantified(target, c.span, searches)?)),
        CondKind::Not(inner) => Ok(not(cond_expr(inner, searches)?)),
        CondKind::And(items) => Ok(and(items
            .iter()
            .map(|i| cond_expr(i, searches))
            .collect::<Result<_, _>>()?)),
        CondKind::Or(items) => Ok(or(items
            .iter()
            .map(|i| cond_expr(i, searches))
            .collect::<Result<_, _>>()?)),
    }
}

fn defined(searches: &IndexMap<String, Expr>) -> String {
    let names: Vec<&str> = searches.keys().map(String::as_str).collect();
    format!("defined search identifiers: {}", names.join(", "))
}

/// The expressions `1 of` / `all of` range over; `them` skips `_`-prefixed identifiers.
fn quantified(
    target: &Target,
    span: Span,
    searches: &IndexMap<String, Expr>,
) -> Result<Vec<Expr>, Diagnostic> {
    let chosen: Vec<Expr> = searches
        .iter()
        .filter(|(name, _)| match target {
            Target::Them => !name.starts_with('_'),
            Target::Pattern(p) => condition::pattern_matches(p, name),
        })
        .map(|(_, e)| e.clone())
        .collect();
    if chosen.is_empty() {
        let what = match target {
            Target::Them => "`them`".to_string(),
            Target::Pattern(p) => format!("`{p}`"),
        };
        return Err(Diagnostic::error(
            codes::SIGMA_DETECTION,
            format!("{what} matches no search identifier"),
        )
        .at(span)
        .help(defined(searches)));
    }
    Ok(chosen)
}

/// What the logsource implies for events that say what they are (see `windows::implied`).
fn logsource_expr(logsource: &LogSource) -> Option<Expr> {
    let implied = windows::implied(logsource);
    let mut parts = Vec::new();
    if !implied.event_ids.is_empty() {
        let ids = implied.event_ids.iter().map(|id| id.to_string()).collect();
        parts.push(unless_absent("EventID", ids, logsource));
    }
    if let Some(channel) = implied.channel {
        parts.push(unless_absent(
            "Channel",
            vec![channel.to_string()],
            logsource,
        ));
    }
    (!parts.is_empty()).then(|| and(parts))
}

/// `field` is one of `values`, or the event has no such field.
fn unless_absent(field: &str, values: Vec<String>, logsource: &LogSource) -> Expr {
    let fields = windows::candidates(field, logsource);
    let matches = |pattern: Pattern| -> Vec<Expr> {
        fields
            .iter()
            .map(|f| Expr::Match {
                field: f.clone(),
                pattern: pattern.clone(),
            })
            .collect()
    };
    let absent = not(or(matches(Pattern::Exists)));
    let any_value = values
        .into_iter()
        .flat_map(|v| {
            matches(Pattern::Wild {
                parts: vec![WildPart::Text(v)],
                case_sensitive: false,
            })
        })
        .collect();
    or(vec![absent, or(any_value)])
}

/// `a AND b AND ...`; an empty list is true.
pub fn and(items: Vec<Expr>) -> Expr {
    fold(items, BinOp::And, true)
}

/// `a OR b OR ...`; an empty list is false.
pub fn or(items: Vec<Expr>) -> Expr {
    fold(items, BinOp::Or, false)
}

/// A balanced tree of `op`, so long value lists stay shallow for the recursive evaluator.
fn fold(mut items: Vec<Expr>, op: BinOp, empty: bool) -> Expr {
    match items.len() {
        0 => Expr::Lit(Lit::Bool(empty)),
        1 => items.remove(0),
        n => {
            let right = items.split_off(n / 2);
            Expr::Binary(
                op,
                Box::new(fold(items, op, empty)),
                Box::new(fold(right, op, empty)),
            )
        }
    }
}

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}
