//! `top`, `rare`, `chart`, `timechart`, `addtotals`, `bin`: reporting commands.

use crate::spl::ast::{AddtotalsCommand, BinCommand, ChartCommand, CommandKind, TopCommand, Word};
use crate::spl::command::options::{
    bool_arg, field_arg, int_arg, option_arg, option_name, unknown_option,
};
use crate::spl::command::stats::aggregation_list;
use crate::spl::command::{field_list, is_clause_keyword};
use crate::spl::lex::{describe, fail, integer, keyword_ci, list_separator, ws0, ws1, In, PResult};
use nom::Parser;

/// top_command = ws0 [ integer ws1 ] { top_option } field_list [ "by" ws0 field_list ]
/// top_option = ( "limit=" | "countfield=" | "percentfield=" | "showcount=" | "showperc=" | "useother=" | "otherstr=" ) option_arg
pub fn top_command(i: In, rare: bool) -> PResult<CommandKind> {
    let command = if rare { "rare" } else { "top" };
    let (mut i, _) = ws0(i)?;
    let mut top = TopCommand {
        limit: None,
        countfield: None,
        percentfield: None,
        showcount: true,
        showperc: true,
        useother: false,
        otherstr: None,
        fields: Vec::new(),
        by: Vec::new(),
    };
    if let Ok((rest, n)) = integer(i) {
        if let Ok((rest, _)) = ws1(rest) {
            top.limit = Some(n);
            i = rest;
        }
    }
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            i = ws0(top_option(rest, &name, &mut top, command)?.0)?.0;
        } else if let Ok((rest, _)) = (keyword_ci("by"), ws0).parse(i) {
            let (rest, by) = field_list(rest).or_else(|_| {
                fail(
                    rest,
                    format!("`by` expects a field name, found {}", describe(rest)),
                )
            })?;
            top.by = by;
            i = ws0(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, &format!("`{command}`"))?;
            top.fields.push(f);
            i = list_separator(rest)?.0;
        }
    }
    if top.fields.is_empty() {
        return fail(i, format!("`{command}` expects at least one field"));
    }
    Ok((i, CommandKind::Top { rare, top }))
}

fn top_option<'a>(
    i: In<'a>,
    name: &Word,
    top: &mut TopCommand,
    command: &str,
) -> PResult<'a, In<'a>> {
    let (rest, _) =
        match name.text.as_str() {
            "limit" => int_arg(i, name).map(|(r, n)| {
                top.limit = Some(n);
                (r, ())
            })?,
            "countfield" => option_arg(i).map(|(r, w)| {
                top.countfield = Some(w);
                (r, ())
            })?,
            "percentfield" => option_arg(i).map(|(r, w)| {
                top.percentfield = Some(w);
                (r, ())
            })?,
            "otherstr" => option_arg(i).map(|(r, w)| {
                top.otherstr = Some(w);
                (r, ())
            })?,
            "showcount" => bool_arg(i, name).map(|(r, b)| {
                top.showcount = b;
                (r, ())
            })?,
            "showperc" => bool_arg(i, name).map(|(r, b)| {
                top.showperc = b;
                (r, ())
            })?,
            "useother" => bool_arg(i, name).map(|(r, b)| {
                top.useother = b;
                (r, ())
            })?,
            _ => return unknown_option(
                i,
                command,
                name,
                "limit=, countfield=, percentfield=, showcount=, showperc=, useother=, otherstr=",
            ),
        };
    Ok((rest, rest))
}

/// chart_command = ws0 { chart_option } aggregation_list [ "over" ws1 field_name ] [ "by" ws0 field_list ] { chart_option }
/// chart_option = ( "span=" | "bins=" | "minspan=" | "cont=" | "partial=" | "fixedrange=" (timechart) | "limit=" | "useother=" | "otherstr=" | "usenull=" | "nullstr=" ) option_arg
pub fn chart_command(i: In, timechart: bool) -> PResult<CommandKind> {
    let command = if timechart { "timechart" } else { "chart" };
    let mut chart = ChartCommand {
        span: None,
        bins: None,
        minspan: None,
        cont: true,
        limit: None,
        useother: true,
        otherstr: None,
        usenull: true,
        nullstr: None,
        aggs: Vec::new(),
        over: None,
        by: Vec::new(),
    };
    let (mut i, _) = ws0(i)?;
    while let Ok((rest, name)) = option_name(i) {
        i = ws0(chart_option(rest, &name, &mut chart, command)?.0)?.0;
    }
    let (mut i, aggs) = aggregation_list(i, command)?;
    chart.aggs = aggs;
    if let Ok((rest, _)) = (keyword_ci("over"), ws1).parse(i) {
        if timechart {
            return fail(i, "`timechart` has no `over`: rows are always `_time`");
        }
        let (rest, over) = field_arg(rest, "`over`")?;
        chart.over = Some(over);
        i = ws0(rest)?.0;
    }
    if let Ok((rest, _)) = (keyword_ci("by"), ws0).parse(i) {
        let (mut rest, first) = field_arg(rest, "`by`")?;
        let mut by = vec![first];
        loop {
            let r = list_separator(rest)?.0;
            if option_name(r).is_ok() {
                break;
            }
            match crate::spl::lex::field_name(r) {
                Ok((r2, f)) if !is_clause_keyword(&f) => {
                    by.push(f);
                    rest = r2;
                }
                _ => break,
            }
        }
        chart.by = by;
        i = ws0(rest)?.0;
    }
    while let Ok((rest, name)) = option_name(i) {
        i = ws0(chart_option(rest, &name, &mut chart, command)?.0)?.0;
    }
    Ok((i, CommandKind::Chart { timechart, chart }))
}

