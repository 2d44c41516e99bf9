//! `spelunk convert RULE --to spl|sigma|sql [--dialect spark|duckdb] [--table NAME]`: the rule
//! through the IR to another language; notes about dropped stages on stderr.

use super::{load_rule, render_all, sigma_ir, to_ir, RuleArgs};
use crate::convert::sql::Dialect;
use crate::convert::Converted;
use crate::diagnostic::Diagnostic;
use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub rule: RuleArgs,
    /// The target language.
    #[arg(long, value_enum)]
    pub to: Target,
    /// The SQL dialect (with `--to sql`).
    #[arg(long, value_enum, default_value = "duckdb")]
    pub dialect: SqlDialect,
    /// The table or view of events the SQL reads.
    #[arg(long, default_value = "events")]
    pub table: String,
    /// With `--to sigma`: the rule's title (default: the file name).
    #[arg(long)]
    pub title: Option<String>,
    /// With `--to sigma`: the correlation timespan for `stats ... | where count > N`.
    #[arg(long, default_value = "1d")]
    pub timespan: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    Spl,
    Sigma,
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Duckdb,
    Spark,
}

pub fn convert(args: &ConvertArgs) -> Result<i32, String> {
    let (source, rest) = load_rule(&args.rule)?;
    if !source.sigma && !args.rule.load.pipelines.is_empty() && args.to != Target::Sigma {
        return Err("error: `--pipeline` maps Sigma field names; with an SPL rule it applies to `--to sigma` only (in reverse)\n".to_string());
    }
    if !rest.is_empty() {
        return Err(format!(
            "error: `convert` takes one rule, found extra arguments: {}\n",
            rest.join(" ")
        ));
    }
    let pipelines: Vec<(String, crate::ir::Pipeline)> = if source.sigma {
        sigma_ir(&source, &args.rule)?
            .into_iter()
            .map(|r| (r.title, r.pipeline))
            .collect()
    } else {
        vec![(String::new(), to_ir(&source, &args.rule)?)]
    };
    let dialect = match args.dialect {
        SqlDialect::Duckdb => Dialect::DuckDb,
        SqlDialect::Spark => Dialect::Spark,
    };
    let mut outputs = Vec::new();
    for (title, p) in &pipelines {
        let result = match args.to {
            Target::Spl => crate::ir_to_spl(p),
            Target::Sql => crate::ir_to_sql(p, dialect, &args.table),
            Target::Sigma if source.sigma => {
                return Err("error: the rule is Sigma already; use --to spl or --to sql\n".into())
            }
            Target::Sigma => {
                let sigma_options = args.rule.load.options()?.sigma;
                let mapped = crate::convert::reverse_field_names(p, &sigma_options.pipelines);
                crate::ir_to_sigma(&mapped, &names(args, &source.name))
            }
        };
        let converted: Converted = result.map_err(|d| render_all(&d, &source.name, ""))?;
        report(&converted.notes, &source.name);
        outputs.push(match (args.to, pipelines.len()) {
            (Target::Spl, n) if n > 1 => format!("```{title}```\n{}", converted.text),
            (Target::Sql, n) if n > 1 => format!("-- {title}\n{}", converted.text),
            _ => converted.text,
        });
    }
    super::write_stdout(&format!("{}\n", outputs.join("\n\n").trim_end()))?;
    Ok(0)
}

fn names(args: &ConvertArgs, path: &str) -> crate::convert::sigma::Names {
    let stem = std::path::Path::new(path)
        .file_stem()
        .map_or("converted".to_string(), |s| {
            s.to_string_lossy().into_owned()
        });
    crate::convert::sigma::Names {
        title: args.title.clone().unwrap_or(stem),
        timespan: args.timespan.clone(),
    }
}

fn report(notes: &[Diagnostic], name: &str) {
    for n in notes {
        eprint!("{}", n.render(name, ""));
    }
}
