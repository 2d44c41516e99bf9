//! Event-input options shared by `run` and `hunt`, and the loop that reads every input once,
//! reporting bad records on stderr and drawing a progress line on a terminal.

use super::progress::Progress;
use crate::eval::event::{EventOptions, Record};
use crate::io::parallel::{Prefix, Sink};
use crate::io::{read_input_with, total_bytes, BadEvent, Input};
use clap::Args;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// `index` for events that lack one.
    #[arg(long)]
    pub index: Option<String>,
    /// `sourcetype` for events that lack one.
    #[arg(long)]
    pub sourcetype: Option<String>,
    /// `source` for events that lack one (default: the file name).
    #[arg(long)]
    pub source: Option<String>,
    /// `host` for events that lack one.
    #[arg(long)]
    pub host: Option<String>,
    /// A field to read `_time` from when an event has no `_time` (repeatable; tried in order).
    #[arg(long = "time-field")]
    pub time_field: Vec<String>,
    /// Treat a bad event line as fatal (exit 2) instead of skipping it; every line is then read
    /// and checked (else a line the search cannot match may be skipped before it is fully read).
    #[arg(long)]
    pub strict: bool,
    /// In folders, read only files matching this glob (`*.json`, `**/sysmon/*.evtx`).
    #[arg(long, value_name = "GLOB")]
    pub glob: Option<String>,
    /// The longest event line (or JSON array file) read, in bytes; longer ones are skipped.
    #[arg(long = "max-line", value_name = "BYTES", default_value_t = crate::eval::event::DEFAULT_MAX_LINE)]
    pub max_line: usize,
    /// Threads that parse events (and run a plan's per-event stages) for files of one JSON
    /// object per line; 0: one per core. Results are the same, in the same order, for any count.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// The most groups one `stats` (value combinations one `top` or `rare`, cells one `chart`
    /// or `timechart`) may hold in memory before the run stops with an error.
    #[arg(long = "max-groups", value_name = "N", default_value_t = crate::eval::compile::DEFAULT_MAX_GROUPS)]
    pub max_groups: usize,
    /// The most values one `stats` may hold in memory, over all its groups (distinct values of
    /// values/dc/mode, list entries, numbers kept for median/perc/stdev/var) before the run stops
    /// with an error.
    #[arg(long = "max-values", value_name = "N", default_value_t = crate::eval::compile::DEFAULT_MAX_VALUES)]
    pub max_values: usize,
}

impl InputArgs {
    /// The worker threads to read with: `--threads`, or one per core (at most 8).
    pub fn thread_count(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            n => n,
        }
    }

    pub fn event_options(&self) -> EventOptions {
        let mut opts = EventOptions::default();
        opts.max_line = self.max_line;
        let defaults = [
            ("index", &self.index),
            ("sourcetype", &self.sourcetype),
            ("source", &self.source),
            ("host", &self.host),
        ];
        for (name, value) in defaults {
            if let Some(v) = value {
                opts.defaults.push((name.to_string(), v.clone()));
            }
        }
        if !self.time_field.is_empty() {
            let mut fields = self.time_field.clone();
            fields.extend(opts.time_fields);
            opts.time_fields = fields;
        }
        opts
    }
}

/// How many events were read and how many records were skipped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub events: usize,
    pub bad: usize,
}

impl Counts {
    /// The closing warning about skipped records, if any.
    pub fn report(&self) {
        if self.bad > 0 {
            eprintln!(
                "warning: skipped {} bad event line(s) of {} read",
                self.bad,
                self.events + self.bad
            );
        }
    }
}

/// Reads every path (`-` or none: stdin) once, passing each event to `sink`.
pub fn read_all(
    paths: &[String],
    args: &InputArgs,
    opts: &EventOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<Counts, String> {
    read_all_with(paths, args, opts, None, sink)
}

/// Reads every path (`-` or none: stdin) once, passing each event through `prefix` (a plan's
/// streaming prefix, run on the reading threads) and what it passes on to `sink`, in order.
pub fn read_all_with(
    paths: &[String],
    args: &InputArgs,
    opts: &EventOptions,
    prefix: Option<Prefix>,
    sink: &mut dyn FnMut(Record),
) -> Result<Counts, String> {
    let stdin = ["-".to_string()];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let bytes = Arc::new(AtomicU64::new(0));
    let input = Input {
        glob: args.glob.clone(),
        bytes: Some(bytes.clone()),
    };
    let mut progress = Progress::new(total_bytes(paths, &input), bytes);
    let (mut events, mut bad) = (0, 0);
    let threads = args.thread_count();
    for path in paths {
        let mut parsed = || {
            events += 1;
            progress.tick(events);
        };
        let mut on_bad = |b: BadEvent| {
            eprint!("{}", b.to_diagnostic().render("", ""));
            bad += 1;
        };
        let mut sink = Sink {
            output: &mut *sink,
            parsed: &mut parsed,
            bad: &mut on_bad,
        };
        read_input_with(path, &input, opts, threads, prefix, &mut sink)
            .map_err(|d| d.render("", ""))?;
        // Events the optimiser skipped were read all the same.
        events += opts.skipped.swap(0, std::sync::atomic::Ordering::Relaxed);
    }
    progress.finish();
    let counts = Counts { events, bad };
    if args.strict && counts.bad > 0 {
        return Err(format!(
            "error: {} bad event line(s); stopping because of --strict\n",
            counts.bad
        ));
    }
    Ok(counts)
}
