//! The IR: one small pipeline representation shared by the SPL and Sigma front ends and every back end.

mod commands;
mod display;

pub use commands::*;

use serde::Serialize;

/// A pipeline of stages; events flow through them in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Stage {
    /// `search ...` or `where ...`: keep events for which the expression is true.
    Filter(Expr),
    /// `eval a=..., b=...`: assignments evaluated left to right.
    Eval(Vec<(String, Expr)>),
    /// `stats aggs by fields`.
    Stats(Stats),
    /// `sort [limit] keys`.
    Sort(Sort),
    /// `table a, b*`: keep exactly these fields, in this order.
    Table(Vec<String>),
    /// `fields a, b` / `fields - a, b`.
    Fields { remove: bool, fields: Vec<String> },
    /// `rename a as b`: each pair may use `*` wildcards.
    Rename(Vec<(String, String)>),
    /// `head n` or `head (expr)`.
    Head(Head),
    /// `dedup [n] fields`.
    Dedup(Dedup),
    /// `rex field=f "(?<name>...)"` / `rex mode=sed "s/a/b/"`.
    Rex(Rex),
    /// `regex field="re"` / `regex field!="re"`: keep events whose field matches (or not).
    Regex {
        field: String,
        pattern: String,
        negate: bool,
    },
    /// `spath input=f output=o path=p`.
    Spath(Spath),
    /// `eventstats aggs by fields`: each event gets its group's aggregates.
    EventStats(Stats),
    /// `streamstats window=n aggs by fields`: running aggregates.
    StreamStats(StreamStats),
    /// `bin span=1h _time` / `bucket bins=10 x as y`.
    Bin(Bin),
    /// `fillnull value=v fields`: empty list = every field seen in the results.
    Fillnull { value: String, fields: Vec<String> },
    /// `convert timeformat=f ctime(x) as y ...`.
    Convert(Convert),
    /// `mvexpand field limit=n`.
    MvExpand { field: String, limit: Option<u64> },
    /// `makemv delim="," field`.
    MakeMv(MakeMv),
    /// `mvcombine delim="," field`.
    MvCombine { field: String, delim: String },
    /// `top` / `rare`.
    Top(Top),
    /// `tail n`.
    Tail(u64),
    /// `reverse`.
    Reverse,
    /// `makeresults count=n`: generates n results with `_time` now.
    MakeResults { count: u64 },
    /// `addtotals`.
    AddTotals(AddTotals),
    /// `fromjson field prefix=p`.
    FromJson { field: String, prefix: String },
    /// `xmlkv [field]`: `<tag>value</tag>` pairs become fields.
    XmlKv { field: String },
    /// `chart ... over x by y` / `timechart span=1h ... by y`.
    Chart(Chart),
    /// `transaction fields maxspan=... startswith=... endswith=...`.
    Transaction(Transaction),
    /// `iplocation [prefix=p] [allfields=b] field`: offline, the location fields are null.
    IpLocation {
        field: String,
        prefix: String,
        allfields: bool,
    },
    /// `foreach fields [eval <<FIELD>>=...]`.
    Foreach(Foreach),
}

