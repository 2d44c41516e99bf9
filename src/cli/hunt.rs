//! `spelunk hunt -r RULES... EVENTS...`: many rules over the same events in one pass; one row
//! per hit (time, rule, level, key fields), then a summary of hits per rule and level.

use super::input::{read_all_with, InputArgs};
use super::load::{load_all, LoadArgs};
use super::style::Style;
use crate::eval::{Record, Results, Value};
use crate::hunt::index::RuleIndex;
use crate::hunt::{compile_all, hits, rule_index, rule_needs, Filter, Hunt, LEVELS};
use crate::output::{self, Format};
use crate::rules::Rule;
use clap::Args;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct HuntArgs {
    /// A rule file or a folder of rules (repeatable: `-r rules/ -r extra.spl`).
    #[arg(
        short = 'r',
        long = "rules",
        value_name = "RULES",
        required = true,
        num_args = 1
    )]
    pub rules: Vec<String>,
    /// Events files or folders (`-` or none: stdin).
    pub events: Vec<String>,
    /// Run only rules of at least this level (informational, low, medium, high, critical).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(LEVELS))]
    pub level: Option<String>,
    /// Run only rules with any of these tags (comma-separated, `*` globs: `attack.t1071*`).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Output format (default: table on a terminal, json when piped).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The folder of CSV lookup tables.
    #[arg(long, value_name = "DIR")]
    pub lookups: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub optimize: super::OptimizeArgs,
}

pub fn hunt(args: &HuntArgs) -> Result<i32, String> {
    let threads = args.input.thread_count();
    let mut load = args.load.options()?;
    load.threads = threads;
    let all = load_all(&args.rules, &load)?;
    if all.is_empty() {
        return Err(format!(
            "error: no rules found in {}\n",
            args.rules.join(" ")
        ));
    }
    let filter = Filter {
        level: args.level.clone(),
        tags: args.tags.clone(),
    };
    let mut rules: Vec<Rule> = all.into_iter().filter(|r| filter.keeps(r)).collect();
    let options = crate::eval::compile::Options {
        lookups: args.lookups.as_ref().map(std::path::PathBuf::from),
        max_groups: args.input.max_groups,
        max_values: args.input.max_values,
        projection: args.optimize.passes().projection,
    };
    let mut opts = args.input.event_options();
    let passes = args.optimize.passes();
    let defaulted = opts.defaulted();
    let in_fields = passes.field_literals;
    // With two threads or more, the index's build (on one thread) runs while the rules compile on
    // the others, once their needs are worked out on all. On two threads, in turn: loading
    // SigmaHQ's Windows rules 0.577 -> 0.542 s, their hunt of 100k Sysmon events 1.355 ->
    // 1.327 s (building the whole index beside compiling on a third thread was no faster).
    let (compiled, index) = if passes.rule_index && threads > 1 {
        let (needs, holds) = rule_needs(&rules, &defaulted, threads);
        std::thread::scope(|scope| {
            let indexing = scope.spawn(|| RuleIndex::new(&needs, holds, in_fields));
            let compiled = compile_all(&rules, &options, threads - 1);
            let index = indexing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (compiled, Some(index))
        })
    } else {
        let compiled = compile_all(&rules, &options, threads);
        let index = passes
            .rule_index
            .then(|| rule_index(&rules, &defaulted, threads, in_fields));
        (compiled, index)
    };
    let compiled = compiled.map_err(|e| e.render())?;
    let index = index.map(Arc::new);
    if let Some(index) = index.as_ref().filter(|i| i.reads_lines()) {
        opts.line_filter = Some(index.clone());
    }
    // Compiled and indexed, the rules need only their metadata: the memory of their texts and
    // syntax trees (a fifth of what loading took) is free for the hits, which then take less new
    // memory from the system. Freeing it takes a while (20 ms for SigmaHQ's 2,400 rules):
    // another thread does that while this one starts reading.
    let unused: Vec<_> = rules
        .iter_mut()
        .map(|rule| {
            (
                std::mem::take(&mut rule.text),
                std::mem::take(&mut rule.expanded),
                std::mem::take(&mut rule.pipeline.stages),
            )
        })
        .collect();
    let freeing = std::thread::spawn(move || drop(unused));
    let hunt = Hunt::new(&compiled, index.as_deref()).trim_to_hits();
    let mut hunter = hunt.hunter();
    let prepare = |record, out: &mut Vec<Record>| hunt.prepare(record, out);
    let counts = read_all_with(&args.events, &args.input, &opts, Some(&prepare), &mut |r| {
        hunter.push(r)
    })?;
    // Dropping strings and syntax trees cannot fail; a panic there would only be the
    // allocator's, and the hits are complete without that thread.
    let _ = freeing.join();
    let results = hunter
        .finish(&options)
        .map_err(|d| crate::diagnostic::render_all(&d, "", ""))?;
    for res in &results {
        for warning in &res.warnings {
            eprint!("{}", warning.render("", ""));
        }
    }
    let per_rule: Vec<Vec<Record>> = rules
        .iter()
        .zip(results)
        .map(|(r, res)| hits(r, res))
        .collect();
    let terminal = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if terminal {
        Format::Table
    } else {
        Format::Json
    });
    let hit_counts: Vec<usize> = per_rule.iter().map(Vec::len).collect();
    let summary = summary(&rules, &hit_counts, counts.events, &Style::stdout());
    let rows: Vec<Record> = per_rule.into_iter().flatten().collect();
    let mut stdout = std::io::stdout().lock();
    let width = std::io::stdout().is_terminal().then(output::terminal_width);
    let written =
        output::write_fit(&view(rows, format), format, width, &mut stdout).and_then(|()| {
            if format == Format::Table {
                write!(stdout, "\n{summary}")
            } else {
                eprint!("{summary}");
                Ok(())
            }
        });
    if let Err(e) = written.and_then(|()| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(format!("error: cannot write results: {e}\n"));
        }
    }
    counts.report();
    Ok(0)
}

