//! The SPL syntax tree: faithful to the text as written, with spans for diagnostics.

use crate::diagnostic::Span;
use serde::Serialize;

mod commands;
pub use commands::*;

/// A whole search: `search ... | cmd ... | cmd ...`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub commands: Vec<Command>,
}

/// One command of the pipeline, with the span of its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    pub name: String,
    #[serde(skip)]
    pub span: Span,
    pub kind: CommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CommandKind {
    /// `search index=main error` (also the implicit first command)
    Search(SearchExpr),
    /// `where count > 2`
    Where(EvalExpr),
    /// `eval a=1, b=a+1`
    Eval(Vec<Assignment>),
    /// `stats count, dc(x) as n by host`
    Stats(StatsCommand),
    /// `table a, b, c*`
    Table(Vec<Word>),
    /// `fields - a, b` / `fields + a`
    Fields { remove: bool, fields: Vec<Word> },
    /// `rename a as b, c* as d*`
    Rename(Vec<(Word, Word)>),
    /// `sort 100 -count, +str(host)`
    Sort(SortCommand),
    /// `head 5` / `head (x<3)`
    Head(HeadCommand),
    /// `dedup 2 host, user keepempty=true`
    Dedup(DedupCommand),
    /// `rex field=f "(?<name>\\w+)"`
    Rex(RexCommand),
    /// `regex field!="^a"`
    Regex(RegexCommand),
    /// `spath input=json path=a.b output=x`
    Spath(SpathCommand),
    /// `eventstats count by host`
    Eventstats(StatsCommand),
    /// `streamstats window=3 avg(bytes) by host`
    Streamstats(StreamstatsCommand),
    /// `bin span=1h _time` (also `bucket`)
    Bin(BinCommand),
    /// `fillnull value=0 a b`
    Fillnull(FillnullCommand),
    /// `convert timeformat="%Y" ctime(_time) as year`
    Convert(ConvertCommand),
    /// `mvexpand field limit=5`
    Mvexpand { field: Word, limit: Option<u64> },
    /// `makemv delim="," field`
    Makemv(MakemvCommand),
    /// `mvcombine delim="," field`
    Mvcombine { delim: Option<Word>, field: Word },
    /// `top 5 user by host` / `rare user`
    Top { rare: bool, top: TopCommand },
    /// `tail 5`
    Tail(Option<u64>),
    /// `reverse`
    Reverse,
    /// `makeresults count=3`
    Makeresults { count: Option<u64> },
    /// `addtotals col=t fieldname=sum a b`
    Addtotals(AddtotalsCommand),
    /// `fromjson field prefix=p_`
    Fromjson { field: Word, prefix: Option<Word> },
    /// `xmlkv [field]`
    Xmlkv { field: Option<Word> },
    /// `chart count over a by b` / `timechart span=1h count by host`
    Chart {
        timechart: bool,
        chart: ChartCommand,
    },
    /// `transaction host maxspan=5m startswith="login"`
    Transaction(TransactionCommand),
    /// `iplocation src_ip`
    Iplocation(IplocationCommand),
    /// `foreach a b [eval <<FIELD>>=<<FIELD>>*2]`
    Foreach(ForeachCommand),
    /// `replace "::ffff:*" with * in src`
    Replace {
        pairs: Vec<(Word, Word)>,
        fields: Vec<Word>,
    },
    /// `| tstats count from datamodel=Endpoint.Processes where Processes.user=x by Processes.dest`
    Tstats(TstatsCommand),
    /// `| from datamodel=Endpoint.Processes`, `| datamodel Endpoint Processes search`
    FromDatamodel(Word),
    /// `lookup users uid AS user OUTPUT name, dept AS department`
    Lookup(LookupCommand),
    /// `| inputlookup [append=t] table [where search]`
    InputLookup {
        table: Word,
        append: bool,
        filter: Option<SearchExpr>,
    },
    /// `| outputlookup [append=t] table`
    OutputLookup { table: Word, append: bool },
    /// `join [type=inner|left|outer] [max=N] [overwrite=b] field, ... [ subsearch ]`
    Join {
        options: Vec<(Word, Word)>,
        fields: Vec<Word>,
        subsearch: Query,
    },
    /// `append [ subsearch ]`
    Append(Query),
    /// `appendpipe [ subpipeline ]`: the subpipeline runs over the current results
    AppendPipe(Query),
    /// `format [maxresults=n]`: the results as one `search` string
    Format { maxresults: Option<u64> },
    /// `return [count] [alias=]field ... | $field`: the first rows as one `search` string
    Return { count: u64, items: Vec<ReturnItem> },
}

/// One `return` item: `field`, `alias=field` or `$field` (the bare value).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnItem {
    pub alias: Word,
    pub field: Word,
    pub raw: bool,
}

