//! `spelunk explain RULE`: the rule after macro expansion, its IR, and the fields it reads.

use super::load::LoadArgs;
use crate::rules::{load_rule, Language};
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The rule file (.spl, a Sigma .yml, or a security_content detection .yml).
    pub rule: String,
    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn explain(args: &ExplainArgs) -> Result<i32, String> {
    let rules = load_rule(Path::new(&args.rule), &args.load.options()?).map_err(|e| e.render())?;
    // `run` optimises an SPL search, and a Sigma file's rule when it is the only one.
    let alone = rules.len() == 1;
    let text: Vec<String> = rules
        .iter()
        .map(|rule| crate::explain::explain(rule, alone || rule.language == Language::Spl))
        .collect();
    super::write_stdout(&text.join("\n"))?;
    Ok(0)
}