/// JSON and CSV get every field of the hits; a table folds the key fields into one `details`
/// cell (`field=value`, two spaces apart) and shows the time as a date.
fn view(rows: Vec<Record>, format: Format) -> Results {
    let fixed = ["_time", "rule", "level"];
    if format != Format::Table {
        let mut columns: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for row in &rows {
            for k in row.fields.keys() {
                if !columns.iter().any(|c| c == k) {
                    columns.push(k.to_string());
                }
            }
        }
        return Results {
            columns,
            rows,
            events: false,
            warnings: Vec::new(),
        };
    }
    let table_rows = rows
        .into_iter()
        .map(|row| {
            let mut out = Record::default();
            if let Some(t) = row.time() {
                out.set(
                    "time",
                    Value::str(crate::eval::time::strftime(t, "%Y-%m-%d %H:%M:%S")),
                );
            }
            out.set("rule", row.value("rule"));
            out.set("level", row.value("level"));
            let details: Vec<String> = row
                .fields
                .iter()
                .filter(|(k, _)| !fixed.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={}", v.to_text().replace('\n', ",")))
                .collect();
            out.set("details", Value::str(details.join("  ")));
            out
        })
        .collect();
    let columns = ["time", "rule", "level", "details"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    Results {
        columns,
        rows: table_rows,
        events: false,
        warnings: Vec::new(),
    }
}

/// Hits per rule (rules with hits first, most hits first), then per level and the totals.
/// `hits` is each rule's hit count.
fn summary(rules: &[Rule], hits: &[usize], events: usize, style: &Style) -> String {
    let mut order: Vec<(&Rule, usize)> = rules.iter().zip(hits.iter().copied()).collect();
    order.sort_by_key(|(_, hits)| std::cmp::Reverse(*hits));
    let width = rules
        .iter()
        .map(|r| r.meta.title.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!("{:<width$}  {:<13}  hits\n", "rule", "level");
    out.push_str(&format!(
        "{}  {}  ----\n",
        "-".repeat(width),
        "-".repeat(13)
    ));
    for (rule, hits) in order {
        let level = rule.meta.level.as_deref().unwrap_or("-");
        let padded = format!("{level:<13}");
        let shown = if hits == 0 {
            padded
        } else {
            padded.replacen(level, &style.level(level), 1)
        };
        out.push_str(&format!("{:<width$}  {shown}  {hits}\n", rule.meta.title));
    }
    let mut by_level: Vec<String> = Vec::new();
    for level in LEVELS.iter().rev() {
        let n: usize = rules
            .iter()
            .zip(hits)
            .filter(|(r, _)| r.meta.level.as_deref() == Some(*level))
            .map(|(_, h)| *h)
            .sum();
        if n > 0 {
            by_level.push(format!("{level} {n}"));
        }
    }
    let total: usize = hits.iter().sum();
    let firing = hits.iter().filter(|h| **h > 0).count();
    out.push_str(&format!(
        "\n{} hit(s) from {firing} of {} rule(s) over {events} event(s){}\n",
        style.bold(&total.to_string()),
        rules.len(),
        if by_level.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_level.join(", "))
        }
    ));
    out
}
