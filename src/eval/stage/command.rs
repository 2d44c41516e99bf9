//! Plan stages of the extraction, multivalue, reporting and grouping commands: compile, absorb, flush.

use super::extract::{self, RexPlan};
use super::foreach::ForeachPlan;
use super::grouping::{self, StreamPlan, StreamState, TransactionPlan};
use super::report::{self, ChartPlan};
use super::reshape::{self, MakeMvPlan};
use super::StageState;
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::compile::regex;
use crate::eval::event::{JsonExtract, Record};
use crate::eval::stats::StatsPlan;
use crate::ir::{AddTotals, Bin, BinSpan, Convert, Spath, Stage, Top};
use crate::optimize::Projection;
use regex::Regex;

#[derive(Debug)]
pub enum CommandStage {
    Rex(RexPlan),
    Regex {
        field: String,
        re: Regex,
        negate: bool,
    },
    /// With the fields to extract when there is no path, if not all (see
    /// [`crate::eval::compile::Options::projection`]).
    Spath(Spath, Option<JsonExtract>),
    EventStats(StatsPlan),
    StreamStats(StreamPlan),
    Bin(Bin),
    Fillnull {
        value: String,
        fields: Vec<String>,
    },
    Convert(Convert),
    MvExpand {
        field: String,
        limit: Option<u64>,
    },
    MakeMv(MakeMvPlan),
    MvCombine {
        field: String,
    },
    /// With the most value combinations it counts.
    Top(Top, usize),
    Tail(u64),
    Reverse,
    MakeResults(u64),
    AddTotals(AddTotals),
    FromJson {
        field: String,
        prefix: String,
    },
    XmlKv {
        field: String,
        re: Regex,
    },
    Chart(ChartPlan),
    Transaction(TransactionPlan),
    IpLocation,
    Foreach(ForeachPlan),
    Replace {
        pairs: Vec<(String, String)>,
        fields: Vec<String>,
    },
}

impl CommandStage {
    /// Lets a `spath` without a path extract only the fields `later()` (what the stages after it
    /// read, worked out only for such a `spath`) keeps, rather than every field of its input.
    pub fn extract_only(&mut self, later: impl FnOnce() -> Projection) {
        if let CommandStage::Spath(Spath { path: None, .. }, only) = self {
            if let later @ Projection::Fields(_) = later() {
                *only = Some(JsonExtract::new(&later));
            }
        }
    }

