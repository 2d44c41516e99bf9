//! Back ends: IR → SPL text, IR → Sigma YAML, IR → SQL (DuckDB, Spark). Each returns the text and
//! the notes (diagnostics) about what changed or could not be carried over.

pub mod sigma;
pub mod spl;
pub mod sql;

use crate::diagnostic::{codes, Diagnostic};

/// A conversion's result: the text, and warnings about stages dropped or changed on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub text: String,
    pub notes: Vec<Diagnostic>,
}

/// A `not supported yet in <target>` error naming what could not be converted.
pub fn unsupported(target: &str, what: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        codes::CONVERT_UNSUPPORTED,
        format!("not supported yet in {target}: {what}"),
    )
}

/// A warning that a stage was dropped or changed by a conversion.
pub fn dropped(target: &str, what: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::warning(
        codes::CONVERT_DROPPED,
        format!("dropped in {target}: {what}"),
    )
}

/// Field names mapped back through pySigma pipelines, for SPL → Sigma: every target name of a
/// `field_name_mapping` becomes its Sigma name again (the first mapping that names it wins).
pub fn reverse_field_names(
    pipeline: &crate::ir::Pipeline,
    pipelines: &[crate::sigma::pipeline::Pipeline],
) -> crate::ir::Pipeline {
    use crate::sigma::pipeline::Transformation;
    let mut back: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for item in pipelines.iter().flat_map(|p| &p.items) {
        if let Transformation::FieldNameMapping(mapping) = &item.transformation {
            for (sigma, targets) in mapping {
                for target in targets {
                    back.entry(target.clone()).or_insert_with(|| sigma.clone());
                }
            }
        }
    }
    let rename = |name: String| back.get(&name).cloned().unwrap_or(name);
    let stages = pipeline
        .stages
        .iter()
        .map(|stage| match stage {
            crate::ir::Stage::Filter(e) => crate::ir::Stage::Filter(e.clone().map_fields(&rename)),
            crate::ir::Stage::Stats(s) => crate::ir::Stage::Stats(crate::ir::Stats {
                aggs: s
                    .aggs
                    .iter()
                    .map(|a| crate::ir::Agg {
                        arg: a.arg.clone().map(|e| e.map_fields(&rename)),
                        ..a.clone()
                    })
                    .collect(),
                by: s.by.iter().cloned().map(&rename).collect(),
            }),
            other => other.clone(),
        })
        .collect();
    crate::ir::Pipeline { stages }
}
