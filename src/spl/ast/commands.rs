//! Syntax trees of the extraction, multivalue, reporting and grouping commands.

use super::{Aggregation, Assignment, EvalExpr, SearchExpr, StatsCommand, Word};
use serde::Serialize;

/// `rex [field=f] [max_match=n] "regex"` / `rex [field=f] mode=sed "s/a/b/g"`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RexCommand {
    pub field: Option<Word>,
    pub max_match: Option<u64>,
    pub sed: bool,
    pub pattern: Word,
}

/// `regex [field=|field!=] "regex"`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegexCommand {
    pub field: Option<Word>,
    pub negate: bool,
    pub pattern: Word,
}

/// `spath [input=f] [output=o] [path=p | p]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpathCommand {
    pub input: Option<Word>,
    pub output: Option<Word>,
    pub path: Option<Word>,
}

/// `streamstats [window=n] [current=b] [global=b] [reset_on_change=b] aggs [by fields]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamstatsCommand {
    pub window: Option<u64>,
    pub current: bool,
    pub global: bool,
    pub reset_on_change: bool,
    pub stats: StatsCommand,
}

/// `bin [span=s] [bins=n] [minspan=s] field [as new]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinCommand {
    pub field: Word,
    pub alias: Option<Word>,
    pub span: Option<Word>,
    pub bins: Option<u64>,
    pub minspan: Option<Word>,
}

/// `fillnull [value=v] [fields...]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FillnullCommand {
    pub value: Option<Word>,
    pub fields: Vec<Word>,
}

/// `convert [timeformat=f] func(field) [as new] ...`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvertCommand {
    pub timeformat: Option<Word>,
    pub conversions: Vec<ConvertCall>,
}

/// `ctime(field) as new` in convert
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvertCall {
    pub func: Word,
    pub field: Word,
    pub alias: Option<Word>,
}

/// `makemv [delim=s | tokenizer=re] [allowempty=b] [setsv=b] field`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MakemvCommand {
    pub delim: Option<Word>,
    pub tokenizer: Option<Word>,
    pub allowempty: bool,
    pub setsv: bool,
    pub field: Word,
}

/// `top [N] [options] fields [by fields]` / `rare ...`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopCommand {
    pub limit: Option<u64>,
    pub countfield: Option<Word>,
    pub percentfield: Option<Word>,
    pub showcount: bool,
    pub showperc: bool,
    pub useother: bool,
    pub otherstr: Option<Word>,
    pub fields: Vec<Word>,
    pub by: Vec<Word>,
}

/// `addtotals [row=b] [col=b] [fieldname=f] [labelfield=f] [label=s] [fields...]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddtotalsCommand {
    pub row: bool,
    pub col: bool,
    pub fieldname: Option<Word>,
    pub labelfield: Option<Word>,
    pub label: Option<Word>,
    pub fields: Vec<Word>,
}

/// `chart [options] aggs [over f] [by g]` / `timechart [span=s] [options] aggs [by g]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartCommand {
    pub span: Option<Word>,
    /// timechart `bins=n`: the most buckets an automatic span makes (default 100)
    pub bins: Option<u64>,
    /// timechart `minspan=`: the least width of an automatic span
    pub minspan: Option<Word>,
    /// timechart `cont=`: whether empty buckets between others are rows (default true)
    pub cont: bool,
    pub limit: Option<u64>,
    pub useother: bool,
    pub otherstr: Option<Word>,
    pub usenull: bool,
    pub nullstr: Option<Word>,
    pub aggs: Vec<Aggregation>,
    pub over: Option<Word>,
    pub by: Vec<Word>,
}

/// `transaction [fields] [maxspan=t] [maxpause=t] [maxevents=n] [startswith=..] [endswith=..]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransactionCommand {
    pub fields: Vec<Word>,
    pub maxspan: Option<Word>,
    pub maxpause: Option<Word>,
    pub maxevents: Option<u64>,
    pub startswith: Option<Boundary>,
    pub endswith: Option<Boundary>,
    pub keepevicted: bool,
}

/// How `startswith=` / `endswith=` of transaction is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Boundary {
    /// `startswith="login"` or `startswith=(action=start)`: a search expression
    Search(SearchExpr),
    /// `startswith=eval(x > 1)`
    Eval(EvalExpr),
}

/// `iplocation [prefix=p] [allfields=b] field`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IplocationCommand {
    pub prefix: Option<Word>,
    pub allfields: bool,
    pub field: Word,
}

/// `foreach fields [eval <<FIELD>>=...]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeachCommand {
    pub fields: Vec<Word>,
    pub body: Vec<Assignment>,
}
