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
    /// `replace "a*" with "b*" in f`: whole values matching a glob, `*` carried over; no fields = all.
    Replace {
        pairs: Vec<(String, String)>,
        fields: Vec<String>,
    },
    /// A Sigma correlation (`type: event_count`, `group-by`, `timespan`, `condition`) over events
    /// tagged with the rules they matched: one row per group and window that meets the condition.
    Correlate(Correlate),
    /// `lookup table field AS event_field OUTPUT ...`: enrich from a CSV lookup.
    Lookup(Lookup),
    /// `| inputlookup table`: the table's rows (after the input, with `append=t`).
    InputLookup {
        table: String,
        append: bool,
        filter: Option<Expr>,
    },
    /// `| outputlookup table`: write the results to a CSV lookup and pass them on.
    OutputLookup { table: String, append: bool },
    /// `join type=left f1, f2 [subsearch]`.
    Join(Join),
    /// `append [subsearch]`: the subsearch's rows after the results.
    Append(Source),
    /// `appendpipe [subpipeline]`: the subpipeline over the results, appended to them.
    AppendPipe(Box<Pipeline>),
    /// `format` / `return`: the results as one row whose `search` field is search text.
    Format(Format),
}

/// `format` (every field of every row) or `return [count] [alias=]field | $field ...`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Format {
    /// `None`: every field (`format`); else (output name, field, raw value) per `return` item.
    pub items: Option<Vec<(String, String, bool)>>,
    /// Rows used: `return` defaults to 1, `format` to all (`maxresults=`).
    pub count: Option<u64>,
}

/// Rows that come from a subsearch: still to run, or already run (then the rows themselves).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Source {
    /// `[ search ... ]`, run over the same events before the outer search.
    Subsearch(Box<Pipeline>),
    /// A subsearch's results: each row's fields and their values.
    Rows(Vec<Row>),
}

/// One result row of a subsearch: field name and its (one or more) values as text.
pub type Row = Vec<(String, Vec<String>)>;

/// `join`: rows of `right` matched on `fields` (all shared fields when empty).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Join {
    pub kind: JoinKind,
    pub fields: Vec<String>,
    /// Matching right rows joined per left row; 0 = all.
    pub max: u64,
    /// Whether right fields replace left fields of the same name.
    pub overwrite: bool,
    pub right: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JoinKind {
    /// `type=inner` (the default): rows without a match are dropped
    Inner,
    /// `type=left` / `type=outer`: rows without a match are kept
    Left,
}

/// A lookup: match `inputs` (lookup field, event field); copy `outputs` (lookup field, event field).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    pub table: String,
    pub inputs: Vec<(String, String)>,
    /// `None`: every other column of the table.
    pub outputs: Option<Vec<(String, String)>>,
    /// `OUTPUTNEW`: only fill fields the event does not have.
    pub output_new: bool,
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
    /// `[ search ... ]` in a search: replaced, once the subsearch has run, by its results as
    /// `(f1=v1 AND f2=v2) OR ...`.
    Subsearch(Box<Pipeline>),
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
    /// Sigma `Image|endswith: '\\cmd.exe'`: the whole value matches the parts (`*`, `?`, windash
    /// classes); case-insensitive unless `|cased`
    Wild {
        parts: Vec<WildPart>,
        case_sensitive: bool,
    },
    /// Sigma `|re: 'a.c'` (with `|i`, `|m`, `|s` written inline as `(?i)`): an unanchored search
    Regex(String),
    /// Sigma `|gt: 5` or `|hour|gte: 8`: the value (or that part of it read as a date) compared to
    /// a number; a value that is not a number (or not a date) never matches
    Number {
        op: NumOp,
        value: f64,
        part: Option<DatePart>,
    },
    /// Sigma `|fieldref: Other`: equal to the value of the first present of `fields`
    FieldRef {
        fields: Vec<String>,
        case_sensitive: bool,
    },
}

/// One piece of a Sigma string pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WildPart {
    /// plain text (escapes already removed)
    Text(String),
    /// `*`: any run of characters
    AnyRun,
    /// `?`: exactly one character
    AnyChar,
    /// one of these characters (`|windash` turns `-` into `-`, `/`, en dash, em dash, bar)
    OneOf(String),
}

