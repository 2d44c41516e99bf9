//! Property tests: printer round trips and evaluation invariants that must hold for any input.

use proptest::prelude::*;
use spelunk::eval::event::{record_from_json, EventOptions, Record};
use spelunk::sigma::condition::{self, CondKind, Condition, Target};

/// Prints a condition fully parenthesised, in the surface syntax the parser reads.
fn print(c: &Condition) -> String {
    let target = |t: &Target| match t {
        Target::Them => "them".to_string(),
        Target::Pattern(p) => p.clone(),
    };
    let join = |items: &[Condition], op: &str| {
        let parts: Vec<String> = items.iter().map(|c| format!("({})", print(c))).collect();
        parts.join(&format!(" {op} "))
    };
    match &c.kind {
        CondKind::Ident(name) => name.clone(),
        CondKind::OneOf(t) => format!("1 of {}", target(t)),
        CondKind::AllOf(t) => format!("all of {}", target(t)),
        CondKind::Not(inner) => format!("not ({})", print(inner)),
        CondKind::And(items) => join(items, "and"),
        CondKind::Or(items) => join(items, "or"),
    }
}

fn cond(kind: CondKind) -> Condition {
    Condition {
        kind,
        span: Default::default(),
    }
}

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        "sel[a-z0-9_]{0,6}",
        "filter_[a-z]{1,4}",
        "[A-Za-z][A-Za-z0-9_]{0,5}".prop_filter("not a keyword", |s| {
            !["and", "or", "not", "of", "them", "all", "any"].contains(&s.to_lowercase().as_str())
        }),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    let target = prop_oneof![
        Just(Target::Them),
        ident().prop_map(|p| Target::Pattern(format!("{p}*"))),
    ];
    let leaf = prop_oneof![
        4 => ident().prop_map(|n| cond(CondKind::Ident(n))),
        1 => target.clone().prop_map(|t| cond(CondKind::OneOf(t))),
        1 => target.prop_map(|t| cond(CondKind::AllOf(t))),
    ];
    leaf.prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| cond(CondKind::Not(Box::new(c)))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| cond(CondKind::And(v))),
            prop::collection::vec(inner, 2..4).prop_map(|v| cond(CondKind::Or(v))),
        ]
    })
}

/// `and`/`or` whose items are themselves `and`/`or` of the same kind are one flat list.
fn flatten(c: Condition) -> Condition {
    let merge = |items: Vec<Condition>, same: fn(&CondKind) -> bool| {
        let mut out = Vec::new();
        for item in items.into_iter().map(flatten) {
            if same(&item.kind) {
                match item.kind {
                    CondKind::And(v) | CondKind::Or(v) => out.extend(v),
                    other => out.push(cond(other)),
                }
            } else {
                out.push(item);
            }
        }
        out
    };
    match c.kind {
        CondKind::Not(inner) => cond(CondKind::Not(Box::new(flatten(*inner)))),
        CondKind::And(items) => cond(CondKind::And(merge(items, |k| {
            matches!(k, CondKind::And(_))
        }))),
        CondKind::Or(items) => cond(CondKind::Or(merge(items, |k| matches!(k, CondKind::Or(_))))),
        other => cond(other),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Sigma condition: parse(print(c)) == c, and printing is stable.
    #[test]
    fn sigma_condition_round_trips(c in condition()) {
        let text = print(&c);
        let parsed = condition::parse(&text).map_err(|d| TestCaseError::fail(format!("{text}: {}", d.message)))?;
        prop_assert_eq!(flatten(parsed.clone()), flatten(c), "{}", text);
        prop_assert_eq!(print(&parsed), text);
    }

    /// Any text: the condition parser returns, never panics.
    #[test]
    fn sigma_condition_parser_never_panics(text in "[a-z0-9_*() \\t|]{0,60}") {
        let _ = condition::parse(&text);
    }
}

const VALUES: &[&str] = &["web", "WEB", "Web1", "db", "10.0.0.1", "x y", ""];

/// Events with fields `a` and `b` drawn from a small pool (including case variants), sometimes
/// missing, sometimes multivalue; `id` names each.
fn events() -> impl Strategy<Value = Vec<Record>> {
    let value = prop_oneof![
        3 => prop::sample::select(VALUES).prop_map(|v| Some(serde_json::json!(v))),
        1 => Just(None),
        1 => prop::collection::vec(prop::sample::select(VALUES), 2).prop_map(|v| Some(serde_json::json!(v))),
    ];
    prop::collection::vec((value.clone(), value), 1..12).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(id, (a, b))| {
                let mut obj = serde_json::Map::new();
                obj.insert("id".into(), serde_json::json!(id));
                if let Some(a) = a {
                    obj.insert("a".into(), a);
                }
                if let Some(b) = b {
                    obj.insert("b".into(), b);
                }
                event(obj)
            })
            .collect()
    })
}

