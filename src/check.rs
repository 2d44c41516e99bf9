//! `spelunk check PATH...`: reads the Sigma files, validates them together (`sigma::lint`), prints
//! each diagnostic with file:line:col and a closing `N files, N errors, N warnings` line. Exit 0
//! when clean or only warnings, 1 when a check fails, 2 when an input cannot be read.

use crate::diagnostic::{codes, Diagnostic};
use crate::sigma::lint::{self, Input};
use std::io::Write;

/// Runs the check; returns the exit code, or the rendered error that stops it (exit 2).
pub fn run(paths: &[String]) -> Result<i32, String> {
    let files = crate::sigma::walk::sigma_files(paths).map_err(|d| d.render("", ""))?;
    let mut inputs = Vec::new();
    let mut unreadable = 0;
    for path in files {
        let name = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => inputs.push(Input { name, text }),
            Err(e) => {
                unreadable += 1;
                let d = Diagnostic::error(
                    codes::IO,
                    format!("cannot read `{name}`: {}", crate::io::io_reason(&e)),
                );
                eprint!("{}", d.render("", ""));
            }
        }
    }
    let reports = lint::check(&inputs);
    let (mut errors, mut warnings) = (0, 0);
    let mut out = std::io::stdout().lock();
    for (input, report) in inputs.iter().zip(&reports) {
        for d in &report.diagnostics {
            if d.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
            let _ = write!(out, "{}", d.render(&report.name, &input.text));
        }
    }
    let _ = writeln!(
        out,
        "{} files, {errors} errors, {warnings} warnings",
        inputs.len() + unreadable
    );
    Ok(if unreadable > 0 {
        2
    } else if errors > 0 {
        1
    } else {
        0
    })
}