/// Comparison of Sigma's numeric modifiers; `Eq` is a plain number or date part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NumOp {
    /// `|hour: 8`
    Eq,
    /// `|lt`
    Lt,
    /// `|lte`
    Le,
    /// `|gt`
    Gt,
    /// `|gte`
    Ge,
    /// `neq` in a correlation condition
    Ne,
}

/// A part of a date, for Sigma's time modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DatePart {
    /// `|minute`: 0..59
    Minute,
    /// `|hour`: 0..23
    Hour,
    /// `|day`: day of the month, 1..31
    Day,
    /// `|week`: ISO week, 1..53
    Week,
    /// `|month`: 1..12
    Month,
    /// `|year`
    Year,
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
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atan2,
    Atanh,
    BitAnd,
    BitNot,
    BitOr,
    BitShiftLeft,
    BitShiftRight,
    BitXor,
    Case,
    Ceiling,
    CidrMatch,
    Coalesce,
    Commands,
    Cos,
    Cosh,
    Exact,
    Exp,
    False,
    Floor,
    Hypot,
    If,
    In,
    IpMask,
    IsBool,
    IsInt,
    IsNotNull,
    IsNull,
    IsNum,
    IsStr,
    JsonAppend,
    JsonArray,
    JsonArrayToMv,
    JsonDelete,
    JsonExtend,
    JsonExtract,
    JsonExtractExact,
    JsonHasKeyExact,
    JsonKeys,
    JsonObject,
    JsonSet,
    JsonSetExact,
    JsonValid,
    Len,
    Like,
    Ln,
    Log,
    Lower,
    Ltrim,
    Match,
    Max,
    Md5,
    Min,
    MvAppend,
    MvCount,
    MvDedup,
    MvFilter,
    MvFind,
    MvIndex,
    MvJoin,
    MvMap,
    MvRange,
    MvSort,
    MvToJsonArray,
    MvZip,
    Now,
    Null,
    NullIf,
    Pi,
    Pow,
    Printf,
    Random,
    RelativeTime,
    Replace,
    Round,
    Rtrim,
    SearchMatch,
    Sha1,
    Sha256,
    Sha512,
    Sin,
    Sinh,
    Split,
    Spath,
    Sqrt,
    Strftime,
    Strptime,
    Substr,
    Tan,
    Tanh,
    Time,
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

impl Expr {
    /// The same expression with every field name passed through `rename`.
    pub fn map_fields(self, rename: &dyn Fn(String) -> String) -> Expr {
        let map = |e: Box<Expr>| Box::new(e.map_fields(rename));
        let map_all = |items: Vec<Expr>| items.into_iter().map(|e| e.map_fields(rename)).collect();
        match self {
            Expr::Lit(l) => Expr::Lit(l),
            Expr::Field(f) => Expr::Field(rename(f)),
            Expr::Not(e) => Expr::Not(map(e)),
            Expr::Neg(e) => Expr::Neg(map(e)),
            Expr::Binary(op, l, r) => Expr::Binary(op, map(l), map(r)),
            Expr::In(e, list) => Expr::In(map(e), map_all(list)),
            Expr::Call(f, args) => Expr::Call(f, map_all(args)),
            Expr::Match { field, pattern } => Expr::Match {
                field: rename(field),
                pattern,
            },
            Expr::Subsearch(p) => Expr::Subsearch(p),
        }
    }
}

impl Pipeline {
    /// Whether any stage or search runs a subsearch over the input (then the input is read twice).
    pub fn has_subsearch(&self) -> bool {
        self.stages.iter().any(|s| match s {
            Stage::Filter(e) => e.has_subsearch(),
            Stage::Join(Join {
                right: Source::Subsearch(_),
                ..
            })
            | Stage::Append(Source::Subsearch(_)) => true,
            Stage::AppendPipe(p) => p.has_subsearch(),
            _ => false,
        })
    }
}

