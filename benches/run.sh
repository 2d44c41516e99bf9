#!/usr/bin/env bash
# Throughput (events/s, MB/s) and peak RSS of spelunk against baselines, on data generated
# deterministically: the seed detection and a filter+count over N stream/firewall events; one
# Sigma rule and a hunt over SigmaHQ Windows rules on M Sysmon-like events; then loading and
# compiling the whole corpora. One thread unless noted.
# usage: benches/run.sh [N] [M]   (defaults 1,000,000 and 100,000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
m=${2:-100000}
mkdir -p target/bench
mail=target/bench/mail_${n}.ndjson
sysmon=target/bench/sysmon_${m}.ndjson
[ -f "$mail" ] || python3 benches/gen_mail_events.py "$n" > "$mail"
[ -f "$sysmon" ] || python3 benches/gen_sysmon_events.py "$m" > "$sysmon"
cargo build --release --quiet --bins --examples
bin=./target/release/spelunk

measure() { # label, events, file, command...
  local label=$1 events=$2 file=$3; shift 3
  local bytes start end secs rss
  bytes=$(stat -c %s "$file")
  start=$(date +%s.%N)
  if ! /usr/bin/time -f "%M" -o target/bench/rss "$@" > /dev/null 2> target/bench/stderr; then
    printf '%-34s failed: %s\n' "$label" "$(head -c 200 target/bench/stderr | head -1)"
    return 0
  fi
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  rss=$(cat target/bench/rss)
  printf '%-34s %7.3f s %11.0f events/s %7.1f MB/s  peak RSS %6.1f MB\n' "$label" "$secs" \
    "$(echo "$events / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

echo "== $n stream/firewall events ($(( $(stat -c %s "$mail") / 1000000 )) MB)"
measure "baseline: serde_json Value + 1 field" "$n" "$mail" ./target/release/examples/baseline "$mail" action
if command -v jq > /dev/null; then
  measure "baseline: jq select" "$n" "$mail" jq -c 'select((.index=="network" or .index=="firewall") and .action=="allowed")' "$mail"
fi
measure "spelunk: seed detection" "$n" "$mail" $bin run rules/spl/t1071_003_mail_protocols.spl "$mail" --format json
measure "spelunk: seed, optimiser off" "$n" "$mail" $bin run rules/spl/t1071_003_mail_protocols.spl "$mail" --format json --no-optimize
measure "spelunk: filter + stats count" "$n" "$mail" $bin run -q 'index=network action=allowed | stats count by dest_port' "$mail" --format json

echo "== $m Sysmon-like events ($(( $(stat -c %s "$sysmon") / 1000000 )) MB)"
rule=../shared/corpus/sigmahq/rules/windows/process_creation/proc_creation_win_certutil_download.yml
if [ -f "$rule" ]; then
  measure "spelunk: one Sigma rule" "$m" "$sysmon" $bin run "$rule" "$sysmon" --format json
  windows=../shared/corpus/sigmahq/rules/windows
  measure "spelunk: hunt, SigmaHQ Windows rules" "$m" "$sysmon" $bin hunt -r "$windows" "$sysmon" --format json
  echo "== corpora"
  ./target/release/examples/load_corpus ../shared/corpus
else
  echo "(../shared/corpus absent: Sigma and corpus benchmarks skipped)"
fi