    /// `max_groups`: the most value combinations `top` / `rare` count, and the most cells a
    /// chart filled as events come holds (`--max-groups`).
    pub fn compile(stage: &Stage, max_groups: usize) -> Result<CommandStage, Diagnostic> {
        Ok(match stage {
            Stage::Rex(r) => CommandStage::Rex(RexPlan::compile(r)?),
            Stage::Regex {
                field,
                pattern,
                negate,
            } => CommandStage::Regex {
                field: field.clone(),
                re: regex(pattern)?,
                negate: *negate,
            },
            Stage::Spath(s) => CommandStage::Spath(s.clone(), None),
            Stage::EventStats(s) => CommandStage::EventStats(StatsPlan::compile(s)?),
            Stage::StreamStats(s) => CommandStage::StreamStats(StreamPlan::compile(s)?),
            Stage::Bin(b) => CommandStage::Bin(b.clone()),
            Stage::Fillnull { value, fields } => CommandStage::Fillnull {
                value: value.clone(),
                fields: fields.clone(),
            },
            Stage::Convert(c) => CommandStage::Convert(c.clone()),
            Stage::MvExpand { field, limit } => CommandStage::MvExpand {
                field: field.clone(),
                limit: *limit,
            },
            Stage::MakeMv(m) => CommandStage::MakeMv(MakeMvPlan::compile(m)?),
            Stage::MvCombine { field, .. } => CommandStage::MvCombine {
                field: field.clone(),
            },
            Stage::Top(t) => CommandStage::Top(t.clone(), max_groups),
            Stage::Tail(n) => CommandStage::Tail(*n),
            Stage::Reverse => CommandStage::Reverse,
            Stage::MakeResults { count } => CommandStage::MakeResults(*count),
            Stage::AddTotals(a) => CommandStage::AddTotals(a.clone()),
            Stage::FromJson { field, prefix } => CommandStage::FromJson {
                field: field.clone(),
                prefix: prefix.clone(),
            },
            Stage::XmlKv { field } => CommandStage::XmlKv {
                field: field.clone(),
                re: extract::xmlkv_regex()?,
            },
            Stage::Chart(c) => CommandStage::Chart(ChartPlan::compile(c, max_groups)?),
            Stage::Transaction(t) => CommandStage::Transaction(TransactionPlan::compile(t)?),
            Stage::IpLocation { .. } => CommandStage::IpLocation,
            Stage::Foreach(f) => CommandStage::Foreach(ForeachPlan::compile(f)?),
            Stage::Replace { pairs, fields } => CommandStage::Replace {
                pairs: pairs.clone(),
                fields: fields.clone(),
            },
            Stage::Filter(_)
            | Stage::Eval(_)
            | Stage::Stats(_)
            | Stage::Sort(_)
            | Stage::Table(_)
            | Stage::Fields { .. }
            | Stage::Rename(_)
            | Stage::Head(_)
            | Stage::Dedup(_)
            | Stage::Correlate(_)
            | Stage::Lookup(_)
            | Stage::InputLookup { .. }
            | Stage::OutputLookup { .. }
            | Stage::Join(_)
            | Stage::Append(_)
            | Stage::AppendPipe(_)
            | Stage::Format(_) => {
                return Err(Diagnostic::error(
                    codes::SPL_UNSUPPORTED,
                    "internal: not a command stage",
                ))
            }
        })
    }

    /// Whether the stage holds every record until the input ends (`top` counts them instead, and
    /// a chart that [`report::ChartPlan::streams`] fills its cells: see [`CommandStage::start`]).
    fn blocks(&self) -> bool {
        match self {
            CommandStage::EventStats(_)
            | CommandStage::MvCombine { .. }
            | CommandStage::Tail(_)
            | CommandStage::Reverse
            | CommandStage::MakeResults(_)
            | CommandStage::Chart(_)
            | CommandStage::Transaction(_) => true,
            CommandStage::Bin(b) => matches!(b.span, BinSpan::Auto { .. }),
            CommandStage::Fillnull { fields, .. } => fields.is_empty(),
            CommandStage::AddTotals(a) => a.col,
            CommandStage::Rex(_)
            | CommandStage::Regex { .. }
            | CommandStage::Spath(..)
            | CommandStage::StreamStats(_)
            | CommandStage::Top(..)
            | CommandStage::Convert(_)
            | CommandStage::MvExpand { .. }
            | CommandStage::MakeMv(_)
            | CommandStage::FromJson { .. }
            | CommandStage::XmlKv { .. }
            | CommandStage::IpLocation
            | CommandStage::Foreach(_)
            | CommandStage::Replace { .. } => false,
        }
    }

    pub fn start(&self) -> StageState {
        match self {
            CommandStage::StreamStats(_) => StageState::Stream(Box::default()),
            CommandStage::Top(..) => StageState::Top(Box::default()),
            CommandStage::Chart(c) if c.streams() => StageState::Chart(Box::default()),
            s if s.blocks() => StageState::Buffer(Vec::new()),
            _ => StageState::None,
        }
    }