impl Expr {
    /// The operands of a chain of `op` (`a AND b AND c` for `And`: `a`, `b`, `c`), in order; an
    /// expression that is not such a chain is its own one operand.
    pub fn operands(&self, op: BinOp) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut pending = vec![self];
        while let Some(e) = pending.pop() {
            match e {
                Expr::Binary(o, l, r) if *o == op => {
                    pending.push(r);
                    pending.push(l);
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Whether the expression holds a subsearch still to run.
    pub fn has_subsearch(&self) -> bool {
        match self {
            Expr::Subsearch(_) => true,
            Expr::Not(e) | Expr::Neg(e) => e.has_subsearch(),
            Expr::Binary(_, l, r) => l.has_subsearch() || r.has_subsearch(),
            Expr::In(e, list) => e.has_subsearch() || list.iter().any(Expr::has_subsearch),
            Expr::Call(_, args) => args.iter().any(Expr::has_subsearch),
            Expr::Lit(_) | Expr::Field(_) | Expr::Match { .. } => false,
        }
    }
}

/// A Sigma correlation over the events that earlier stages tagged with their rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlate {
    pub kind: CorrelationKind,
    /// `group-by`: fields; an event without one of them takes no part
    pub group_by: Vec<String>,
    /// `timespan` in seconds: a window runs from an event's `_time` to `_time + timespan`
    pub timespan: f64,
    /// `condition: {gte: 10}`: every comparison must hold for the aggregate
    pub condition: Vec<(NumOp, f64)>,
    /// The field that holds the names of the rules an event matched.
    pub rules_field: String,
}

/// The correlation types of the Sigma correlation specification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CorrelationKind {
    /// `type: event_count`: events in the window
    EventCount,
    /// `type: value_count`: distinct values of the field
    ValueCount(String),
    /// `type: temporal`: how many of the rules matched in the window
    Temporal(Vec<String>),
    /// `type: temporal_ordered`: how many of the rules matched in this order
    TemporalOrdered(Vec<String>),
    /// `type: value_sum`
    ValueSum(String),
    /// `type: value_avg`
    ValueAvg(String),
    /// `type: value_percentile` (nearest rank)
    ValuePercentile { field: String, percentile: f64 },
}

impl BinOp {
    /// The operator as SPL writes it in eval.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Concat => ".",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Like => "LIKE",
            BinOp::And => "AND",
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
        }
    }
}

impl CmpOp {
    /// The operator as SPL writes it in a search.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

impl CorrelationKind {
    /// The field whose values the aggregate reads (`value_count`, `value_sum`, ...), if any.
    pub fn value_field(&self) -> Option<&str> {
        match self {
            CorrelationKind::ValueCount(f)
            | CorrelationKind::ValueSum(f)
            | CorrelationKind::ValueAvg(f) => Some(f),
            CorrelationKind::ValuePercentile { field, .. } => Some(field),
            CorrelationKind::EventCount
            | CorrelationKind::Temporal(_)
            | CorrelationKind::TemporalOrdered(_) => None,
        }
    }

    /// The name of the aggregate in result rows, as pySigma's Splunk output names it.
    pub fn column(&self) -> &'static str {
        match self {
            CorrelationKind::EventCount => "event_count",
            CorrelationKind::ValueCount(_) => "value_count",
            CorrelationKind::Temporal(_) | CorrelationKind::TemporalOrdered(_) => "rule_count",
            CorrelationKind::ValueSum(_) => "value_sum",
            CorrelationKind::ValueAvg(_) => "value_avg",
            CorrelationKind::ValuePercentile { .. } => "value_percentile",
        }
    }
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
            Stage::Correlate(_) => false,
            Stage::EventStats(s) => s
                .aggs
                .iter()
                .any(|a| matches!(a.func, AggFunc::First | AggFunc::Last | AggFunc::List)),
            Stage::Stats(s) => s
                .aggs
                .iter()
                .any(|a| matches!(a.func, AggFunc::First | AggFunc::Last | AggFunc::List)),
            Stage::Filter(_)
            | Stage::Lookup(_)
            | Stage::InputLookup { .. }
            | Stage::OutputLookup { .. }
            | Stage::Join(_)
            | Stage::Append(_)
            | Stage::AppendPipe(_)
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
            | Stage::Foreach(_)
            | Stage::Replace { .. }
            | Stage::Format(_) => false,
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
            | Stage::MakeResults { .. }
            | Stage::Correlate(_) => true,
            Stage::Filter(_)
            | Stage::Lookup(_)
            | Stage::InputLookup { .. }
            | Stage::OutputLookup { .. }
            | Stage::Join(_)
            | Stage::Append(_)
            | Stage::AppendPipe(_)
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
            | Stage::Foreach(_)
            | Stage::Replace { .. }
            | Stage::Format(_) => false,
        }
    }
}