fn chart_option<'a>(
    i: In<'a>,
    name: &Word,
    chart: &mut ChartCommand,
    command: &str,
) -> PResult<'a, In<'a>> {
    let rest = match name.text.as_str() {
        "span" if command == "timechart" => {
            let (r, w) = option_arg(i)?;
            chart.span = Some(w);
            r
        }
        "bins" if command == "timechart" => {
            let (r, n) = int_arg(i, name)?;
            chart.bins = Some(n);
            r
        }
        "minspan" if command == "timechart" => {
            let (r, w) = option_arg(i)?;
            chart.minspan = Some(w);
            r
        }
        "cont" if command == "timechart" => {
            let (r, b) = bool_arg(i, name)?;
            chart.cont = b;
            r
        }
        // Both are about the search's time range (buckets cut by its edges, the chart spanning
        // all of it): offline the range is the events' own, and neither changes a row.
        "partial" | "fixedrange" if command == "timechart" => bool_arg(i, name)?.0,
        // chart's `cont=` is about buckets of a binned `over` field, which chart does not make.
        "cont" => bool_arg(i, name)?.0,
        "bins" | "minspan" | "span" => {
            return fail(
                i,
                format!(
                    "not supported yet: `chart {}=` (binning the `over` field); bin it first, \
                     as in `bin bins=10 bytes | chart count over bytes`",
                    name.text
                ),
            )
        }
        "limit" => {
            let (r, w) = option_arg(i)?;
            let digits = w
                .text
                .trim_start_matches("top")
                .trim_start_matches("bottom");
            chart.limit = Some(
                digits
                    .parse()
                    .map_err(|_| crate::spl::lex::failure(i, "`limit=` expects a whole number"))?,
            );
            r
        }
        "useother" => {
            let (r, b) = bool_arg(i, name)?;
            chart.useother = b;
            r
        }
        "usenull" => {
            let (r, b) = bool_arg(i, name)?;
            chart.usenull = b;
            r
        }
        "otherstr" => {
            let (r, w) = option_arg(i)?;
            chart.otherstr = Some(w);
            r
        }
        "nullstr" => {
            let (r, w) = option_arg(i)?;
            chart.nullstr = Some(w);
            r
        }
        _ => {
            let known = if command == "timechart" {
                "span=, bins=, minspan=, limit=, useother=, otherstr=, usenull=, nullstr=, cont=, \
                 partial=, fixedrange="
            } else {
                "limit=, useother=, otherstr=, usenull=, nullstr=, cont="
            };
            return unknown_option(i, command, name, known);
        }
    };
    Ok((rest, rest))
}

/// addtotals_command = ws0 { ( "row=" | "col=" | "fieldname=" | "labelfield=" | "label=" ) option_arg | field_name }
pub fn addtotals_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut a = AddtotalsCommand {
        row: true,
        col: false,
        fieldname: None,
        labelfield: None,
        label: None,
        fields: Vec::new(),
    };
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            let rest = match name.text.as_str() {
                "row" => bool_arg(rest, &name).map(|(r, b)| {
                    a.row = b;
                    r
                })?,
                "col" => bool_arg(rest, &name).map(|(r, b)| {
                    a.col = b;
                    r
                })?,
                "fieldname" => option_arg(rest).map(|(r, w)| {
                    a.fieldname = Some(w);
                    r
                })?,
                "labelfield" => option_arg(rest).map(|(r, w)| {
                    a.labelfield = Some(w);
                    r
                })?,
                "label" => option_arg(rest).map(|(r, w)| {
                    a.label = Some(w);
                    r
                })?,
                _ => {
                    return unknown_option(
                        i,
                        "addtotals",
                        &name,
                        "row=, col=, fieldname=, labelfield=, label=",
                    )
                }
            };
            i = list_separator(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`addtotals`")?;
            a.fields.push(f);
            i = list_separator(rest)?.0;
        }
    }
    Ok((i, CommandKind::Addtotals(a)))
}

/// bin_command = ws0 { ( "span=" | "bins=" | "minspan=" ) option_arg } field_name [ ws1 "as" ws1 field_name ] { bin option }
pub fn bin_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut span, mut bins, mut minspan, mut field, mut alias) = (None, None, None, None, None);
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            let rest = match name.text.as_str() {
                "span" => option_arg(rest).map(|(r, w)| {
                    span = Some(w);
                    r
                })?,
                "bins" => int_arg(rest, &name).map(|(r, n)| {
                    bins = Some(n);
                    r
                })?,
                "minspan" => option_arg(rest).map(|(r, w)| {
                    minspan = Some(w);
                    r
                })?,
                "start" | "end" | "aligntime" => {
                    return fail(
                        i,
                        format!("not supported yet: the bin option `{}=`", name.text),
                    )
                }
                _ => return unknown_option(i, "bin", &name, "span=, bins=, minspan="),
            };
            i = ws0(rest)?.0;
        } else if field.is_some() && keyword_ci("as").parse(i).is_ok() {
            let (rest, _) = (keyword_ci("as"), ws1).parse(i)?;
            let (rest, a) = field_arg(rest, "`as`")?;
            alias = Some(a);
            i = ws0(rest)?.0;
        } else if field.is_none() {
            let (rest, f) = field_arg(i, "`bin`")?;
            field = Some(f);
            i = ws0(rest)?.0;
        } else {
            return fail(i, format!("unexpected {}", describe(i)));
        }
    }
    let Some(field) = field else {
        return fail(i, "`bin` expects a field, as in `bin span=1h _time`");
    };
    Ok((
        i,
        CommandKind::Bin(BinCommand {
            field,
            alias,
            span,
            bins,
            minspan,
        }),
    ))
}
