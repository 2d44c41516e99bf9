//! The Sigma front end: YAML documents → rule model → IR (`Filter`), with Windows field lookup.

pub mod condition;
pub mod correlation;
pub mod lower;
pub mod modifier;
pub mod rule;
pub mod run;
pub mod string;
pub mod windows;

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::ir::Pipeline;
use rule::{Document, DocumentKind};
use serde::Serialize;

/// One lowered Sigma rule: what it is called and its pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SigmaIr {
    pub title: String,
    pub id: Option<String>,
    pub level: Option<String>,
    pub pipeline: Pipeline,
}

/// Loads every document of a Sigma file and lowers each rule and correlation; all errors of the
/// file are returned. Rules a correlation names are not run alone unless it says `generate: true`.
pub fn to_ir(text: &str) -> Result<Vec<SigmaIr>, Vec<Diagnostic>> {
    let docs = rule::load(text)?;
    let (mut lowered, mut errors) = (Vec::new(), Vec::new());
    for doc in &docs {
        match &doc.kind {
            DocumentKind::Rule(rule) => match lower_rule(rule, doc) {
                Ok(ir) => lowered.push(Some(ir)),
                Err(e) => errors.extend(e),
            },
            DocumentKind::Correlation(_) | DocumentKind::Filter(_) => lowered.push(None),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (correlations, hidden) = lower_correlations(&docs, &lowered)?;
    let mut out: Vec<SigmaIr> = lowered
        .into_iter()
        .zip(&docs)
        .filter_map(|(ir, doc)| {
            ir.filter(|_| !hidden.iter().any(|h| names(doc).contains(&h.as_str())))
        })
        .collect();
    out.extend(correlations);
    Ok(out)
}

/// `name` and `id` of a document.
fn names(doc: &Document) -> Vec<&str> {
    match &doc.kind {
        DocumentKind::Rule(r) => r
            .name
            .iter()
            .chain(r.id.iter())
            .map(String::as_str)
            .collect(),
        DocumentKind::Correlation(m) | DocumentKind::Filter(m) => m
            .name
            .iter()
            .chain(m.id.iter())
            .map(String::as_str)
            .collect(),
    }
}

type Correlated = (Vec<SigmaIr>, Vec<String>);

/// Lowers the correlation documents; also returns the rule names they hide.
fn lower_correlations(
    docs: &[Document],
    lowered: &[Option<SigmaIr>],
) -> Result<Correlated, Vec<Diagnostic>> {
    let bases: Vec<correlation::BaseRule> = docs
        .iter()
        .zip(lowered)
        .filter_map(|(doc, ir)| match (&doc.kind, ir) {
            (DocumentKind::Rule(rule), Some(ir)) => match ir.pipeline.stages.first() {
                Some(crate::ir::Stage::Filter(e)) => Some(correlation::BaseRule {
                    names: names(doc),
                    filter: e,
                    logsource: &rule.logsource,
                }),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let (mut out, mut hidden, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for doc in docs {
        let DocumentKind::Correlation(meta) = &doc.kind else {
            if let DocumentKind::Filter(meta) = &doc.kind {
                errors.push(unsupported(
                    "filter documents",
                    &meta.title,
                    rule::locate(&doc.text, "filter"),
                    doc.offset,
                ));
            }
            continue;
        };
        let at = rule::locate(&doc.text, "correlation")
            .map(|s| Span::new(s.start + doc.offset, s.end + doc.offset));
        let result = correlation::read(meta).and_then(|c| {
            if !c.generate {
                hidden.extend(c.rules.iter().cloned());
            }
            correlation::lower(&c, &bases)
        });
        match result {
            Ok(pipeline) => out.push(SigmaIr {
                title: meta.title.clone(),
                id: meta.id.clone(),
                level: meta.level.clone(),
                pipeline,
            }),
            Err(d) => errors.push(match (d.span, at) {
                (None, Some(s)) => d.at(s),
                _ => d,
            }),
        }
    }
    if errors.is_empty() {
        Ok((out, hidden))
    } else {
        Err(errors)
    }
}

fn lower_rule(rule: &rule::Rule, doc: &Document) -> Result<SigmaIr, Vec<Diagnostic>> {
    let ctx = lower::Context {
        text: &doc.text,
        offset: doc.offset,
    };
    Ok(SigmaIr {
        title: rule.title.clone(),
        id: rule.id.clone(),
        level: rule.level.clone(),
        pipeline: lower::lower_rule(rule, &ctx)?,
    })
}

fn unsupported(what: &str, title: &str, at: Option<Span>, offset: usize) -> Diagnostic {
    let d = Diagnostic::error(
        codes::SIGMA_UNSUPPORTED,
        format!("not supported yet: Sigma {what} (`{title}`)"),
    );
    match at {
        Some(s) => d.at(Span::new(s.start + offset, s.end + offset)),
        None => d,
    }
}
