//! A set of Sigma documents lowered together: the file's own documents and those of other files
//! (`--with`), so correlations may name rules and correlations anywhere in the set and filters
//! apply to the rules they name. Only the file's own rules and correlations are lowered for output.

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::ir::{Expr, Pipeline, Stage};
use crate::sigma::correlation::{self, Input};
use crate::sigma::filter::{self, Filter};
use crate::sigma::lower::{self, and, Context};
use crate::sigma::rule::{Document, DocumentKind, Rule};
use crate::sigma::SigmaIr;

/// How deep correlations may name correlations.
const MAX_CHAIN: usize = 16;

/// One document and whether it is of the file being lowered.
struct Entry<'a> {
    doc: &'a Document,
    main: bool,
}

/// The documents, and the filters read from them.
pub struct Set<'a> {
    entries: Vec<Entry<'a>>,
    filters: Vec<(Filter, &'a Document)>,
    pipelines: &'a [crate::sigma::pipeline::Pipeline],
}

impl<'a> Set<'a> {
    /// The set of `main` and `others`, with every filter read (errors are returned).
    pub fn new(
        main: &'a [Document],
        others: &'a [Document],
        pipelines: &'a [crate::sigma::pipeline::Pipeline],
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut entries: Vec<Entry> = main.iter().map(|doc| Entry { doc, main: true }).collect();
        entries.extend(others.iter().map(|doc| Entry { doc, main: false }));
        let mut set = Set {
            entries,
            filters: Vec::new(),
            pipelines,
        };
        let mut errors = Vec::new();
        for entry in &set.entries {
            if let DocumentKind::Filter(meta) = &entry.doc.kind {
                match filter::read(meta) {
                    Ok(f) => set.filters.push((f, entry.doc)),
                    Err(d) => errors.push(place(d, entry, "filter")),
                }
            }
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    /// Lowers the main file's rules and correlations; rules and correlations that a main
    /// correlation names are left out unless it says `generate: true`.
    pub fn lower(&self) -> Result<Vec<SigmaIr>, Vec<Diagnostic>> {
        let (mut out, mut errors, mut hidden) = (Vec::new(), Vec::new(), Vec::new());
        for entry in self.entries.iter().filter(|e| e.main) {
            let lowered = match &entry.doc.kind {
                DocumentKind::Rule(_) => self.rule(entry).map(|(ir, _)| ir),
                DocumentKind::Correlation(meta) => {
                    let read =
                        correlation::read(meta).map_err(|d| vec![place(d, entry, "correlation")]);
                    read.and_then(|c| {
                        if !c.generate {
                            hidden.extend(c.rules.iter().cloned());
                        }
                        self.correlation(entry, 0).map(|pipeline| SigmaIr {
                            title: meta.title.clone(),
                            id: meta.id.clone(),
                            name: meta.name.clone(),
                            level: meta.level.clone(),
                            tags: meta_tags(meta),
                            pipeline,
                        })
                    })
                }
                DocumentKind::Filter(_) => continue,
            };
            match lowered {
                Ok(ir) => out.push((entry, ir)),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(out
            .into_iter()
            .filter(|(entry, _)| {
                !names(entry.doc)
                    .iter()
                    .any(|m| hidden.iter().any(|h| h == m))
            })
            .map(|(_, ir)| ir)
            .collect())
    }

    /// The entry a correlation's reference names (the main file first).
    fn find(&self, name: &str) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| names(e.doc).contains(&name))
    }

    /// A rule lowered, with the pipelines' changes and the filters that apply to it.
    fn rule(&self, entry: &Entry) -> Result<(SigmaIr, Rule), Vec<Diagnostic>> {
        let DocumentKind::Rule(rule) = &entry.doc.kind else {
            return Err(vec![Diagnostic::error(
                codes::SIGMA_DETECTION,
                "not a rule",
            )]);
        };
        let rule = crate::sigma::pipeline::apply_all(self.pipelines, rule)
            .map_err(|d| vec![place(d, entry, "pipeline")])?;
        let ctx = context(entry.doc);
        let mut pipeline = lower::lower_rule(&rule, &ctx).map_err(|e| places(e, entry))?;
        let own = names(entry.doc);
        for (f, doc) in self
            .filters
            .iter()
            .filter(|(f, _)| f.applies(&own, &rule.logsource))
        {
            let expr = lower::detection_expr(&f.detection, &rule.logsource, &context(doc))
                .map_err(|e| {
                    places(
                        e,
                        &Entry {
                            doc,
                            main: self.is_main(doc),
                        },
                    )
                })?;
            if let Some(Stage::Filter(e)) = pipeline.stages.first_mut() {
                *e = and(vec![e.clone(), expr]);
            }
        }
        let ir = SigmaIr {
            title: rule.title.clone(),
            id: rule.id.clone(),
            name: rule.name.clone(),
            level: rule.level.clone(),
            tags: rule.tags.clone(),
            pipeline,
        };
        Ok((ir, rule))
    }

    fn is_main(&self, doc: &Document) -> bool {
        self.entries
            .iter()
            .any(|e| e.main && std::ptr::eq(e.doc, doc))
    }

    /// A correlation lowered over what it names, correlations named in it lowered first.
    fn correlation(&self, entry: &Entry, depth: usize) -> Result<Pipeline, Vec<Diagnostic>> {
        let DocumentKind::Correlation(meta) = &entry.doc.kind else {
            return Err(vec![Diagnostic::error(
                codes::SIGMA_DETECTION,
                "not a correlation",
            )]);
        };
        let fail = |d: Diagnostic| vec![place(d, entry, "correlation")];
        if depth > MAX_CHAIN {
            return Err(fail(Diagnostic::error(
                codes::SIGMA_DETECTION,
                format!("correlations name each other more than {MAX_CHAIN} deep (a cycle?)"),
            )));
        }
        let c = correlation::read(meta).map_err(fail)?;
        let mut rules: Vec<(String, Expr, Rule)> = Vec::new();
        let mut chained: Vec<(String, Pipeline)> = Vec::new();
        for name in &c.rules {
            let Some(named) = self.find(name) else {
                return Err(fail(Diagnostic::error(
                    codes::SIGMA_DETECTION,
                    format!("the correlation names `{name}`, which is no rule or correlation of this file nor of the files given with --with"),
                )
                .help("name rules by their `name` or `id`; pass other files with --with")));
            };
            match &named.doc.kind {
                DocumentKind::Rule(_) => {
                    let (ir, rule) = self.rule(named)?;
                    let Some(Stage::Filter(e)) = ir.pipeline.stages.into_iter().next() else {
                        continue;
                    };
                    rules.push((name.clone(), e, rule));
                }
                DocumentKind::Correlation(_) => {
                    chained.push((name.clone(), self.correlation(named, depth + 1)?))
                }
                DocumentKind::Filter(_) => {
                    return Err(fail(Diagnostic::error(
                        codes::SIGMA_DETECTION,
                        format!("the correlation names `{name}`, which is a filter"),
                    )))
                }
            }
        }
        let mut inputs: Vec<(String, Input)> = Vec::new();
        for name in &c.rules {
            if let Some((_, e, rule)) = rules.iter().find(|(r, _, _)| r == name) {
                inputs.push((
                    name.clone(),
                    Input::Rule {
                        filter: e,
                        logsource: &rule.logsource,
                    },
                ));
            } else if let Some((_, p)) = chained.iter().find(|(r, _)| r == name) {
                inputs.push((name.clone(), Input::Correlation(p.clone())));
            }
        }
        correlation::lower(&c, inputs).map_err(fail)
    }
}

/// The `tags:` of a correlation or filter document (kept in its other keys).
pub fn meta_tags(meta: &crate::sigma::rule::Meta) -> Vec<String> {
    let tags = meta.rest.get("tags").and_then(|t| t.as_sequence());
    tags.into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect()
}

/// `name` and `id` of a document.
pub fn names(doc: &Document) -> Vec<&str> {
    let (name, id) = match &doc.kind {
        DocumentKind::Rule(r) => (&r.name, &r.id),
        DocumentKind::Correlation(m) | DocumentKind::Filter(m) => (&m.name, &m.id),
    };
    name.iter().chain(id.iter()).map(String::as_str).collect()
}

fn context(doc: &Document) -> Context<'_> {
    Context {
        text: &doc.text,
        offset: doc.offset,
    }
}

/// A diagnostic of a document: at its key when it has no span; for another file's document the
/// span (which is in that file) is replaced by the document's title.
fn place(d: Diagnostic, entry: &Entry, key: &str) -> Diagnostic {
    if !entry.main {
        return elsewhere(d, entry.doc);
    }
    if d.span.is_some() {
        return d;
    }
    match crate::sigma::rule::locate(&entry.doc.text, key) {
        Some(s) => d.at(Span::new(
            s.start + entry.doc.offset,
            s.end + entry.doc.offset,
        )),
        None => d,
    }
}

fn places(ds: Vec<Diagnostic>, entry: &Entry) -> Vec<Diagnostic> {
    if entry.main {
        ds
    } else {
        ds.into_iter().map(|d| elsewhere(d, entry.doc)).collect()
    }
}

fn elsewhere(d: Diagnostic, doc: &Document) -> Diagnostic {
    let title = match &doc.kind {
        DocumentKind::Rule(r) => r.title.clone(),
        DocumentKind::Correlation(m) | DocumentKind::Filter(m) => m.title.clone(),
    };
    Diagnostic {
        message: format!("in `{title}` (another file): {}", d.message),
        span: None,
        labels: Vec::new(),
        ..d
    }
}
