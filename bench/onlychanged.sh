#!/usr/bin/env bash
# Measures --only-changed end to end against the local emulator: a first
# night that sends every record and builds the sync state, an unchanged
# night (the same rows under tomorrow's file name), and a night with 1% of
# the rows changed, sent at a Professional account's --rate 190/10s. For
# each run it prints the batch requests sent, the wall clock, the CPU
# seconds and peak RSS of the hubsync process (user+sys and maximum RSS
# from /usr/bin/time -v), and the size of the sync state afterwards.
#
#   bench/onlychanged.sh                      # 1M and 10M records
#   SIZES=1000000 bench/onlychanged.sh        # 1M only
#   SYNC_ENV="GOGC=400" bench/onlychanged.sh  # runtime settings of the syncs
#
# The 1% night runs only at the first size (at 190 requests per 10 s its
# requests take about a minute per 1M records). "today" is what the same
# night costs without --only-changed: every record sent, so its requests
# are records/100 and its time at --rate 190/10s is worked out from that
# (not run: 10,000 requests take nearly 9 minutes per 1M records).
#
# Needs Go and /usr/bin/time (Debian package "time"). Files go to $WORK
# (default: a temporary folder, removed at the end; KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000000 10000000"}
WORK=${WORK:-$(mktemp -d)}
KEEP=${KEEP:-}
SYNC_ENV=${SYNC_ENV-}
RATE=${RATE:-190/10s}
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

emu=
cleanup() {
  [ -z "$emu" ] || { kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; }
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT

go build -o "$WORK/hubsync" ./cmd/hubsync
go build -o "$WORK/gen" ./bench/gen
export HUBSPOT_ACCESS_TOKEN=bench-token
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done

# The emulator accepts everything and stores nothing, with its limits off:
# the rate is hubsync's own --rate where a run sets one.
GOGC=400 "$WORK/hubsync" emulator --addr 127.0.0.1:0 --rate 0 --accept-all --seed-ids "$max" --token "$HUBSPOT_ACCESS_TOKEN" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
emu=$!
for _ in $(seq 50); do grep -q listening "$WORK/emulator.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$WORK/emulator.out")

# run NAME FILE RATE syncs FILE with --only-changed and prints one line:
# NAME, records read, unchanged, batch requests, wall s, CPU s, peak RSS MiB
# and the state's size in MiB.
run() {
  local name=$1 in=$2 rate=$3 start end user sys rss
  start=$(date +%s.%N)
  env $SYNC_ENV /usr/bin/time -v -o "$WORK/time.txt" "$WORK/hubsync" sync --base-url "$url" --object communications \
    --only-changed --state-dir "$WORK/state" --rate "$rate" --progress never --log-format json --log-level warn \
    --report "$WORK/report.json" "$in" 2>"$WORK/sync.err" || {
    echo "bench: $name failed:" >&2; tail -5 "$WORK/sync.err" >&2; exit 1; }
  end=$(date +%s.%N)
  user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  # The run's own counts: the first "counts" object of the report.
  read -r read unchanged requests < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print(c["read"], c.get("unchanged", 0), c["requests"])' "$WORK/report.json")
  state=$(du -sk "$WORK/state" | cut -f1)
  awk -v nm="$name" -v r="$read" -v u="$unchanged" -v q="$requests" -v s="$start" -v e="$end" \
    -v cu="$user" -v cs="$sys" -v m="$rss" -v st="$state" 'BEGIN {
    printf "%-26s %10d %10d %9d %8.1f %8.2f %9.1f %9.1f\n", nm, r, u, q, e-s, cu+cs, m/1024, st/1024 }'
}

echo "sync environment: ${SYNC_ENV:-(Go defaults)}"
printf '%-26s %10s %10s %9s %8s %8s %9s %9s\n' run records unchanged requests wall-s cpu-s peak-MiB state-MiB
first=1
for n in $SIZES; do
  rm -rf "$WORK/state"
  "$WORK/gen" -rows "$n" >"$WORK/calls-$n-day1.csv"
  run "$n first night" "$WORK/calls-$n-day1.csv" 0
  mv "$WORK/calls-$n-day1.csv" "$WORK/calls-$n-day2.csv" # tomorrow's name, the same rows
  run "$n unchanged" "$WORK/calls-$n-day2.csv" 0
  rm -f "$WORK/calls-$n-day2.csv"
  if [ -n "$first" ]; then
    first=
    "$WORK/gen" -rows "$n" -change-every 100 >"$WORK/calls-$n-day3.csv"
    run "$n 1% changed @$RATE" "$WORK/calls-$n-day3.csv" "$RATE"
    rm -f "$WORK/calls-$n-day3.csv"
    awk -v n="$n" -v rate="$RATE" 'BEGIN {
      split(rate, a, "/"); per = a[2]; sub(/s$/, "", per)
      q = int((n + 99) / 100)
      printf "%-26s %10d %10d %9d %8.0f %8s %9s %9s   (worked out, not run)\n", n " today @" rate, n, 0, q, q / a[1] * per, "-", "-", "-" }'
  fi
done
