//! `spelunk explain RULE` (or `-q 'SPL'`): the rule after macro expansion, its IR, and the
//! fields it reads.

use super::load::LoadArgs;
use crate::rules::{load_rule, load_spl, Language, Meta};
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Inline SPL instead of a rule file.
    #[arg(short = 'q', long = "query", conflicts_with = "rule")]
    pub query: Option<String>,
    /// The rule file (.spl, a Sigma .yml, or a security_content detection .yml).
    #[arg(required_unless_present = "query")]
    pub rule: Option<String>,
    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn explain(args: &ExplainArgs) -> Result<i32, String> {
    let opts = args.load.options()?;
    let rules = match (&args.query, &args.rule) {
        (Some(query), _) => {
            let meta = Meta {
                title: "<query>".to_string(),
                ..Meta::default()
            };
            vec![load_spl(Path::new("<query>"), query.clone(), meta, &opts)
                .map_err(|e| e.render())?]
        }
        (None, Some(rule)) => load_rule(Path::new(rule), &opts).map_err(|e| e.render())?,
        (None, None) => return Err("no rule given: pass a rule file or inline SPL with -q".into()),
    };
    // `run` optimises an SPL search, and a Sigma file's rule when it is the only one.
    let alone = rules.len() == 1;
    let text: Vec<String> = rules
        .iter()
        .map(|rule| crate::explain::explain(rule, alone || rule.language == Language::Spl))
        .collect();
    super::write_stdout(&text.join("\n"))?;
    Ok(0)
}
