//! Rule-loading options shared by `test`, `hunt` and `explain`.

use crate::rules::{find_rules, load_rule, LoadOptions, Rule};
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
        Ok(LoadOptions { macros, datamodels })
    }
}

/// Every rule below `paths`; all load errors are rendered together.
pub fn load_all(paths: &[String], opts: &LoadOptions) -> Result<Vec<Rule>, String> {
    let files = find_rules(paths).map_err(|d| d.render("", ""))?;
    let (mut rules, mut errors) = (Vec::new(), String::new());
    for file in &files {
        match load_rule(file, opts) {
            Ok(loaded) => rules.extend(loaded),
            Err(e) => errors.push_str(&e.render()),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}
