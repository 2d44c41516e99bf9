//! Command-line interface: parses arguments, calls the library, renders diagnostics, sets exit codes
//! (0 success, 1 a failed check or test, 2 bad usage or input that cannot be read or parsed).

use crate::diagnostic::{codes, render_all, Diagnostic};
use crate::eval::Record;
use crate::optimize::Passes;
use crate::output::{self, Format};
use clap::{Args, Parser, Subcommand, ValueEnum};
use input::{read_all, read_all_with, InputArgs};

mod explain;
mod hunt;
mod input;
mod load;
mod progress;
mod style;
mod test;

use std::io::{IsTerminal, Write};

mod convert;

#[derive(Parser, Debug)]
#[command(
    name = "spelunk",
    version,
    about = "Run Splunk SPL searches and Sigma rules offline over JSON events"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a rule over events: `spelunk run RULE.spl [EVENTS...]` or `spelunk run -q 'SPL' [EVENTS...]`
    Run(RunArgs),
    /// Show a rule as syntax tree or IR: `spelunk parse RULE --emit ir`
    Parse(ParseArgs),
    /// Convert a rule: `spelunk convert RULE --to spl|sigma|sql [--dialect spark|duckdb]`
    Convert(convert::ConvertArgs),
    /// Show a rule after macro expansion, as IR, and the event fields it reads
    Explain(explain::ExplainArgs),
    /// Run the test cases found under PATH: `spelunk test rules/`
    Test(test::TestArgs),
    /// Run many rules over the same events in one pass: `spelunk hunt -r rules/ logs/`
    Hunt(hunt::HuntArgs),
    /// Validate Sigma rules (files or folders): `spelunk check rules/`
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Sigma files, or folders searched recursively for .yml/.yaml files.
    #[arg(required = true)]
    pub paths: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// Inline SPL instead of a rule file; then every positional argument is an events file.
    #[arg(short = 'q', long = "query")]
    pub query: Option<String>,
    /// The rule file (.spl), then events files (NDJSON or JSON array; `-` or none: stdin).
    pub paths: Vec<String>,
    /// Macros, data models, Sigma pipelines and `--with` files (shared with test/hunt/explain).
    #[command(flatten)]
    pub load: load::LoadArgs,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub rule: RuleArgs,
    /// Output format (default: table on a terminal, json when piped).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub input: InputArgs,
    /// The folder of CSV lookup tables for lookup/inputlookup/outputlookup.
    #[arg(long, value_name = "DIR")]
    pub lookups: Option<String>,
    #[command(flatten)]
    pub optimize: OptimizeArgs,
}

/// `--no-optimize[=PASSES]`, for `run` and `hunt`.
#[derive(Args, Debug)]
pub struct OptimizeArgs {
    /// Turn optimiser passes off: all of them (the reference behaviour: every field parsed,
    /// every rule run on every event), or those named, comma-separated (`run` uses projection,
    /// prefilter, pushdown and gate for an SPL search or a Sigma file of one rule, `hunt`
    /// rule-index and field-literals).
    #[arg(long, value_name = "PASSES", num_args = 0..=1, require_equals = true,
          value_delimiter = ',', value_parser = crate::optimize::PASS_NAMES)]
    pub no_optimize: Option<Vec<String>>,
}

impl OptimizeArgs {
    /// The passes that run.
    pub fn passes(&self) -> Passes {
        self.no_optimize
            .as_deref()
            .map_or_else(Passes::default, Passes::without)
    }
}

#[derive(Args, Debug)]
pub struct ParseArgs {
    #[command(flatten)]
    pub rule: RuleArgs,
    /// What to show.
    #[arg(long, value_enum, default_value = "ir")]
    pub emit: Emit,
    /// How to show it (text is the readable IR; ast is always structured).
    #[arg(long, value_enum, default_value = "text")]
    pub format: DumpFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    Ast,
    Ir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    Text,
    Json,
    Yaml,
}

/// A rule's text, the name to show in diagnostics, and whether it is Sigma YAML.
struct Source {
    name: String,
    text: String,
    sigma: bool,
}

/// Runs the CLI; returns the exit code. A panic becomes an error message and exit code 2.
pub fn main() -> i32 {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    guarded(move || dispatch(cli))
}