/// `lookup table (field [AS event_field])... [OUTPUT|OUTPUTNEW (field [AS event_field])...]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupCommand {
    pub table: Word,
    pub inputs: Vec<(Word, Option<Word>)>,
    pub outputs: Vec<(Word, Option<Word>)>,
    pub output_new: bool,
}

/// `tstats [option=value]... aggregation... [from datamodel=X] [where search] [by fields [span=t]]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TstatsCommand {
    pub options: Vec<(Word, Word)>,
    pub aggs: Vec<Aggregation>,
    pub datamodel: Option<Word>,
    pub filter: Option<SearchExpr>,
    pub by: Vec<Word>,
    pub span: Option<Word>,
}

/// A token as written: a bare word or a quoted string (quotes removed, escapes resolved).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    pub text: String,
    pub quoted: bool,
    #[serde(skip)]
    pub span: Span,
}

/// The search language: `OR` binds tighter than `AND`, `NOT` tightest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SearchExpr {
    /// `a b` or `a AND b`
    And(Vec<SearchExpr>),
    /// `a OR b`
    Or(Vec<SearchExpr>),
    /// `NOT a`
    Not(Box<SearchExpr>),
    /// `field=value`, `field!=value`, `field<value`, `field=CASE(Value)`, ...
    Compare {
        field: Word,
        op: SearchOp,
        value: Word,
        directive: TermDirective,
    },
    /// `field IN (a, "b", c*)`
    In { field: Word, values: Vec<Word> },
    /// `error`, `"two words"`, `TERM(a.b)`, `CASE(Error)`: matched against `_raw`
    Term {
        word: Word,
        directive: TermDirective,
    },
    /// empty search text, or `*`: every event
    All,
    /// `[ search ... ]`: the inner search's results, as `(f=v AND g=w) OR ...`
    Subsearch(Box<Query>),
}

/// The comparison operators of the search language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SearchOp {
    /// `=` (also `::`)
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// How a bare term is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TermDirective {
    /// a plain term: case-insensitive
    Plain,
    /// `TERM(x)`: the exact token, case-insensitive
    Term,
    /// `CASE(x)`: case-sensitive
    Case,
}

/// The eval/where expression language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalExpr {
    pub kind: EvalKind,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EvalKind {
    /// `"text"`
    Str(String),
    /// `42`, `1.5`
    Num(f64),
    /// `field`, `'quoted field'`
    Field(String),
    /// `-x`, `NOT x`
    Unary(UnaryOp, Box<EvalExpr>),
    /// `a + b`, `a . b`, `a = b`, `a AND b`, `a LIKE "x%"`, ...
    Binary(BinaryOp, Box<EvalExpr>, Box<EvalExpr>),
    /// `x IN (1, 2, 3)`
    In(Box<EvalExpr>, Vec<EvalExpr>),
    /// `name(arg, ...)`
    Call(String, Vec<EvalExpr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `NOT x`
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `.`
    Concat,
    /// `=` or `==`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `LIKE`
    Like,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `XOR`
    Xor,
}

/// `field = expression` in eval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub field: Word,
    pub value: EvalExpr,
}

/// `stats <agg>... [by <field>...]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsCommand {
    pub aggs: Vec<Aggregation>,
    pub by: Vec<Word>,
}

/// `dc(dest_ip) as n`: a function, its argument, and the output name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregation {
    pub func: Word,
    pub arg: Option<AggArg>,
    pub alias: Option<Word>,
    /// The call as Splunk names the column without `as`: `count`, `dc(dest_ip)`.
    pub call_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AggArg {
    /// `sum(bytes)`
    Field(Word),
    /// `count(eval(x > 1))`
    Eval(EvalExpr),
}

/// `sort [count] [-|+]field, ... [desc]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortCommand {
    pub limit: Option<u64>,
    pub keys: Vec<SortKey>,
    pub reverse: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub field: Word,
    pub descending: bool,
    pub collation: Collation,
}

/// `auto(f)`, `num(f)`, `str(f)`, `ip(f)` in sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Collation {
    Auto,
    Num,
    Str,
    Ip,
}

/// `head 10`, `head limit=10`, `head (x < 5) keeplast=true null=false`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadCommand {
    pub limit: Option<u64>,
    pub while_expr: Option<EvalExpr>,
    pub keeplast: bool,
    pub null_true: bool,
}

/// `dedup [N] field... [keepevents=b] [keepempty=b] [consecutive=b] [sortby ...]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DedupCommand {
    pub count: u64,
    pub fields: Vec<Word>,
    pub keepempty: bool,
    pub consecutive: bool,
    pub sortby: Vec<SortKey>,
}
