#!/usr/bin/env bash
# Throughput and peak memory of the seed detection over generated events, with a jq baseline.
# usage: benches/run.sh [N]   (default 1,000,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
data=target/bench/mail_${n}.ndjson
mkdir -p target/bench
[ -f "$data" ] || python3 benches/gen_mail_events.py "$n" > "$data"
cargo build --release --quiet
bytes=$(stat -c %s "$data")
measure() { # label, command...
  local label=$1; shift
  local start end secs rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o target/bench/rss "$@" > /dev/null
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  rss=$(cat target/bench/rss)
  printf '%-28s %8.3f s  %10.0f events/s  %7.1f MB/s  peak RSS %6.1f MB\n' "$label" "$secs" \
    "$(echo "$n / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}
echo "events: $n ($((bytes / 1000000)) MB)"
measure "seed detection (spelunk)" ./target/release/spelunk run rules/spl/t1071_003_mail_protocols.spl "$data" --format json
measure "filter + count (spelunk)" ./target/release/spelunk run -q 'index=network action=allowed | stats count by dest_port' "$data" --format json
if command -v jq > /dev/null; then
  measure "jq select (baseline)" jq -c 'select((.index=="network" or .index=="firewall") and .action=="allowed")' "$data"
fi
