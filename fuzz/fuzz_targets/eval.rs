//! A fixed set of SPL and Sigma programs run over fuzzed events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spelunk::eval::event::EventOptions;
use std::sync::OnceLock;

const SPL: &[&str] = &[
    "host=web* OR user=alice NOT bytes>100",
    "* | eval n=len(user).\"-\".lower(host), m=if(bytes>5, bytes*2, null()) | where isnotnull(m)",
    "* | stats count dc(user) values(host) avg(bytes) by host",
    "* | rex field=msg \"(?<k>\\w+)=(?<v>\\S+)\" | table k v",
    "* | spath | mvexpand user | dedup user | sort - bytes",
    "* | eval t=strftime(_time, \"%Y-%m-%d\"), s=split(msg, \" \"), j=mvjoin(s, \",\") | fields t s j",
    "* | streamstats count by host | eventstats max(bytes) as mb | head 5",
    "* | transaction host maxspan=5m | table host duration eventcount",
    "* | bin _time span=1h | timechart count by host",
    "* | eval x=tonumber(bytes), y=round(x/3, 2), z=replace(msg, \"[0-9]+\", \"N\") | top host",
    "* | where match(msg, \"^a.*b$\") OR like(user, \"a%\") OR cidrmatch(\"10.0.0.0/8\", src)",
    "* | fillnull value=0 | convert ctime(_time) | rename host as h | table h *",
];

const SIGMA: &str = r#"
title: fuzz
logsource: {product: windows}
detection:
  sel:
    Image|endswith: '\cmd.exe'
    CommandLine|contains|all: [' /c ', 'who']
  re:
    CommandLine|re: '(?i)power.*shell'
  cidr:
    src|cidr: '10.0.0.0/8'
  num:
    EventID: [1, 4688]
  nul:
    User: null
  condition: (sel or re or 1 of cidr*) and not nul or num
"#;

fn plans() -> &'static (Vec<spelunk::ir::Pipeline>, Vec<spelunk::sigma::run::CompiledRule>) {
    static PLANS: OnceLock<(Vec<spelunk::ir::Pipeline>, Vec<spelunk::sigma::run::CompiledRule>)> =
        OnceLock::new();
    PLANS.get_or_init(|| {
        let spl = SPL
            .iter()
            .filter_map(|s| spelunk::spl_to_ir(s).ok())
            .collect();
        let sigma = spelunk::sigma_to_ir(SIGMA)
            .ok()
            .and_then(|rules| spelunk::sigma::run::compile(&rules).ok())
            .unwrap_or_default();
        (spl, sigma)
    })
}

fuzz_target!(|data: &[u8]| {
    let opts = EventOptions::default();
    let mut events = Vec::new();
    let _ = spelunk::io::read_events(data, "fuzz", &opts, &mut |r| events.push(r), &mut |_| {});
    let (spl, sigma) = plans();
    for pipeline in spl {
        let _ = spelunk::run_pipeline(pipeline, &Default::default(), events.clone());
    }
    let mut runner = spelunk::sigma::run::Runner::new(sigma);
    for e in events {
        runner.push(e);
    }
    let _ = runner.finish();
});