/// The event of a JSON object.
fn event(obj: serde_json::Map<String, serde_json::Value>) -> Record {
    let json = serde_json::Value::Object(obj);
    record_from_json(json.clone(), &json.to_string(), &EventOptions::default()).unwrap_or_default()
}

/// The rows `search` gives over the events.
fn run(search: &str, events: &[Record]) -> Result<Vec<Record>, TestCaseError> {
    let results = spelunk::run_spl(search, events.to_vec())
        .map_err(|d| TestCaseError::fail(format!("{search}: {}", d[0].message)))?;
    Ok(results.rows)
}

/// The ids of the events `search` keeps.
fn ids(search: &str, events: &[Record]) -> Result<Vec<String>, TestCaseError> {
    let mut ids: Vec<String> = run(search, events)?
        .iter()
        .map(|r| r.value("id").to_string())
        .collect();
    ids.sort();
    Ok(ids)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn term() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        prop::sample::select(&["web", "WEB", "db", "we*", "*1", "10.0.0.0/8"][..])
            .prop_map(str::to_string),
        Just("\"x y\"".to_string()),
    ];
    (
        prop::sample::select(&["a", "b"][..]),
        prop::sample::select(&["=", "!="][..]),
        value,
    )
        .prop_map(|(f, op, v)| format!("{f}{op}{v}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `x OR y` keeps exactly the events that `x` or `y` keeps; `x y` those both keep.
    #[test]
    fn search_or_and_are_union_and_intersection(evs in events(), x in term(), y in term()) {
        let (ex, ey) = (ids(&format!("search {x}"), &evs)?, ids(&format!("search {y}"), &evs)?);
        let union = sorted(ex.iter().chain(&ey).cloned().collect());
        prop_assert_eq!(ids(&format!("search {x} OR {y}"), &evs)?, union);
        let both: Vec<String> = ex.iter().filter(|i| ey.contains(i)).cloned().collect();
        prop_assert_eq!(ids(&format!("search {x} {y}"), &evs)?, both.clone());
        prop_assert_eq!(ids(&format!("search {x} AND {y}"), &evs)?, both);
    }

    /// `NOT x` keeps exactly the events `x` drops; `NOT NOT x` is `x`; De Morgan holds.
    #[test]
    fn search_not_is_the_complement(evs in events(), x in term(), y in term()) {
        let all = ids("search *", &evs)?;
        let ex = ids(&format!("search {x}"), &evs)?;
        let complement: Vec<String> = all.iter().filter(|i| !ex.contains(i)).cloned().collect();
        prop_assert_eq!(ids(&format!("search NOT {x}"), &evs)?, complement);
        prop_assert_eq!(ids(&format!("search NOT NOT {x}"), &evs)?, ex);
        prop_assert_eq!(
            ids(&format!("search NOT ({x} OR {y})"), &evs)?,
            ids(&format!("search NOT {x} NOT {y}"), &evs)?
        );
    }

    /// `field=value` in search ignores case; `==` in where does not.
    #[test]
    fn search_equality_ignores_case(evs in events(), v in prop::sample::select(VALUES)) {
        prop_assume!(!v.is_empty() && !v.contains(' '));
        prop_assert_eq!(
            ids(&format!("search a={}", v.to_lowercase()), &evs)?,
            ids(&format!("search a={}", v.to_uppercase()), &evs)?
        );
        let exact = ids(&format!("search * | where a==\"{v}\""), &evs)?;
        let loose = ids(&format!("search a={v}"), &evs)?;
        prop_assert!(exact.iter().all(|i| loose.contains(i)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// SPL → IR → SPL → IR is stable for generated searches: terms combined with AND, OR, NOT
    /// and parentheses, then an eval, a stats and a sort (the corpus-wide check is
    /// tests/convert_roundtrip.rs).
    #[test]
    fn spl_ir_round_trip(
        terms in prop::collection::vec(term(), 1..5),
        ops in prop::collection::vec(prop::sample::select(&[" ", " OR ", " AND ", " NOT "][..]), 4),
        by in prop::sample::select(&["a", "b", "a, b"][..]),
    ) {
        let mut search = terms[0].clone();
        for (t, op) in terms.iter().skip(1).zip(&ops) {
            search = format!("({search}){op}{t}");
        }
        let text = format!("{search} | eval c=if(a==\"x\", 1, 2) . \"s\" | stats count, values(c) as v by {by} | sort - count");
        let ir = spelunk::spl_to_ir(&text).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let printed = spelunk::ir_to_spl(&ir).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let again = spelunk::spl_to_ir(&printed.text).map_err(|d| TestCaseError::fail(format!("{}: {d:?}", printed.text)))?;
        prop_assert_eq!(ir, again, "{}", printed.text);
    }
}

/// Events in input order with `_time` from a small range (many ties) or missing, a key `k`
/// (sometimes missing), a value `v` and sometimes a multivalue `m`; `id` numbers them. Up to
/// 2,500 of them, so the time order's bounded buffers are cut back several times.
fn timed_events() -> impl Strategy<Value = Vec<Record>> {
    let fields = (
        prop::option::weighted(0.9, 0..40i64),
        prop::option::weighted(0.9, 0..6u8),
        0..1000u32,
        prop::option::weighted(0.2, prop::collection::vec(0..9u8, 2..4)),
    );
    prop::collection::vec(fields, 0..2500).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(id, (time, k, v, m))| {
                let mut obj = serde_json::Map::new();
                obj.insert("id".into(), serde_json::json!(id));
                if let Some(t) = time {
                    // Whole and fractional seconds, negative ones too.
                    obj.insert("_time".into(), serde_json::json!(t as f64 / 4.0 - 2.0));
                }
                if let Some(k) = k {
                    obj.insert("k".into(), serde_json::json!(format!("k{k}")));
                }
                obj.insert("v".into(), serde_json::json!(v));
                if let Some(m) = m {
                    obj.insert("m".into(), serde_json::json!(m));
                }
                event(obj)
            })
            .collect()
    })
}

/// The rows of a search, each as its fields' `name=value`s, in order.
fn rows(search: &str, events: &[Record]) -> Result<Vec<String>, TestCaseError> {
    Ok(run(search, events)?
        .iter()
        .map(|r| {
            r.fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Order-dependent stages see Splunk's event order (newest first, ties and untimed events
    /// in input order), which the plan keeps only in part (`eval::order`): the first `n` for
    /// `head`, the first of each key for `dedup`, ranked picks for `stats`, the first `limit`
    /// rows for `sort`. Each must give what the stage gives after a full sort of every event
    /// (`sort 0 - _time`: missing `_time` last, ties stable).
    #[test]
    fn bounded_time_order_agrees_with_a_full_sort(evs in timed_events()) {
        for stage in [
            "head 7",
            "head 0",
            "head 2000",
            "tail 5",
            "dedup k",
            "dedup 2 k keepempty=true",
            "dedup k consecutive=true",
            "dedup k sortby - v",
            "stats count, first(v) as f, last(v) as l, list(v) as lv, list(m) as lm by k",
            "stats first(m) as f, last(m) as l, values(k) as ks",
            "head 300 | stats list(id) as ids",
        ] {
            let bounded = rows(&format!("* | {stage}"), &evs)?;
            let full = rows(&format!("* | sort 0 - _time | {stage}"), &evs)?;
            prop_assert_eq!(bounded, full, "{}", stage);
        }
        // `sort` with a limit cuts as it goes; against the unlimited sort, then `head`.
        for (limit, keys) in [(5, "- v"), (1500, "v, - id"), (3, "k")] {
            let limited = rows(&format!("* | sort {limit} {keys}"), &evs)?;
            prop_assert_eq!(limited.len(), evs.len().min(limit));
            let full = rows(&format!("* | sort 0 {keys} | head {limit}"), &evs)?;
            prop_assert_eq!(limited, full, "sort {} {}", limit, keys);
        }
    }
}