/// An expression over one event; search-language matching is `Match`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Expr {
    /// `"text"`, `42`, `null()`, `true()`
    Lit(Lit),
    /// `field`
    Field(String),
    /// `NOT x` (three-valued: NOT null is null)
    Not(Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `a + b`, `a = b`, `a AND b`, ...
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x IN (a, b)` in eval: exact, case-sensitive
    In(Box<Expr>, Vec<Expr>),
    /// `lower(x)`, `case(c, v, ...)`, ...
    Call(Func, Vec<Expr>),
    /// Search-language match of one field: case-insensitive, wildcards, missing field is false.
    Match { field: String, pattern: Pattern },
}

/// Literal values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    And,
    Or,
    Xor,
}

/// How `Match` compares a field's values (any value of a multivalue field may match).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Pattern {
    /// `field=*`: the field exists
    Exists,
    /// `field=value` / `field=val*ue`: a glob (`*` any run of characters), case-insensitive
    /// unless written `field=CASE(Value)`
    Glob { glob: String, case_sensitive: bool },
    /// `field=10.0.0.0/8`: the value is an IP in the subnet (or equals the text)
    Cidr(String),
    /// `field>5`, `field<=abc`: numeric when both sides are numbers, else lexicographic
    Compare(CmpOp, String),
    /// a free-text term against `_raw` (`case_sensitive` for `CASE(...)`)
    Term { text: String, case_sensitive: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// Eval functions. Each name is listed with its status in `grammar/spl.ebnf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Func {
    Abs,
    Case,
    Ceiling,
    CidrMatch,
    Coalesce,
    Exp,
    False,
    Floor,
    If,
    In,
    IsBool,
    IsInt,
    IsNotNull,
    IsNull,
    IsNum,
    IsStr,
    Len,
    Like,
    Ln,
    Log,
    Lower,
    Ltrim,
    Match,
    Max,
    Min,
    MvAppend,
    MvCount,
    MvIndex,
    MvJoin,
    Null,
    NullIf,
    Pi,
    Pow,
    Replace,
    Round,
    Rtrim,
    Split,
    Sqrt,
    Substr,
    ToNumber,
    ToString,
    Trim,
    True,
    TypeOf,
    Upper,
    Urldecode,
    Validate,
}

/// `stats` and its relatives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub aggs: Vec<Agg>,
    pub by: Vec<String>,
}