    pub fn absorb(&self, state: &mut StageState, mut record: Record, out: &mut Vec<Record>) {
        if let StageState::Buffer(buf) = state {
            if !matches!(self, CommandStage::MakeResults(_)) {
                buf.push(record.hold());
            }
            return;
        }
        match self {
            CommandStage::Rex(r) => r.apply(&mut record),
            CommandStage::Regex { field, re, negate } => {
                if !extract::regex_keeps(&record, field, re, *negate) {
                    return;
                }
            }
            CommandStage::Spath(s, only) => extract::spath(s, only.as_ref(), &mut record),
            CommandStage::StreamStats(p) => {
                if let StageState::Stream(s) = state {
                    p.apply(s, &mut record);
                }
            }
            CommandStage::Top(t, max_groups) => {
                if let StageState::Top(counts) = state {
                    counts.add(t, &record, *max_groups);
                }
                return;
            }
            CommandStage::Chart(c) => {
                if let StageState::Chart(cells) = state {
                    c.add(cells, &record);
                }
                return;
            }
            CommandStage::Bin(b) => reshape::bin_record(b.span, &b.field, &b.output, &mut record),
            CommandStage::Fillnull { value, fields } => {
                reshape::fillnull(&mut record, value, fields)
            }
            CommandStage::Convert(c) => reshape::convert(c, &mut record),
            CommandStage::MvExpand { field, limit } => {
                return reshape::mvexpand(field, *limit, record, out)
            }
            CommandStage::MakeMv(m) => m.apply(&mut record),
            CommandStage::AddTotals(a) => report::add_row_total(a, &mut record),
            CommandStage::FromJson { field, prefix } => {
                extract::fromjson(field, prefix, &mut record)
            }
            CommandStage::XmlKv { field, re } => extract::xmlkv(re, field, &mut record),
            CommandStage::Foreach(f) => f.apply(&mut record),
            CommandStage::Replace { pairs, fields } => reshape::replace(pairs, fields, &mut record),
            CommandStage::IpLocation
            | CommandStage::EventStats(_)
            | CommandStage::MvCombine { .. }
            | CommandStage::Tail(_)
            | CommandStage::Reverse
            | CommandStage::MakeResults(_)
            | CommandStage::Transaction(_) => {}
        }
        out.push(record);
    }

    /// The rows the stage gives at the end of its input; errors go to `warnings`.
    pub fn flush(&self, state: StageState, warnings: &mut Vec<Diagnostic>) -> Vec<Record> {
        let mut records = match (self, state) {
            (CommandStage::Top(t, max_groups), StageState::Top(counts)) => {
                warnings.extend(counts.overflow(*max_groups));
                return report::top(t, *counts);
            }
            (CommandStage::Chart(c), StageState::Chart(cells)) => {
                warnings.extend(c.overflow(&cells));
                return c.finish_cells(*cells);
            }
            (_, StageState::Buffer(records)) => records,
            _ => return Vec::new(),
        };
        match self {
            CommandStage::EventStats(p) => grouping::eventstats(p, records),
            CommandStage::MvCombine { field } => reshape::mvcombine(field, records),
            CommandStage::Tail(n) => grouping::tail(*n, records),
            CommandStage::Reverse => {
                records.reverse();
                records
            }
            CommandStage::MakeResults(n) => grouping::makeresults(*n),
            CommandStage::Chart(c) => c.finish(records),
            CommandStage::Transaction(t) => t.finish(records),
            CommandStage::Bin(b) => match b.span {
                BinSpan::Auto { bins, minspan } => {
                    reshape::bin_auto(&b.field, &b.output, (bins, minspan), records)
                }
                span => {
                    for r in records.iter_mut() {
                        reshape::bin_record(span, &b.field, &b.output, r);
                    }
                    records
                }
            },
            CommandStage::Fillnull { value, .. } => reshape::fillnull_all(records, value),
            CommandStage::AddTotals(a) => {
                for r in records.iter_mut() {
                    if a.row {
                        report::add_row_total(a, r);
                    }
                }
                report::add_column_totals(a, records)
            }
            CommandStage::Rex(_)
            | CommandStage::Regex { .. }
            | CommandStage::Spath(..)
            | CommandStage::StreamStats(_)
            | CommandStage::Top(..)
            | CommandStage::Convert(_)
            | CommandStage::MvExpand { .. }
            | CommandStage::MakeMv(_)
            | CommandStage::FromJson { .. }
            | CommandStage::XmlKv { .. }
            | CommandStage::IpLocation
            | CommandStage::Foreach(_)
            | CommandStage::Replace { .. } => records,
        }
    }
}

/// The state type `streamstats` keeps.
pub type StreamStateBox = Box<StreamState>;