/// Makes a panic print one plain error line, never a stack trace (whatever `RUST_BACKTRACE`
/// says); [`guarded`] then turns it into exit code 2.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error in spelunk: {info}\nplease report this with the rule and events that caused it");
    }));
}

/// Stack for the thread that does the work: parsers bound nesting, and this leaves ample room
/// for the recursive passes over the deepest trees they accept, even in debug builds.
const WORK_STACK: usize = 256 << 20;

/// Runs `work` on a thread with a large stack; a panic becomes exit code 2 (the panic hook has
/// already printed "internal error").
pub fn guarded(work: impl FnOnce() -> i32 + Send + 'static) -> i32 {
    let spawned = std::thread::Builder::new()
        .name("spelunk".to_string())
        .stack_size(WORK_STACK)
        .spawn(work);
    match spawned {
        Ok(handle) => handle.join().unwrap_or(2),
        Err(e) => {
            eprintln!("error: cannot start the worker thread: {e}");
            2
        }
    }
}

fn dispatch(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Parse(args) => parse(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Test(args) => test::test(&args),
        Command::Hunt(args) => hunt::hunt(&args),
        Command::Check(args) => crate::check::run(&args.paths),
        Command::Convert(args) => convert::convert(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprint!("{message}");
            2
        }
    }
}

/// Reads the rule: `-q` text, or the first path. Returns it and the remaining paths.
fn load_rule(rule: &RuleArgs) -> Result<(Source, Vec<String>), String> {
    if let Some(q) = &rule.query {
        return Ok((
            Source {
                name: "<query>".to_string(),
                text: q.clone(),
                sigma: false,
            },
            rule.paths.clone(),
        ));
    }
    let Some((path, rest)) = rule.paths.split_first() else {
        return Err(Diagnostic::error(codes::IO, "no rule given")
            .help("pass a rule file (`spelunk run rule.spl events.json`) or inline SPL with -q")
            .to_string());
    };
    if crate::rules::is_search_lines(std::path::Path::new(path)) {
        return Err(Diagnostic::error(
            codes::IO,
            format!("`{path}` holds one search per line, and this command takes one rule"),
        )
        .help(format!(
            "run every search of it with `spelunk hunt -r {path} EVENTS...`, or see them with `spelunk explain {path}`"
        ))
        .render("", ""));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::error(
            codes::IO,
            format!(
                "cannot read rule file `{path}`: {}",
                crate::io::io_reason(&e)
            ),
        )
        .render("", "")
    })?;
    Ok((
        Source {
            name: path.clone(),
            text,
            sigma: path.ends_with(".yml") || path.ends_with(".yaml"),
        },
        rest.to_vec(),
    ))
}

/// The rule after macro expansion, with the name to show in diagnostics about it.
fn expand(source: &Source, macros: &crate::spl::macros::Macros) -> Result<Source, String> {
    let text = crate::expand_macros(&source.text, macros)
        .map_err(|d| render_all(&d, &source.name, &source.text))?;
    let name = if text == source.text {
        source.name.clone()
    } else {
        format!("{} (after macro expansion)", source.name)
    };
    Ok(Source {
        name,
        text,
        sigma: source.sigma,
    })
}

fn to_ir(source: &Source, rule: &RuleArgs) -> Result<crate::ir::Pipeline, String> {
    let options = rule.load.options()?;
    let expanded = expand(source, &options.macros)?;
    let ast = crate::spl_to_ast(&expanded.text)
        .map_err(|d| render_all(&d, &expanded.name, &expanded.text))?;
    crate::spl::lower::lower_with(&ast, &options.datamodels)
        .map_err(|d| render_all(&d, &expanded.name, &expanded.text))
}

fn sigma_ir(source: &Source, rule: &RuleArgs) -> Result<Vec<crate::sigma::SigmaIr>, String> {
    let options = rule.load.options()?.sigma;
    crate::sigma::to_ir_with(&source.text, &options)
        .map_err(|d| render_all(&d, &source.name, &source.text))
}

