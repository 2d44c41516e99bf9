//! IR payloads of the field-extraction, multivalue, reporting and grouping stages.

use super::{Expr, Stats};
use serde::Serialize;

/// `rex [field=f] "regex" [max_match=n]` or `rex [field=f] mode=sed "s/a/b/g"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rex {
    pub field: String,
    pub kind: RexKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RexKind {
    /// named groups become fields; `max_match` 0 = unlimited (then values are multivalue)
    Extract { pattern: String, max_match: u64 },
    /// `s/regex/replacement/flags`: `g` for all, a number for the nth match, `i` ignore case
    Replace {
        pattern: String,
        replacement: String,
        global: bool,
        nth: u64,
    },
    /// `y/abc/xyz/`: character transliteration
    Translate { from: Vec<char>, to: Vec<char> },
}

/// `spath [input=f] [output=o] [path=p]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spath {
    pub input: String,
    pub output: Option<String>,
    pub path: Option<String>,
}

/// `streamstats [window=n] [current=b] [global=b] [reset_on_change=b] aggs [by fields]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamStats {
    pub stats: Stats,
    /// 0 = no window (all earlier events)
    pub window: u64,
    pub current: bool,
    pub global: bool,
    pub reset_on_change: bool,
}

/// `bin [span=s | bins=n] field [as new]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub field: String,
    pub output: String,
    pub span: BinSpan,
}

/// The width of a bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum BinSpan {
    /// `span=10`, `span=5m` (in seconds)
    Fixed(f64),
    /// `span=2mon`: calendar months
    Months(u32),
    /// `span=log` / `span=2log10`: a coefficient and a base
    Log { coefficient: f64, base: f64 },
    /// `bins=n` (or no option: 100): a "nice" width chosen from the data; `minspan=` (in
    /// seconds, 0 when not given) sets a least width for time
    Auto { bins: u64, minspan: f64 },
}

/// `convert [timeformat=f] func(field) [as new] ...`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Convert {
    pub timeformat: String,
    pub conversions: Vec<Conversion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    pub func: ConvertFunc,
    /// a field name, possibly with `*`
    pub field: String,
    pub output: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConvertFunc {
    /// `auto(f)`: to a number when every value reads as one
    Auto,
    /// `ctime(f)`: epoch seconds to text in `timeformat`
    Ctime,
    /// `dur2sec(f)`: `[D+]HH:MM:SS` to seconds
    Dur2Sec,
    /// `memk(f)`: `12k`, `3m`, `1g` to kilobytes
    Memk,
    /// `mktime(f)`: text in `timeformat` to epoch seconds
    Mktime,
    /// `mstime(f)`: `[MM:]SS.SSS` to seconds
    Mstime,
    /// `none(f)`: leave these fields alone
    None,
    /// `num(f)`: to a number, or remove the value
    Num,
    /// `rmcomma(f)`: drop commas
    Rmcomma,
    /// `rmunit(f)`: the leading number, trailing text dropped
    Rmunit,
}

/// `makemv [delim=s | tokenizer=re] [allowempty=b] [setsv=b] field`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MakeMv {
    pub field: String,
    pub split: MvSplit,
    pub allowempty: bool,
    pub setsv: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum MvSplit {
    /// `delim=","` (default a single space)
    Delim(String),
    /// `tokenizer="(\w+)"`: each match (its first group) is a value
    Tokenizer(String),
}

/// `top` / `rare`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Top {
    /// `rare`: least common first
    pub rare: bool,
    pub fields: Vec<String>,
    pub by: Vec<String>,
    /// 0 = all
    pub limit: u64,
    pub countfield: String,
    pub percentfield: String,
    pub showcount: bool,
    pub showperc: bool,
    pub useother: bool,
    pub otherstr: String,
}

/// `addtotals [row=b] [col=b] [fieldname=f] [labelfield=f] [label=s] [fields...]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddTotals {
    pub row: bool,
    pub col: bool,
    pub fieldname: String,
    pub labelfield: Option<String>,
    pub label: String,
    /// fields to sum (with `*`); empty = every numeric field
    pub fields: Vec<String>,
}

/// `chart aggs [over f] [by g]` and `timechart [span=s] aggs [by g]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub aggs: Vec<super::Agg>,
    /// the row field (`over x`, or `_time` in timechart)
    pub over: Option<String>,
    /// the column-splitting field
    pub by: Option<String>,
    /// timechart: the `_time` bucket width
    pub span: Option<BinSpan>,
    /// `limit=n`: at most n series, the rest in `OTHER` (0 = all)
    pub limit: u64,
    pub useother: bool,
    pub otherstr: String,
    pub usenull: bool,
    pub nullstr: String,
    /// timechart `cont=` (default true): empty time buckets between those with events are rows
    pub cont: bool,
}

/// `transaction [fields] [maxspan=t] [maxpause=t] [maxevents=n] [startswith=...] [endswith=...]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    pub fields: Vec<String>,
    /// seconds; `None` = unlimited
    pub maxspan: Option<f64>,
    pub maxpause: Option<f64>,
    pub maxevents: Option<u64>,
    pub startswith: Option<Expr>,
    pub endswith: Option<Expr>,
    pub keepevicted: bool,
}

/// `foreach fields [eval <<FIELD>>=...]`: the body with `<<FIELD>>` and `<<MATCHSTR>>` written (same length, so spans hold)
/// as the placeholders below, substituted per matching field at run time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Foreach {
    pub fields: Vec<String>,
    pub body: Vec<(String, Expr)>,
}

/// Stands for `<<FIELD>>` in a `foreach` body.
pub const FOREACH_FIELD: &str = "__FIELD__";
/// Stands for `<<MATCHSTR>>` in a `foreach` body.
pub const FOREACH_MATCHSTR: &str = "__MATCHSTR__";
