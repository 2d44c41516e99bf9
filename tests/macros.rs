//! Macro definitions and expansion: macros.conf, YAML and JSONL files, arguments, nesting,
//! cycles, unknown macros, the `<name>_filter` fallback, quotes and comments left alone.
//! Splunk doc: "Use search macros in searches" and "Define search macros in Settings" (Knowledge Manager Manual).

use spelunk::diagnostic::codes;
use spelunk::spl::macros::{Macro, Macros};

fn def(name: &str, args: &[&str], definition: &str) -> Macro {
    Macro {
        name: name.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        definition: definition.into(),
        origin: "test".into(),
    }
}

fn set(defs: &[Macro]) -> Macros {
    let mut m = Macros::default();
    defs.iter().cloned().for_each(|d| m.insert(d));
    m
}

#[test]
fn conf_stanzas_with_args_and_continued_lines() {
    let mut m = Macros::default();
    let conf = "# comment\n[one]\ndefinition = index=a\n\n[two(2)]\nargs = x, y\ndefinition = $x$=1 \\\nOR $y$=2\n";
    m.load_conf(conf, "macros.conf").expect("loads");
    assert_eq!(
        m.expand("`one` `two(a, b)`").expect("expands"),
        "index=a a=1 \nOR b=2"
    );
}

#[test]
fn yaml_and_jsonl_definitions() {
    let mut m = Macros::default();
    m.load_yaml("name: sysmon\ndefinition: sourcetype=sysmon\narguments: []\n---\nname: f\narguments: [a]\ndefinition: x=$a$\n", "m.yml")
        .expect("yaml loads");
    m.load_jsonl(
        "{\"name\": \"g\", \"args\": [\"p\", \"q\"], \"definition\": \"$p$ $q$\"}\n",
        "m.jsonl",
    )
    .expect("jsonl loads");
    assert_eq!(
        m.expand("`sysmon` `f(1)` `g(a,\"b, c\")`")
            .expect("expands"),
        "sourcetype=sysmon x=1 a \"b, c\""
    );
}

#[test]
fn same_name_different_argument_counts_are_different_macros() {
    let m = set(&[def("m", &[], "zero"), def("m", &["a"], "one $a$")]);
    assert_eq!(m.expand("`m` `m(x)`").expect("expands"), "zero one x");
}

#[test]
fn nested_macros_expand_recursively() {
    let m = set(&[
        def("outer", &["f"], "`inner($f$)` | stats count"),
        def("inner", &["g"], "$g$=*"),
    ]);
    assert_eq!(
        m.expand("`outer(user)`").expect("expands"),
        "user=* | stats count"
    );
}

#[test]
fn a_cycle_is_an_error_naming_the_chain() {
    let m = set(&[def("a", &[], "`b`"), def("b", &[], "`a`")]);
    let err = m.expand("x `a`").expect_err("cycle");
    assert_eq!(err.code, codes::SPL_MACRO);
    assert!(
        err.message.contains("macro cycle: a(0) -> b(0) -> a(0)"),
        "{}",
        err.message
    );
    let span = err.span.expect("span");
    assert_eq!((span.start, span.end), (2, 5));
}

#[test]
fn unknown_macro_is_an_error_but_filter_macros_default_to_search_all() {
    let m = Macros::default();
    let err = m.expand("index=a | `mystery(1)`").expect_err("unknown");
    assert!(
        err.message.contains("unknown macro `mystery(1)`"),
        "{}",
        err.message
    );
    assert_eq!(
        m.expand("index=a | `detect_x_filter`").expect("fallback"),
        "index=a | search *"
    );
}

#[test]
fn backticks_in_quotes_and_comments_are_left_alone() {
    let m = set(&[def("a", &[], "A")]);
    let text = "x=\"`a`\" ```a `a` comment``` `a`";
    assert_eq!(
        m.expand(text).expect("expands"),
        "x=\"`a`\" ```a `a` comment``` A"
    );
}

#[test]
fn runaway_expansion_stops() {
    let m = set(&[def("grow", &[], "`grow` `grow`")]);
    assert!(m.expand("`grow`").is_err());
    let deep: Vec<Macro> = (0..60)
        .map(|i| def(&format!("m{i}"), &[], &format!("`m{}`", i + 1)))
        .collect();
    let err = set(&deep).expand("`m0`").expect_err("too deep");
    assert!(err.message.contains("nested more than"), "{}", err.message);
}

#[test]
fn standard_macros_are_built_in() {
    let m = Macros::standard();
    assert!(m.get("drop_dm_object_name", 1).is_some());
    assert_eq!(
        m.expand("`drop_dm_object_name(Processes)`")
            .expect("expands"),
        "rename Processes.* as *"
    );
    assert!(
        spelunk::spl_to_ir("index=a | `drop_dm_object_name(Processes)` | `my_search_filter`")
            .is_ok()
    );
}

#[test]
fn the_corpus_macros_load() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/security_content/macros.jsonl");
    if !path.exists() {
        println!("skipped: {} is absent", path.display());
        return;
    }
    let mut m = Macros::standard();
    m.load_path(&path).expect("corpus macros load");
    assert!(m.len() > 150, "{}", m.len());
}

#[test]
fn every_built_in_data_model_loads_and_its_constraints_parse() {
    let models = spelunk::spl::datamodel::Datamodels::standard();
    let names = models.names();
    assert!(names.len() >= 12, "{names:?}");
    for name in &names {
        let q = format!("| tstats count from datamodel={name}");
        assert!(spelunk::spl_to_ir(&q).is_ok(), "{name}");
        let q = format!("| from datamodel={name}");
        assert!(spelunk::spl_to_ir(&q).is_ok(), "{name}");
    }
}

#[test]
fn macros_that_multiply_empty_calls_stop_at_the_call_budget() {
    let fan = |name: &str, inner: &str| def(name, &[], &format!("`{inner}`").repeat(1000));
    let m = set(&[
        def("empty", &[], ""),
        fan("a", "b"),
        fan("b", "c"),
        fan("c", "empty"),
    ]);
    let started = std::time::Instant::now();
    let err = m.expand("`a`").expect_err("too many calls");
    assert!(err.message.contains("macro calls"), "{}", err.message);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn an_argument_used_many_times_cannot_blow_up_the_text() {
    let m = set(&[def("rep", &["x"], &"$x$".repeat(100_000))]);
    let call = format!("`rep({})`", "y".repeat(100_000));
    let err = m.expand(&call).expect_err("too large");
    assert!(err.message.contains("larger than"), "{}", err.message);
}