fn run(args: &RunArgs) -> Result<i32, String> {
    let (source, event_paths) = load_rule(&args.rule)?;
    let (pipeline, sigma) = if source.sigma {
        (None, sigma_ir(&source, &args.rule)?)
    } else {
        (Some(to_ir(&source, &args.rule)?), Vec::new())
    };
    let options = crate::eval::compile::Options {
        lookups: args.lookups.as_ref().map(std::path::PathBuf::from),
        max_groups: args.input.max_groups,
        max_values: args.input.max_values,
        projection: args.optimize.passes().projection,
    };
    let render = |d: Vec<Diagnostic>| render_all(&d, &source.name, &source.text);
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut opts = args.input.event_options();
    let passes = args.optimize.passes();
    // The search the optimiser works from: an SPL search, or the one rule of a Sigma file (with
    // more, an event one rule drops may be another's match).
    let optimised = match (&pipeline, sigma.as_slice()) {
        (Some(pipeline), _) => Some(pipeline),
        (None, [one]) => Some(&one.pipeline),
        (None, _) => None,
    };
    let pushed = optimised.map_or_else(Vec::new, |pipeline| {
        passes.apply(pipeline, args.input.strict, &mut opts)
    });
    let counts;
    // JSON rows written as the run gives them, when it gives them event by event.
    let mut stream: Option<Streamed> = None;
    let results = match pipeline {
        None => {
            let rules = crate::sigma::run::compile(&sigma).map_err(render)?;
            let mut runner = crate::sigma::run::Runner::new(&rules);
            // One rule's JSON matches are written as they come (as a search's rows, below).
            stream = (format == Format::Json && runner.streams()).then(|| Streamed::json(None));
            counts = read_all(&event_paths, &args.input, &opts, &mut |r| {
                runner.push(r);
                if let Some(stream) = stream.as_mut() {
                    stream.write(&runner.drain_matches());
                }
            })?;
            runner.finish().map_err(render)?
        }
        Some(pipeline) if pipeline.has_subsearch() => {
            // Subsearches run over the same events first, so the events are held in memory.
            let mut events = Vec::new();
            counts = read_all(&event_paths, &args.input, &opts, &mut |r| events.push(r))?;
            let resolved =
                crate::eval::subsearch::resolve(&pipeline, &options, &events).map_err(render)?;
            crate::eval::compile::compile_with(&resolved, &options)
                .map_err(render)?
                .run(events)
        }
        Some(pipeline) => {
            let mut plan =
                crate::eval::compile::compile_with(&pipeline, &options).map_err(render)?;
            if plan.trust_pushdown(&pipeline, &pushed) {
                opts.forget_checked_only(&crate::optimize::pushdown::check_only(
                    &pipeline, &pushed,
                ));
            }
            // The per-event stages at the head of the plan run on the reading threads.
            let len = plan.streaming_prefix();
            let prefix = |r: Record, out: &mut Vec<Record>| plan.apply_prefix(len, r, out);
            let mut run = plan.start();
            // When every stage works on each event alone, JSON rows are written as they come
            // rather than held to the end (a search over a large file keeps little in memory),
            // and so are CSV rows in columns the search fixes (`table`).
            if len == plan.stages.len() {
                stream = match (format, plan.columns.as_deref()) {
                    (Format::Json, columns) => Some(Streamed::json(columns)),
                    (Format::Csv, Some(columns)) => Some(Streamed::csv(columns)),
                    _ => None,
                };
            }
            counts = read_all_with(
                &event_paths,
                &args.input,
                &opts,
                (len > 0).then_some(&prefix as crate::io::parallel::Prefix),
                &mut |r| {
                    run.push_after(len, r);
                    if let Some(stream) = stream.as_mut() {
                        stream.write(run.drain_rows().as_slice());
                    }
                },
            )?;
            run.finish()
        }
    };
    let error = results.warnings.iter().any(Diagnostic::is_error);
    // Rows written as they came end with those left (most often none) before the warnings;
    // held rows are written after them, unless a warning is an error.
    let streamed = stream.map(|stream| stream.finish(&results.rows));
    for warning in &results.warnings {
        eprint!("{}", warning.render("", ""));
    }
    let written = match streamed {
        Some(written) => written,
        None if error => return Ok(2),
        None => {
            let mut stdout = std::io::stdout().lock();
            let width = std::io::stdout().is_terminal().then(output::terminal_width);
            output::write_fit(&results, format, width, &mut stdout).and_then(|()| stdout.flush())
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(format!("error: cannot write results: {e}\n"));
        }
    }
    counts.report();
    Ok(if error { 2 } else { 0 })
}