/// One aggregation: `func(arg) as name`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agg {
    pub func: AggFunc,
    /// The argument; `None` for a bare `count`.
    pub arg: Option<Expr>,
    /// The output column name (the call text unless `as`).
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AggFunc {
    Count,
    DistinctCount,
    Sum,
    Avg,
    Min,
    Max,
    Range,
    Earliest,
    Latest,
    Values,
    List,
    First,
    Last,
    /// `stdev(x)`: sample standard deviation
    Stdev,
    /// `stdevp(x)`: population standard deviation
    Stdevp,
    /// `var(x)`: sample variance
    Var,
    /// `varp(x)`: population variance
    Varp,
    /// `median(x)`
    Median,
    /// `mode(x)`: the most frequent value
    Mode,
    /// `perc95(x)`, `p95(x)`, `exactperc95(x)`, `upperperc95(x)`
    Perc(u8),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sort {
    pub keys: Vec<SortKey>,
    /// `None` = all rows (`sort 0`); Splunk's default is 10,000.
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
    pub collation: Collation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Collation {
    /// numbers numerically, other text lexicographically
    Auto,
    Num,
    Str,
    Ip,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Head {
    /// `head 10`
    Count(u64),
    /// `head (expr)`: results while the expression is true, at most `limit`
    While {
        expr: Expr,
        limit: Option<u64>,
        keeplast: bool,
        null_true: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dedup {
    pub fields: Vec<String>,
    pub count: u64,
    pub keepempty: bool,
    pub consecutive: bool,
    pub sortby: Vec<SortKey>,
}

impl Stage {
    /// Whether the stage's result depends on the order of its input events.
    pub fn depends_on_order(&self) -> bool {
        match self {
            Stage::Head(_)
            | Stage::Dedup(_)
            | Stage::StreamStats(_)
            | Stage::Transaction(_)
            | Stage::Tail(_)
            | Stage::Reverse
            | Stage::MvCombine { .. } => true,
            Stage::EventStats(s) => s
                .aggs
                .iter()
                .any(|a| matches!(a.func, AggFunc::First | AggFunc::Last | AggFunc::List)),
            Stage::Stats(s) => s
                .aggs
                .iter()
                .any(|a| matches!(a.func, AggFunc::First | AggFunc::Last | AggFunc::List)),
            Stage::Filter(_)
            | Stage::Eval(_)
            | Stage::Sort(_)
            | Stage::Table(_)
            | Stage::Fields { .. }
            | Stage::Rename(_)
            | Stage::Rex(_)
            | Stage::Regex { .. }
            | Stage::Spath(_)
            | Stage::Bin(_)
            | Stage::Fillnull { .. }
            | Stage::Convert(_)
            | Stage::MvExpand { .. }
            | Stage::MakeMv(_)
            | Stage::Top(_)
            | Stage::MakeResults { .. }
            | Stage::AddTotals(_)
            | Stage::FromJson { .. }
            | Stage::XmlKv { .. }
            | Stage::Chart(_)
            | Stage::IpLocation { .. }
            | Stage::Foreach(_) => false,
        }
    }

    /// Whether the stage replaces the event order with one of its own (so earlier order no longer matters).
    pub fn resets_order(&self) -> bool {
        match self {
            Stage::Stats(_)
            | Stage::Sort(_)
            | Stage::Top(_)
            | Stage::Chart(_)
            | Stage::Transaction(_)
            | Stage::MakeResults { .. } => true,
            Stage::Filter(_)
            | Stage::Eval(_)
            | Stage::Table(_)
            | Stage::Fields { .. }
            | Stage::Rename(_)
            | Stage::Head(_)
            | Stage::Dedup(_)
            | Stage::Rex(_)
            | Stage::Regex { .. }
            | Stage::Spath(_)
            | Stage::EventStats(_)
            | Stage::StreamStats(_)
            | Stage::Bin(_)
            | Stage::Fillnull { .. }
            | Stage::Convert(_)
            | Stage::MvExpand { .. }
            | Stage::MakeMv(_)
            | Stage::MvCombine { .. }
            | Stage::Tail(_)
            | Stage::Reverse
            | Stage::AddTotals(_)
            | Stage::FromJson { .. }
            | Stage::XmlKv { .. }
            | Stage::IpLocation { .. }
            | Stage::Foreach(_) => false,
        }
    }
}

/// Every eval function: SPL name, IR function, minimum and maximum argument count.
pub const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
    ("abs", Func::Abs, 1, 1),
    ("case", Func::Case, 2, usize::MAX),
    ("ceiling", Func::Ceiling, 1, 1),
    ("ceil", Func::Ceiling, 1, 1),
    ("cidrmatch", Func::CidrMatch, 2, 2),
    ("coalesce", Func::Coalesce, 1, usize::MAX),
    ("exp", Func::Exp, 1, 1),
    ("false", Func::False, 0, 0),
    ("floor", Func::Floor, 1, 1),
    ("if", Func::If, 3, 3),
    ("in", Func::In, 2, usize::MAX),
    ("isbool", Func::IsBool, 1, 1),
    ("isint", Func::IsInt, 1, 1),
    ("isnotnull", Func::IsNotNull, 1, 1),
    ("isnull", Func::IsNull, 1, 1),
    ("isnum", Func::IsNum, 1, 1),
    ("isstr", Func::IsStr, 1, 1),
    ("len", Func::Len, 1, 1),
    ("like", Func::Like, 2, 2),
    ("ln", Func::Ln, 1, 1),
    ("log", Func::Log, 1, 2),
    ("lower", Func::Lower, 1, 1),
    ("ltrim", Func::Ltrim, 1, 2),
    ("match", Func::Match, 2, 2),
    ("max", Func::Max, 1, usize::MAX),
    ("min", Func::Min, 1, usize::MAX),
    ("mvappend", Func::MvAppend, 1, usize::MAX),
    ("mvcount", Func::MvCount, 1, 1),
    ("mvindex", Func::MvIndex, 2, 3),
    ("mvjoin", Func::MvJoin, 2, 2),
    ("null", Func::Null, 0, 0),
    ("nullif", Func::NullIf, 2, 2),
    ("pi", Func::Pi, 0, 0),
    ("pow", Func::Pow, 2, 2),
    ("replace", Func::Replace, 3, 3),
    ("round", Func::Round, 1, 2),
    ("rtrim", Func::Rtrim, 1, 2),
    ("split", Func::Split, 2, 2),
    ("sqrt", Func::Sqrt, 1, 1),
    ("substr", Func::Substr, 2, 3),
    ("tonumber", Func::ToNumber, 1, 2),
    ("tostring", Func::ToString, 1, 2),
    ("trim", Func::Trim, 1, 2),
    ("true", Func::True, 0, 0),
    ("typeof", Func::TypeOf, 1, 1),
    ("upper", Func::Upper, 1, 1),
    ("urldecode", Func::Urldecode, 1, 1),
    ("validate", Func::Validate, 2, usize::MAX),
];

impl Func {
    /// The SPL name of the function.
    pub fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, f, _, _)| *f == self)
            .map_or("?", |(n, _, _, _)| n)
    }

    /// Looks a function up by its SPL name (case-insensitive, as Splunk is).
    pub fn from_name(name: &str) -> Option<(Func, usize, usize)> {
        let lower = name.to_ascii_lowercase();
        FUNCTIONS
            .iter()
            .find(|(n, _, _, _)| *n == lower)
            .map(|(_, f, lo, hi)| (*f, *lo, *hi))
    }

    /// Whether the function returns a boolean (which eval cannot store in a field).
    pub fn is_boolean(self) -> bool {
        matches!(
            self,
            Func::CidrMatch
                | Func::In
                | Func::IsBool
                | Func::IsInt
                | Func::IsNotNull
                | Func::IsNull
                | Func::IsNum
                | Func::IsStr
                | Func::Like
                | Func::Match
                | Func::True
                | Func::False
        )
    }
}

impl AggFunc {
    /// Looks up a stats function by name, with Splunk's aliases (`c`, `distinct_count`, `mean`).
    pub fn from_name(name: &str) -> Option<AggFunc> {
        Some(match name.to_ascii_lowercase().as_str() {
            "count" | "c" => AggFunc::Count,
            "dc" | "distinct_count" => AggFunc::DistinctCount,
            "sum" => AggFunc::Sum,
            "avg" | "mean" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "range" => AggFunc::Range,
            "earliest" => AggFunc::Earliest,
            "latest" => AggFunc::Latest,
            "values" => AggFunc::Values,
            "list" => AggFunc::List,
            "first" => AggFunc::First,
            "last" => AggFunc::Last,
            "estdc" => AggFunc::DistinctCount,
            "stdev" => AggFunc::Stdev,
            "stdevp" => AggFunc::Stdevp,
            "var" => AggFunc::Var,
            "varp" => AggFunc::Varp,
            "median" => AggFunc::Median,
            "mode" => AggFunc::Mode,
            other => return percentile(other).map(AggFunc::Perc),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::DistinctCount => "dc",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Range => "range",
            AggFunc::Earliest => "earliest",
            AggFunc::Latest => "latest",
            AggFunc::Values => "values",
            AggFunc::List => "list",
            AggFunc::First => "first",
            AggFunc::Last => "last",
            AggFunc::Stdev => "stdev",
            AggFunc::Stdevp => "stdevp",
            AggFunc::Var => "var",
            AggFunc::Varp => "varp",
            AggFunc::Median => "median",
            AggFunc::Mode => "mode",
            AggFunc::Perc(_) => "perc",
        }
    }
}

/// `perc95`, `p95`, `exactperc95`, `upperperc95` → 95.
fn percentile(name: &str) -> Option<u8> {
    let digits = ["exactperc", "upperperc", "perc", "p"]
        .iter()
        .find_map(|p| name.strip_prefix(p))?;
    digits.parse().ok().filter(|n| *n <= 100)
}
