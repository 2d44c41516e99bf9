//! The reporting stages with options (`chart`, `timechart`, `transaction`) and Sigma correlations
//! as `bin _time` / `stats ... by _time, group` / `where`, the form pySigma's Splunk backend writes.

use super::expr::{field_arg, is_search, number, quote};
use super::stage::span;
use super::Printer;
use crate::ir::{Chart, Correlate, CorrelationKind, NumOp, Stats, Transaction};

impl Printer {
    pub(super) fn chart(&mut self, c: &Chart) -> String {
        let aggs = self.stats(&Stats {
            aggs: c.aggs.clone(),
            by: Vec::new(),
        });
        let options = format!(
            "limit={} useother={} otherstr={} usenull={} nullstr={}{}",
            c.limit,
            c.useother,
            quote(&c.otherstr),
            c.usenull,
            quote(&c.nullstr),
            if c.cont { "" } else { " cont=false" }
        );
        let by =
            c.by.as_ref()
                .map_or(String::new(), |b| format!(" by {}", field_arg(b)));
        match &c.span {
            Some(s) => format!("timechart {} {options} {aggs}{by}", span(s)),
            None => {
                let over = c
                    .over
                    .as_ref()
                    .map_or(String::new(), |o| format!(" over {}", field_arg(o)));
                format!("chart {options} {aggs}{over}{by}")
            }
        }
    }

    pub(super) fn transaction(&mut self, t: &Transaction) -> String {
        let mut parts = vec!["transaction".to_string()];
        parts.extend(t.fields.iter().map(|f| field_arg(f)));
        if let Some(s) = t.maxspan {
            parts.push(format!("maxspan={}s", number(s)));
        }
        if let Some(s) = t.maxpause {
            parts.push(format!("maxpause={}s", number(s)));
        }
        if let Some(n) = t.maxevents {
            parts.push(format!("maxevents={n}"));
        }
        parts.push(format!("keepevicted={}", t.keepevicted));
        for (name, boundary) in [("startswith", &t.startswith), ("endswith", &t.endswith)] {
            match boundary {
                Some(e) if is_search(e) => parts.push(format!("{name}=({})", self.search(e))),
                Some(e) => parts.push(format!("{name}=eval({})", self.eval(e))),
                None => {}
            }
        }
        parts.join(" ")
    }

    /// `bin _time span=<timespan>s | stats <aggregate> as <column>, min(_time) as first_seen,
    /// max(_time) as last_seen by _time, <group-by> | where <condition>`. Windows are fixed
    /// buckets here, where spelunk's Sigma engine slides them from each event.
    pub(super) fn correlate(&mut self, c: &Correlate) -> String {
        let column = c.kind.column();
        let aggregate = match &c.kind {
            CorrelationKind::EventCount => "count".to_string(),
            CorrelationKind::ValueCount(f) => format!("dc({})", field_arg(f)),
            CorrelationKind::Temporal(_) => format!("dc({})", field_arg(&c.rules_field)),
            CorrelationKind::TemporalOrdered(_) => {
                self.notes.push(super::super::dropped(
                    "SPL",
                    "the order of `temporal_ordered` (counted as `temporal`)",
                ));
                format!("dc({})", field_arg(&c.rules_field))
            }
            CorrelationKind::ValueSum(f) => format!("sum({})", field_arg(f)),
            CorrelationKind::ValueAvg(f) => format!("avg({})", field_arg(f)),
            CorrelationKind::ValuePercentile { field, percentile } => {
                format!("perc{}({})", percentile.round(), field_arg(field))
            }
        };
        let by: Vec<String> = std::iter::once("_time".to_string())
            .chain(c.group_by.iter().map(|g| field_arg(g)))
            .collect();
        let condition: Vec<String> = c
            .condition
            .iter()
            .map(|(op, v)| format!("({column} {} {})", numop(*op), number(*v)))
            .collect();
        format!(
            "bin span={} _time\n| stats {aggregate} as {column}, min(_time) as first_seen, max(_time) as last_seen by {}\n| where {}",
            number(c.timespan),
            by.join(", "),
            condition.join(" AND ")
        )
    }
}

fn numop(op: NumOp) -> &'static str {
    match op {
        NumOp::Eq => "==",
        NumOp::Lt => "<",
        NumOp::Le => "<=",
        NumOp::Gt => ">",
        NumOp::Ge => ">=",
        NumOp::Ne => "!=",
    }
}