/// JSON rows ([`output::JsonRows`]), or CSV rows in fixed columns ([`output::CsvRows`]),
/// written to standard output as a run gives them; the first write error ends the writing (the
/// run still reads its input to the end), except a closed pipe, which ends the run.
struct Streamed {
    rows: Box<dyn output::RowWriter>,
    out: std::io::BufWriter<std::io::Stdout>,
    error: Option<std::io::Error>,
}

impl Streamed {
    fn json(columns: Option<&[String]>) -> Streamed {
        Streamed::new(Box::new(output::JsonRows::new(columns)))
    }

    fn csv(columns: &[String]) -> Streamed {
        Streamed::new(Box::new(output::CsvRows::new(columns)))
    }

    fn new(rows: Box<dyn output::RowWriter>) -> Streamed {
        Streamed {
            rows,
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
            error: None,
        }
    }

    fn write(&mut self, rows: &[Record]) {
        if self.error.is_none() && !rows.is_empty() {
            match self.rows.write(rows, &mut self.out) {
                // The reader of the rows has gone (`| head`): nothing more can be shown, so the
                // run ends quietly here rather than reading the rest of its input (which may
                // never end).
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
                written => self.error = written.err(),
            }
        }
    }

    /// Writes the run's last rows and flushes; the first error met, if any.
    fn finish(mut self, rest: &[Record]) -> std::io::Result<()> {
        self.write(rest);
        if self.error.is_none() {
            self.error = self.rows.finish(&mut self.out).err();
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }
}

fn parse(args: &ParseArgs) -> Result<i32, String> {
    let (source, rest) = load_rule(&args.rule)?;
    if !rest.is_empty() {
        return Err(format!(
            "error: `parse` takes one rule, found extra arguments: {}\n",
            rest.join(" ")
        ));
    }
    let text = match args.emit {
        Emit::Ast if source.sigma => {
            let docs = crate::sigma::rule::load(&source.text)
                .map_err(|d| render_all(&d, &source.name, &source.text))?;
            dump(&docs, args.format)?
        }
        Emit::Ir if source.sigma => {
            let rules = sigma_ir(&source, &args.rule)?;
            match args.format {
                DumpFormat::Text => rules
                    .iter()
                    .map(|r| {
                        let id = r.id.as_deref().unwrap_or("no id");
                        format!("# {} ({id})\n{}", r.title, r.pipeline)
                    })
                    .collect(),
                f => dump(&rules, f)?,
            }
        }
        Emit::Ast => {
            let source = expand(&source, &args.rule.load.options()?.macros)?;
            let ast = crate::spl_to_ast(&source.text)
                .map_err(|d| render_all(&d, &source.name, &source.text))?;
            dump(&ast, args.format)?
        }
        Emit::Ir => {
            let ir = to_ir(&source, &args.rule)?;
            match args.format {
                DumpFormat::Text => ir.to_string(),
                f => dump(&ir, f)?,
            }
        }
    };
    write_stdout(&format!("{}\n", text.trim_end()))?;
    Ok(0)
}

/// Writes `text` to stdout; a reader that went away (`| head`) is not an error.
pub(crate) fn write_stdout(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("error: cannot write the output: {e}\n"))
        }
        _ => Ok(()),
    }
}

fn dump<T: serde::Serialize>(value: &T, format: DumpFormat) -> Result<String, String> {
    match format {
        DumpFormat::Yaml => serde_yaml::to_string(value).map_err(|e| format!("error: {e}\n")),
        DumpFormat::Json | DumpFormat::Text => {
            serde_json::to_string_pretty(value).map_err(|e| format!("error: {e}\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::guarded;

    #[test]
    fn a_panic_becomes_exit_code_2() {
        assert_eq!(guarded(|| panic!("boom")), 2);
        assert_eq!(guarded(|| 0), 0);
    }

    #[test]
    fn the_worker_has_a_deep_stack() {
        fn down(n: u32) -> u32 {
            let pad = std::hint::black_box([n; 64]);
            if n == 0 {
                0
            } else {
                down(n - 1) + pad[1] % 2
            }
        }
        assert_eq!(guarded(|| down(50_000) as i32), 25_000);
    }
}
