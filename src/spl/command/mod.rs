//! One parser per SPL command; `parse` dispatches on the command name.

mod combine;
mod eval;
mod extract;
mod fields;
mod lookup;
mod multivalue;
mod options;
mod order;
mod report;
mod stats;
mod stream;
mod tstats;

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::spl::ast::CommandKind;
use crate::spl::lex::list_separator;
use crate::spl::lex::{describe, ws0, In, PError, PResult};
use crate::spl::search;

/// The commands spelunk runs today.
pub const SUPPORTED: &[&str] = &[
    "search",
    "where",
    "eval",
    "stats",
    "table",
    "fields",
    "rename",
    "sort",
    "head",
    "dedup",
    "tstats",
    "mstats",
    "from",
    "datamodel",
    "lookup",
    "inputlookup",
    "outputlookup",
    "join",
    "append",
    "appendpipe",
    "rex",
    "regex",
    "spath",
    "eventstats",
    "streamstats",
    "bin",
    "bucket",
    "timechart",
    "chart",
    "top",
    "rare",
    "fillnull",
    "convert",
    "mvexpand",
    "makemv",
    "mvcombine",
    "foreach",
    "iplocation",
    "makeresults",
    "addtotals",
    "fromjson",
    "xmlkv",
    "transaction",
    "tail",
    "reverse",
    "replace",
    "format",
    "return",
];

/// SPL commands that spelunk knows of but does not run yet.
const PLANNED: &[&str] = &[
    "apply",
    "map",
    "multikv",
    "extract",
    "outlier",
    "anomalydetection",
    "cyberchef",
    "uniq",
    "fieldformat",
    "eventcount",
    "union",
    "collect",
    "inputcsv",
    "outputcsv",
    "kvform",
    "rangemap",
    "strcat",
    "accum",
    "delta",
    "autoregress",
    "geostats",
    "sistats",
    "tscollect",
    "localize",
    "gentimes",
    "metadata",
    "rest",
];

/// Fails with a clear diagnostic for commands that are planned or unknown.
pub fn check_known(name: &str, span: Span) -> Result<(), Diagnostic> {
    if SUPPORTED.contains(&name) {
        return Ok(());
    }
    if PLANNED.contains(&name) {
        return Err(Diagnostic::error(
            codes::SPL_UNSUPPORTED,
            format!("not supported yet: the `{name}` command"),
        )
        .at(span)
        .help(format!(
            "spelunk runs these commands today: {}",
            SUPPORTED.join(", ")
        )));
    }
    let mut d = Diagnostic::error(
        codes::SPL_UNKNOWN_COMMAND,
        format!("unknown command `{name}`"),
    )
    .at(span);
    d = match closest(name, SUPPORTED.iter().chain(PLANNED)) {
        Some(near) => d.help(format!("did you mean `{near}`?")),
        None => d.help(format!(
            "spelunk runs these commands: {}",
            SUPPORTED.join(", ")
        )),
    };
    Err(d)
}

/// The candidate within edit distance 2 of `name`, if any.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut left = i + 1;
        let mut next = vec![left];
        for ((cb, diagonal), up) in b.iter().zip(&row).zip(row.iter().skip(1)) {
            left = (up + 1)
                .min(left + 1)
                .min(diagonal + usize::from(ca != *cb));
            next.push(left);
        }
        row = next;
    }
    row.last().copied().unwrap_or(b.len())
}

/// Parses the arguments of command `name`; all of `args` must be consumed.
pub fn parse(name: &str, args: In) -> Result<CommandKind, PError> {
    let parsed = match name {
        "search" => search::search(args).map(|(r, e)| (r, CommandKind::Search(e))),
        "where" => eval::where_command(args),
        "eval" => eval::eval_command(args),
        "stats" => stats::stats_command(args),
        "table" => fields::table_command(args),
        "fields" => fields::fields_command(args),
        "rename" => fields::rename_command(args),
        "sort" => order::sort_command(args),
        "head" => order::head_command(args),
        "dedup" => order::dedup_command(args),
        "tstats" | "mstats" => tstats::tstats_command(args),
        "from" => tstats::from_command(args),
        "datamodel" => tstats::datamodel_command(args),
        "lookup" => lookup::lookup_command(args),
        "join" => combine::join_command(args),
        "append" => combine::append_command(args),
        "appendpipe" => combine::appendpipe_command(args),
        "format" => combine::format_command(args),
        "return" => combine::return_command(args),
        "inputlookup" => lookup::inputlookup_command(args),
        "outputlookup" => lookup::outputlookup_command(args),
        "rex" => extract::rex_command(args),
        "regex" => extract::regex_command(args),
        "spath" => extract::spath_command(args),
        "fromjson" => extract::fromjson_command(args),
        "xmlkv" => extract::xmlkv_command(args),
        "iplocation" => extract::iplocation_command(args),
        "mvexpand" => multivalue::mvexpand_command(args),
        "makemv" => multivalue::makemv_command(args),
        "mvcombine" => multivalue::mvcombine_command(args),
        "fillnull" => multivalue::fillnull_command(args),
        "convert" => multivalue::convert_command(args),
        "top" => report::top_command(args, false),
        "rare" => report::top_command(args, true),
        "chart" => report::chart_command(args, false),
        "timechart" => report::chart_command(args, true),
        "addtotals" => report::addtotals_command(args),
        "bin" | "bucket" => report::bin_command(args),
        "eventstats" => stream::eventstats_command(args),
        "streamstats" => stream::streamstats_command(args),
        "transaction" => stream::transaction_command(args),
        "tail" => stream::tail_command(args),
        "reverse" => stream::reverse_command(args),
        "makeresults" => stream::makeresults_command(args),
        "foreach" => stream::foreach_command(args),
        "replace" => multivalue::replace_command(args),
        _ => return Err(PError::new(args, format!("unknown command `{name}`"))),
    };
    match parsed {
        Ok((rest, kind)) => {
            let (rest, _) = ws0(rest).map_err(unwrap_err)?;
            if rest.fragment().is_empty() {
                Ok(kind)
            } else {
                Err(PError::new(rest, format!("unexpected {}", describe(rest))))
            }
        }
        Err(e) => Err(unwrap_err(e)),
    }
}

fn unwrap_err(e: nom::Err<PError>) -> PError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(_) => PError {
            offset: 0,
            len: 0,
            message: "incomplete input".to_string(),
            help: None,
        },
    }
}

/// field_list = field { ws0 [","] ws0 field }: fields separated by commas and/or spaces.
pub fn field_list(i: In) -> PResult<Vec<crate::spl::ast::Word>> {
    use crate::spl::lex::field_name;
    let (mut rest, first) = field_name(i)?;
    let mut fields = vec![first];
    loop {
        let r = list_separator(rest)?.0;
        match field_name(r) {
            Ok((r2, f)) if !is_clause_keyword(&f) => {
                fields.push(f);
                rest = r2;
            }
            _ => return Ok((rest, fields)),
        }
    }
}

/// Words that end a field list: `by`, `as`, `over`, option names.
pub(crate) fn is_clause_keyword(w: &crate::spl::ast::Word) -> bool {
    !w.quoted
        && matches!(
            w.text.to_ascii_lowercase().as_str(),
            "by" | "as" | "over" | "output" | "outputnew" | "sortby"
        )
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("stats", "stats"), 0);
        assert_eq!(edit_distance("stat", "stats"), 1);
        assert_eq!(edit_distance("stast", "stats"), 2);
        assert_eq!(edit_distance("", "eval"), 4);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("sitting", "kitten"), 3);
    }
}
