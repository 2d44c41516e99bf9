//! Lowering of the extraction, multivalue, reporting and grouping commands, with Splunk's defaults.

use super::values::{parse_span, sed_expression};
use super::{names, Lowerer};
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::compile::regex;
use crate::ir::{self, BinSpan, ConvertFunc, Expr, MvSplit, RexKind, Stage};
use crate::spl::ast::{
    AddtotalsCommand, BinCommand, Boundary, ChartCommand, ConvertCommand, ForeachCommand,
    MakemvCommand, RegexCommand, RexCommand, SpathCommand, StreamstatsCommand, TopCommand,
    TransactionCommand, Word,
};

/// `convert` without `timeformat=` ("The default is %m/%d/%Y %H:%M:%S").
pub const CONVERT_TIMEFORMAT: &str = "%m/%d/%Y %H:%M:%S";
/// `top`, `rare`, `chart` and `timechart` keep 10 values unless `limit=`.
pub const TOP_DEFAULT_LIMIT: u64 = 10;
/// `bin` / `timechart` without `span=` or `bins=` use at most 100 bins.
pub const DEFAULT_BINS: u64 = 100;
/// `transaction` default `maxevents`.
pub const TRANSACTION_MAXEVENTS: u64 = 1000;

impl Lowerer<'_> {
    pub(super) fn rex(&mut self, r: &RexCommand) -> Stage {
        let field = r
            .field
            .as_ref()
            .map_or("_raw".to_string(), |w| w.text.clone());
        let kind = if r.sed {
            match sed_expression(&r.pattern.text) {
                Ok(kind) => kind,
                Err(message) => {
                    self.errors.push(
                        Diagnostic::error(codes::SPL_SYNTAX, message)
                            .at(r.pattern.span)
                            .help("write `s/regex/replacement/[g|N]` or `y/abc/xyz/`"),
                    );
                    RexKind::Translate {
                        from: Vec::new(),
                        to: Vec::new(),
                    }
                }
            }
        } else {
            self.check_regex(&r.pattern);
            if let Ok(re) = regex(&r.pattern.text) {
                if re.capture_names().flatten().next().is_none() {
                    self.errors.push(
                        Diagnostic::error(
                            codes::SPL_REGEX,
                            "the rex regular expression extracts nothing: it has no named group",
                        )
                        .at(r.pattern.span)
                        .help("name a group, as in \"user=(?<user>\\w+)\""),
                    );
                }
            }
            RexKind::Extract {
                pattern: r.pattern.text.clone(),
                max_match: r.max_match.unwrap_or(1),
            }
        };
        Stage::Rex(ir::Rex { field, kind })
    }

    fn check_regex(&mut self, pattern: &Word) {
        if let Err(d) = regex(&pattern.text) {
            self.errors.push(d.at(pattern.span));
        }
    }

    pub(super) fn regex_filter(&mut self, r: &RegexCommand) -> Stage {
        self.check_regex(&r.pattern);
        Stage::Regex {
            field: r
                .field
                .as_ref()
                .map_or("_raw".to_string(), |w| w.text.clone()),
            pattern: r.pattern.text.clone(),
            negate: r.negate,
        }
    }

    pub(super) fn streamstats(&mut self, s: &StreamstatsCommand) -> Stage {
        Stage::StreamStats(ir::StreamStats {
            stats: self.stats(&s.stats),
            window: s.window.unwrap_or(0),
            current: s.current,
            global: s.global,
            reset_on_change: s.reset_on_change,
        })
    }

    pub(super) fn bin(&mut self, b: &BinCommand) -> Stage {
        let span = self.bin_span(&b.span, b.bins, &b.minspan);
        Stage::Bin(ir::Bin {
            field: b.field.text.clone(),
            output: b.alias.as_ref().unwrap_or(&b.field).text.clone(),
            span,
        })
    }

    fn span(&mut self, w: &Word) -> BinSpan {
        parse_span(&w.text).unwrap_or_else(|| {
            self.errors.push(
                Diagnostic::error(codes::SPL_SYNTAX, format!("`{}` is not a span", w.text))
                    .at(w.span)
                    .help("write a number, a time span such as 30s, 5m, 1h, 1d, 1w, 1mon, or log"),
            );
            BinSpan::Fixed(1.0)
        })
    }

    /// The span of `bin` / `timechart`: `span=` as given, else automatic (`bins=`, at most
    /// [`DEFAULT_BINS`] when not given; `minspan=` in seconds, 0 when not given).
    fn bin_span(
        &mut self,
        span: &Option<Word>,
        bins: Option<u64>,
        minspan: &Option<Word>,
    ) -> BinSpan {
        match span {
            Some(w) => self.span(w),
            None => BinSpan::Auto {
                bins: bins.unwrap_or(DEFAULT_BINS).max(1),
                minspan: self.seconds(minspan).unwrap_or(0.0),
            },
        }
    }

    fn seconds(&mut self, w: &Option<Word>) -> Option<f64> {
        let w = w.as_ref()?;
        if w.text.trim() == "-1" {
            return None;
        }
        match self.span(w) {
            BinSpan::Fixed(s) => Some(s),
            BinSpan::Months(_) | BinSpan::Log { .. } | BinSpan::Auto { .. } => {
                self.errors.push(
                    Diagnostic::error(
                        codes::SPL_SYNTAX,
                        format!(
                            "`{}` is not a duration in seconds, minutes, hours or days",
                            w.text
                        ),
                    )
                    .at(w.span),
                );
                None
            }
        }
    }

    pub(super) fn convert(&mut self, c: &ConvertCommand) -> Stage {
        let conversions = c
            .conversions
            .iter()
            .map(|call| {
                let func = convert_func(&call.func.text).unwrap_or_else(|| {
                    self.errors.push(
                        Diagnostic::error(codes::SPL_UNSUPPORTED, format!("unknown convert function `{}`", call.func.text))
                            .at(call.func.span)
                            .help("convert functions: auto, ctime, dur2sec, memk, mktime, mstime, none, num, rmcomma, rmunit"),
                    );
                    ConvertFunc::None
                });
                ir::Conversion {
                    func,
                    field: call.field.text.clone(),
                    output: call.alias.as_ref().map(|w| w.text.clone()),
                }
            })
            .collect();
        Stage::Convert(ir::Convert {
            timeformat: c
                .timeformat
                .as_ref()
                .map_or(CONVERT_TIMEFORMAT.to_string(), |w| w.text.clone()),
            conversions,
        })
    }

    pub(super) fn makemv(&mut self, m: &MakemvCommand) -> Stage {
        let split = match (&m.tokenizer, &m.delim) {
            (Some(t), _) => {
                self.check_regex(t);
                MvSplit::Tokenizer(t.text.clone())
            }
            (None, Some(d)) => MvSplit::Delim(d.text.clone()),
            (None, None) => MvSplit::Delim(" ".to_string()),
        };
        Stage::MakeMv(ir::MakeMv {
            field: m.field.text.clone(),
            split,
            allowempty: m.allowempty,
            setsv: m.setsv,
        })
    }

    pub(super) fn top(&mut self, rare: bool, t: &TopCommand) -> Stage {
        let text = |w: &Option<Word>, default: &str| {
            w.as_ref().map_or(default.to_string(), |w| w.text.clone())
        };
        Stage::Top(ir::Top {
            rare,
            fields: names(&t.fields),
            by: names(&t.by),
            limit: t.limit.unwrap_or(TOP_DEFAULT_LIMIT),
            countfield: text(&t.countfield, "count"),
            percentfield: text(&t.percentfield, "percent"),
            showcount: t.showcount,
            showperc: t.showperc,
            useother: t.useother,
            otherstr: text(&t.otherstr, "OTHER"),
        })
    }

    pub(super) fn addtotals(&mut self, a: &AddtotalsCommand) -> Stage {
        Stage::AddTotals(ir::AddTotals {
            row: a.row,
            col: a.col,
            fieldname: a
                .fieldname
                .as_ref()
                .map_or("Total".to_string(), |w| w.text.clone()),
            labelfield: a.labelfield.as_ref().map(|w| w.text.clone()),
            label: a
                .label
                .as_ref()
                .map_or("Total".to_string(), |w| w.text.clone()),
            fields: names(&a.fields),
        })
    }

    pub(super) fn chart(&mut self, timechart: bool, c: &ChartCommand) -> Stage {
        let aggs = c.aggs.iter().map(|a| self.aggregation(a)).collect();
        let (over, by) = if timechart {
            if let Some(second) = c.by.get(1) {
                self.errors.push(
                    Diagnostic::error(codes::SPL_SYNTAX, "`timechart` splits by one field only")
                        .at(second.span),
                );
            }
            (
                Some("_time".to_string()),
                c.by.first().map(|w| w.text.clone()),
            )
        } else {
            match (&c.over, c.by.as_slice()) {
                (Some(o), by) => (Some(o.text.clone()), by.first().map(|w| w.text.clone())),
                (None, []) => (None, None),
                (None, [o]) => (Some(o.text.clone()), None),
                (None, [o, b, ..]) => (Some(o.text.clone()), Some(b.text.clone())),
            }
        };
        let span = if timechart {
            Some(self.bin_span(&c.span, c.bins, &c.minspan))
        } else {
            None
        };
        Stage::Chart(ir::Chart {
            aggs,
            over,
            by,
            span,
            limit: c.limit.unwrap_or(TOP_DEFAULT_LIMIT),
            useother: c.useother,
            otherstr: c
                .otherstr
                .as_ref()
                .map_or("OTHER".to_string(), |w| w.text.clone()),
            usenull: c.usenull,
            cont: c.cont,
            nullstr: c
                .nullstr
                .as_ref()
                .map_or("NULL".to_string(), |w| w.text.clone()),
        })
    }

    pub(super) fn transaction(&mut self, t: &TransactionCommand) -> Stage {
        let maxspan = self.seconds(&t.maxspan);
        let maxpause = self.seconds(&t.maxpause);
        let startswith = t.startswith.as_ref().map(|b| self.boundary(b));
        let endswith = t.endswith.as_ref().map(|b| self.boundary(b));
        Stage::Transaction(ir::Transaction {
            fields: names(&t.fields),
            maxspan,
            maxpause,
            maxevents: Some(t.maxevents.unwrap_or(TRANSACTION_MAXEVENTS)),
            startswith,
            endswith,
            keepevicted: t.keepevicted,
        })
    }

    fn boundary(&mut self, b: &Boundary) -> Expr {
        match b {
            Boundary::Search(s) => self.search(s),
            Boundary::Eval(e) => self.expr(e),
        }
    }

    pub(super) fn foreach(&mut self, f: &ForeachCommand) -> Stage {
        Stage::Foreach(ir::Foreach {
            fields: names(&f.fields),
            body: f
                .body
                .iter()
                .map(|a| (a.field.text.clone(), self.expr(&a.value)))
                .collect(),
        })
    }

    pub(super) fn spath(&mut self, s: &SpathCommand) -> Stage {
        Stage::Spath(ir::Spath {
            input: s
                .input
                .as_ref()
                .map_or("_raw".to_string(), |w| w.text.clone()),
            output: s.output.as_ref().map(|w| w.text.clone()),
            path: s.path.as_ref().map(|w| w.text.clone()),
        })
    }
}

fn convert_func(name: &str) -> Option<ConvertFunc> {
    Some(match name {
        "auto" => ConvertFunc::Auto,
        "ctime" => ConvertFunc::Ctime,
        "dur2sec" => ConvertFunc::Dur2Sec,
        "memk" => ConvertFunc::Memk,
        "mktime" => ConvertFunc::Mktime,
        "mstime" => ConvertFunc::Mstime,
        "none" => ConvertFunc::None,
        "num" => ConvertFunc::Num,
        "rmcomma" => ConvertFunc::Rmcomma,
        "rmunit" => ConvertFunc::Rmunit,
        _ => return None,
    })
}
