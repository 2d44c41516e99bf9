//! JUnit XML for CI systems: one `<testsuite>` per rule, one `<testcase>` per case.

use super::{Outcome, Report};
use indexmap::IndexMap;

pub fn to_xml(reports: &[Report]) -> String {
    let mut suites: IndexMap<&str, Vec<&Report>> = IndexMap::new();
    for r in reports {
        suites.entry(r.suite.as_str()).or_default().push(r);
    }
    let count =
        |rs: &[&Report], f: fn(&Outcome) -> bool| rs.iter().filter(|r| f(&r.outcome)).count();
    let failed = |o: &Outcome| matches!(o, Outcome::Fail(_));
    let skipped = |o: &Outcome| matches!(o, Outcome::Skip(_));
    let all: Vec<&Report> = reports.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"spelunk\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        all.len(),
        count(&all, failed),
        count(&all, skipped)
    ));
    for (name, cases) in &suites {
        let time: f64 = cases.iter().map(|r| r.seconds).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{time:.3}\">\n",
            escape(name),
            cases.len(),
            count(cases, failed),
            count(cases, skipped)
        ));
        for r in cases {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(name),
                escape(&r.case),
                r.seconds
            ));
            match &r.outcome {
                Outcome::Pass => out.push_str("/>\n"),
                Outcome::Fail(m) => out.push_str(&format!(
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    escape(m.lines().next().unwrap_or("")),
                    escape(m)
                )),
                Outcome::Skip(m) => out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    escape(m)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn escape(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}