/// Every eval function: SPL name, IR function, minimum and maximum argument count.
pub const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
    ("abs", Func::Abs, 1, 1),
    ("acos", Func::Acos, 1, 1),
    ("acosh", Func::Acosh, 1, 1),
    ("asin", Func::Asin, 1, 1),
    ("asinh", Func::Asinh, 1, 1),
    ("atan", Func::Atan, 1, 1),
    ("atan2", Func::Atan2, 2, 2),
    ("atanh", Func::Atanh, 1, 1),
    ("bit_and", Func::BitAnd, 2, usize::MAX),
    ("bit_not", Func::BitNot, 1, 2),
    ("bit_or", Func::BitOr, 2, usize::MAX),
    ("bit_shift_left", Func::BitShiftLeft, 2, 2),
    ("bit_shift_right", Func::BitShiftRight, 2, 2),
    ("bit_xor", Func::BitXor, 2, usize::MAX),
    ("case", Func::Case, 2, usize::MAX),
    ("ceiling", Func::Ceiling, 1, 1),
    ("ceil", Func::Ceiling, 1, 1),
    ("cidrmatch", Func::CidrMatch, 2, 2),
    ("coalesce", Func::Coalesce, 1, usize::MAX),
    ("commands", Func::Commands, 1, 1),
    ("cos", Func::Cos, 1, 1),
    ("cosh", Func::Cosh, 1, 1),
    ("exact", Func::Exact, 1, 1),
    ("exp", Func::Exp, 1, 1),
    ("false", Func::False, 0, 0),
    ("floor", Func::Floor, 1, 1),
    ("hypot", Func::Hypot, 2, 2),
    ("if", Func::If, 3, 3),
    ("in", Func::In, 2, usize::MAX),
    ("ipmask", Func::IpMask, 2, 2),
    ("isbool", Func::IsBool, 1, 1),
    ("isint", Func::IsInt, 1, 1),
    ("isnotnull", Func::IsNotNull, 1, 1),
    ("isnull", Func::IsNull, 1, 1),
    ("isnum", Func::IsNum, 1, 1),
    ("isstr", Func::IsStr, 1, 1),
    ("json_append", Func::JsonAppend, 3, usize::MAX),
    ("json_array", Func::JsonArray, 0, usize::MAX),
    ("json_array_to_mv", Func::JsonArrayToMv, 1, 2),
    ("json_delete", Func::JsonDelete, 2, usize::MAX),
    ("json_extend", Func::JsonExtend, 3, usize::MAX),
    ("json_extract", Func::JsonExtract, 1, usize::MAX),
    ("json_extract_exact", Func::JsonExtractExact, 1, usize::MAX),
    ("json_has_key_exact", Func::JsonHasKeyExact, 2, 2),
    ("json_keys", Func::JsonKeys, 1, 1),
    ("json_object", Func::JsonObject, 0, usize::MAX),
    ("json_set", Func::JsonSet, 3, usize::MAX),
    ("json_set_exact", Func::JsonSetExact, 3, usize::MAX),
    ("json_valid", Func::JsonValid, 1, 1),
    ("len", Func::Len, 1, 1),
    ("like", Func::Like, 2, 2),
    ("ln", Func::Ln, 1, 1),
    ("log", Func::Log, 1, 2),
    ("lower", Func::Lower, 1, 1),
    ("ltrim", Func::Ltrim, 1, 2),
    ("match", Func::Match, 2, 2),
    ("max", Func::Max, 1, usize::MAX),
    ("md5", Func::Md5, 1, 1),
    ("min", Func::Min, 1, usize::MAX),
    ("mv_to_json_array", Func::MvToJsonArray, 1, 2),
    ("mvappend", Func::MvAppend, 1, usize::MAX),
    ("mvcount", Func::MvCount, 1, 1),
    ("mvdedup", Func::MvDedup, 1, 1),
    ("mvfilter", Func::MvFilter, 1, 1),
    ("mvfind", Func::MvFind, 2, 2),
    ("mvindex", Func::MvIndex, 2, 3),
    ("mvjoin", Func::MvJoin, 2, 2),
    ("mvmap", Func::MvMap, 2, 2),
    ("mvrange", Func::MvRange, 2, 3),
    ("mvsort", Func::MvSort, 1, 1),
    ("mvzip", Func::MvZip, 2, 3),
    ("now", Func::Now, 0, 0),
    ("null", Func::Null, 0, 0),
    ("nullif", Func::NullIf, 2, 2),
    ("pi", Func::Pi, 0, 0),
    ("pow", Func::Pow, 2, 2),
    ("printf", Func::Printf, 1, usize::MAX),
    ("random", Func::Random, 0, 0),
    ("relative_time", Func::RelativeTime, 2, 2),
    ("replace", Func::Replace, 3, 3),
    ("round", Func::Round, 1, 2),
    ("rtrim", Func::Rtrim, 1, 2),
    ("searchmatch", Func::SearchMatch, 1, 1),
    ("sha1", Func::Sha1, 1, 1),
    ("sha256", Func::Sha256, 1, 1),
    ("sha512", Func::Sha512, 1, 1),
    ("sin", Func::Sin, 1, 1),
    ("sinh", Func::Sinh, 1, 1),
    ("split", Func::Split, 2, 2),
    ("spath", Func::Spath, 2, 2),
    ("sqrt", Func::Sqrt, 1, 1),
    ("strftime", Func::Strftime, 2, 2),
    ("strptime", Func::Strptime, 2, 2),
    ("substr", Func::Substr, 2, 3),
    ("tan", Func::Tan, 1, 1),
    ("tanh", Func::Tanh, 1, 1),
    ("time", Func::Time, 0, 0),
    ("tonumber", Func::ToNumber, 1, 2),
    ("tostring", Func::ToString, 1, 2),
    ("trim", Func::Trim, 1, 2),
    ("true", Func::True, 0, 0),
    ("typeof", Func::TypeOf, 1, 1),
    ("upper", Func::Upper, 1, 1),
    ("urldecode", Func::Urldecode, 1, 1),
    ("validate", Func::Validate, 2, usize::MAX),
];

