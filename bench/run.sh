#!/usr/bin/env bash
# Measures hubsync end to end against the local emulator with limits off:
# records/s, CPU seconds of the hubsync process per million records
# (user+sys from /usr/bin/time -v), its peak RSS and its largest live heap
# (after a collection, from GODEBUG=gctrace=1), for CSV and JSONL inputs of
# 1M and 10M records with ten properties each.
#
#   bench/run.sh                 # 1M and 10M, CSV and JSONL
#   SIZES="1000000" bench/run.sh # only 1M
#   REPEAT=5 bench/run.sh        # each sync five times: the median run
#   SYNC_ENV= bench/run.sh       # the syncs with Go's runtime defaults
#
# Needs Go and /usr/bin/time (Debian package "time"). Files go to $WORK
# (default: a temporary folder, removed at the end); 10M records take about
# 1.5 GB per format.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000000 10000000"}
FORMATS=${FORMATS:-"csv jsonl"}
WORK=${WORK:-$(mktemp -d)}
KEEP=${KEEP:-}
REPEAT=${REPEAT:-1}
# The runtime settings of the measured syncs (docs/performance.md, "Runtime
# settings"): one thread, as the emulator needs the other core, and a
# collector that runs a quarter as often. hubsync itself sets neither.
SYNC_ENV=${SYNC_ENV-"GOGC=400 GOMAXPROCS=1"}
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

go build -o "$WORK/hubsync" ./cmd/hubsync
go build -o "$WORK/gen" ./bench/gen
export HUBSPOT_ACCESS_TOKEN=bench-token

# The emulator is the peer, not the subject: accept everything, store
# nothing, and collect garbage rarely, so that it leaves the cores to hubsync.
GOGC=400 "$WORK/hubsync" emulator --addr 127.0.0.1:0 --rate 0 --accept-all --seed-ids 10000000 --token "$HUBSPOT_ACCESS_TOKEN" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
emu=$!
cleanup() { kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; [ -n "$KEEP" ] || rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 50); do grep -q listening "$WORK/emulator.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$WORK/emulator.out")

echo "sync environment: ${SYNC_ENV:-(none)}"
printf '%-6s %10s %12s %14s %12s %13s\n' format records records/s cpu-s/1M peak-RSS-MiB max-live-MiB
for n in $SIZES; do
  for f in $FORMATS; do
    in="$WORK/in-$n.$f"
    "$WORK/gen" -rows "$n" -format "$f" >"$in"
    for r in $(seq "$REPEAT"); do
      rm -f "$in.checkpoint.json" "$WORK"/in-"$n".dead-letter.*
      start=$(date +%s.%N)
      env $SYNC_ENV GODEBUG=gctrace=1 /usr/bin/time -v -o "$WORK/time.txt" "$WORK/hubsync" sync --base-url "$url" --object communications \
        --rate 0 --progress never --log-format json --log-level warn "$in" 2>"$WORK/sync.err" || {
        echo "bench: sync of $in failed:" >&2; grep -v '^gc ' "$WORK/sync.err" | tail -5 >&2; exit 1; }
      end=$(date +%s.%N)
      user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
      sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
      rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
      # gctrace prints "a->b->c MB" for each collection, c being the heap
      # still live after it. Peak RSS follows the collector's goal (at
      # GOGC=400 five times the live heap), so a longer run meets a higher
      # peak; a leak shows as a live heap that grows.
      live=$(awk '/^gc / { split($11, h, "->"); if (h[3] + 0 > m) m = h[3] + 0 } END { print m + 0 }' "$WORK/sync.err")
      awk -v n="$n" -v s="$start" -v e="$end" -v u="$user" -v y="$sys" -v r="$rss" -v l="$live" 'BEGIN {
        printf "%.0f %.2f %.1f %d\n", n/(e-s), (u+y)*1e6/n, r/1024, l }'
    done >"$WORK/runs.txt"
    # The run with the median CPU time (the middle one of REPEAT).
    sort -k2,2n "$WORK/runs.txt" | awk -v f="$f" -v n="$n" -v k="$REPEAT" 'NR == int((k+1)/2) {
      printf "%-6s %10d %12.0f %14.2f %12.1f %13d\n", f, n, $1, $2, $3, $4 }'
    rm -f "$in"
  done
done
