//! Rule-loading options shared by `test`, `hunt` and `explain`.

use crate::diagnostic::{codes, render_all, Diagnostic};
use crate::rules::{find_rules, load_rules, LoadOptions, Rule};
use crate::spl::datamodel::Datamodels;
use crate::spl::macros::Macros;
use clap::Args;
use std::path::Path;

#[derive(Args, Debug, Clone, Default)]
pub struct LoadArgs {
    /// Macro definitions: macros.conf, security_content YAML/JSONL, or a folder of them (repeatable).
    #[arg(long = "macros", value_name = "PATH", num_args = 1)]
    pub macros: Vec<String>,
    /// Data model definitions (YAML file or folder) in addition to the built-in CIM ones.
    #[arg(long = "datamodels", value_name = "PATH", num_args = 1)]
    pub datamodels: Vec<String>,
    /// Sigma: a processing pipeline, shipped (sysmon, windows-audit, splunk-cim, ecs) or a pySigma
    /// pipeline YAML file (repeatable; applied by priority).
    #[arg(long = "pipeline", value_name = "NAME|FILE", num_args = 1)]
    pub pipelines: Vec<String>,
    /// Sigma: other rule files or folders, whose rules and correlations a correlation may name
    /// and whose filters apply (repeatable).
    #[arg(long = "with", value_name = "PATH", num_args = 1)]
    pub with: Vec<String>,
}

impl LoadArgs {
    pub fn options(&self) -> Result<LoadOptions, String> {
        let mut macros = Macros::standard();
        for path in &self.macros {
            macros
                .load_path(Path::new(path))
                .map_err(|d| d.render("", ""))?;
        }
        let mut datamodels = Datamodels::standard();
        for path in &self.datamodels {
            datamodels
                .load_path(Path::new(path))
                .map_err(|d| d.render("", ""))?;
        }
        let sigma = sigma_options(&self.pipelines, &self.with)?;
        Ok(LoadOptions {
            macros,
            datamodels,
            sigma,
            threads: 1,
        })
    }
}

/// Sigma processing pipelines (names or files) and the documents of other files (`--with`).
pub fn sigma_options(
    pipelines: &[String],
    with: &[String],
) -> Result<crate::sigma::Options, String> {
    let mut options = crate::sigma::Options::default();
    for name in pipelines {
        let p = crate::sigma::pipeline::load(name).map_err(|d| d.render("", ""))?;
        options.pipelines.push(p);
    }
    for path in crate::sigma::walk::sigma_files(with).map_err(|d| d.render("", ""))? {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::error(
                codes::IO,
                format!("cannot read `{name}`: {}", crate::io::io_reason(&e)),
            )
            .render("", "")
        })?;
        let docs = crate::sigma::rule::load(&text).map_err(|d| render_all(&d, &name, &text))?;
        options.others.extend(docs);
    }
    Ok(options)
}

/// Every rule below `paths`; all load errors are rendered together.
pub fn load_all(paths: &[String], opts: &LoadOptions) -> Result<Vec<Rule>, String> {
    let files = find_rules(paths).map_err(|d| d.render("", ""))?;
    load_rules(&files, opts).map_err(|errors| errors.iter().map(|e| e.render()).collect())
}
