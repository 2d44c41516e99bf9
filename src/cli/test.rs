//! `spelunk test [PATH...]`: runs the test cases found under PATH, prints PASS/FAIL/SKIP per case
//! with the difference, closes with `N passed, N failed`; exit 1 on any failure.

use super::load::LoadArgs;
use super::style::Style;
use crate::testing::{discover, junit, run_suite, Outcome, Report};
use clap::Args;
use std::io::Write;
use std::path::Path;

/// Prints a line; a closed stdout (`spelunk test | head`) is not an error, the run goes on.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Test files (`*.test.yml`, Sigma rules with `tests:`, SigmaHQ `regression_data/**/info.yml`,
    /// security_content detections with `tests:`) or folders to search (default: `rules`).
    pub paths: Vec<String>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<String>,
    /// Where local copies of splunk/attack_data files are (for security_content `tests:`).
    #[arg(long = "attack-data", value_name = "DIR")]
    pub attack_data: Option<String>,
    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn test(args: &TestArgs) -> Result<i32, String> {
    let paths = if args.paths.is_empty() {
        vec!["rules".to_string()]
    } else {
        args.paths.clone()
    };
    let suites = discover(
        &paths,
        &args.load.options()?,
        args.attack_data.as_deref().map(Path::new),
    )?;
    if suites.is_empty() {
        return Err(format!(
            "error: no tests found under {} (looked for *.test.yml, Sigma and security_content `tests:` blocks, SigmaHQ regression_data info.yml)\n",
            paths.join(" ")
        ));
    }
    let style = Style::stdout();
    let mut reports: Vec<Report> = Vec::new();
    for suite in &suites {
        for report in run_suite(suite) {
            print_report(&report, &style);
            reports.push(report);
        }
    }
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let passed = count(|o| *o == Outcome::Pass);
    let failed = count(|o| matches!(o, Outcome::Fail(_)));
    let skipped = count(|o| matches!(o, Outcome::Skip(_)));
    if let Some(path) = &args.junit {
        std::fs::write(path, junit::to_xml(&reports))
            .map_err(|e| format!("error: cannot write `{path}`: {e}\n"))?;
    }
    let skip_note = if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    };
    say!();
    say!("{passed} passed, {failed} failed{skip_note}");
    Ok(if failed > 0 { 1 } else { 0 })
}

fn print_report(report: &Report, style: &Style) {
    let name = format!("{} › {}", report.suite, report.case);
    match &report.outcome {
        Outcome::Pass => say!("{} {name}", style.green("PASS")),
        Outcome::Fail(message) => {
            say!("{} {name}", style.red("FAIL"));
            for line in message.trim_end().lines() {
                say!("     {line}");
            }
        }
        Outcome::Skip(reason) => say!("{} {name}: {reason}", style.yellow("SKIP")),
    }
}
