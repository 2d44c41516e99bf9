//! The Sigma front end: YAML documents → rule model → IR (`Filter`), with Windows field lookup.

pub mod condition;
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

/// Loads every document of a Sigma file and lowers each rule; all errors of the file are returned.
pub fn to_ir(text: &str) -> Result<Vec<SigmaIr>, Vec<Diagnostic>> {
    let docs = rule::load(text)?;
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for doc in &docs {
        match lower_document(doc) {
            Ok(ir) => out.push(ir),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn lower_document(doc: &Document) -> Result<SigmaIr, Vec<Diagnostic>> {
    let ctx = lower::Context {
        text: &doc.text,
        offset: doc.offset,
    };
    match &doc.kind {
        DocumentKind::Rule(rule) => Ok(SigmaIr {
            title: rule.title.clone(),
            id: rule.id.clone(),
            level: rule.level.clone(),
            pipeline: lower::lower_rule(rule, &ctx)?,
        }),
        DocumentKind::Correlation(meta) => Err(vec![unsupported(
            "correlation rules",
            &meta.title,
            rule::locate(&doc.text, "correlation"),
            doc.offset,
        )]),
        DocumentKind::Filter(meta) => Err(vec![unsupported(
            "filter documents",
            &meta.title,
            rule::locate(&doc.text, "filter"),
            doc.offset,
        )]),
    }
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