/// Splunk eval functions spelunk knows of but does not run yet: calling one is error SPL004
/// "not supported yet".
pub const UNSUPPORTED_FUNCTIONS: &[&str] = &["json_entries", "lookup", "sigfig"];

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
                | Func::JsonHasKeyExact
                | Func::JsonValid
                | Func::SearchMatch
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

#[cfg(test)]
mod tests {
    use super::{BinOp, Expr, Stage, FUNCTIONS, UNSUPPORTED_FUNCTIONS};

    /// grammar/spl.ebnf lists every eval function with its status.
    #[test]
    fn every_function_is_listed_in_the_grammar() {
        let grammar = include_str!("../../grammar/spl.ebnf");
        let words: Vec<&str> = grammar
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        for name in FUNCTIONS
            .iter()
            .map(|(n, ..)| *n)
            .chain(UNSUPPORTED_FUNCTIONS.iter().copied())
        {
            assert!(
                words.contains(&name),
                "`{name}` is missing from grammar/spl.ebnf"
            );
        }
    }

    #[test]
    fn operands_of_a_chain_come_in_order() {
        let ir = crate::spl_to_ir("a=1 (b=2 c=3) (d=4 OR e=5) | where f=6 OR g=7 OR h=8")
            .expect("parses");
        let [Stage::Filter(search), Stage::Filter(clause)] = ir.stages.as_slice() else {
            panic!("two filters: {ir}");
        };
        let fields =
            |parts: Vec<&Expr>| -> Vec<String> { parts.iter().map(|e| e.to_string()).collect() };
        let and = fields(search.operands(BinOp::And));
        assert_eq!(and.len(), 4, "{and:?}");
        assert!(
            and[0].starts_with("a~=") && and[2].starts_with("c~="),
            "{and:?}"
        );
        assert!(and[3].contains(" OR "), "{and:?}");
        assert_eq!(clause.operands(BinOp::Or).len(), 3);
        assert_eq!(clause.operands(BinOp::And).len(), 1);
    }
}
