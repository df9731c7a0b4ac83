#!/usr/bin/env bash
# Measures hubsync end to end against the local emulator with limits off:
# records/s, CPU seconds of the syncing process per million records
# (user+sys from /usr/bin/time -v), its peak RSS and its largest live heap
# (after a collection, from GODEBUG=gctrace=1), for CSV and JSONL inputs of
# 1M and 10M records with ten properties each.
#
#   bench/run.sh                 # 1M and 10M, CSV and JSONL
#   SIZES="1000000" bench/run.sh # only 1M
#   REPEAT=5 bench/run.sh        # each sync five times: the median run
#   SYNC_ENV= bench/run.sh       # the syncs with Go's runtime defaults
#   BASELINE=main bench/run.sh   # also hubsync built from git rev main, run for run
#   PEER=sdk bench/run.sh        # also the official Node.js SDK (bench/sdk), CSV only
#
# With BASELINE or PEER the subjects take turns on each file (baseline,
# hubsync, sdk; REPEAT times), so that a busy hour weighs on all of them
# alike. At the end the emulator must have applied every record sent.
#
# Needs Go and /usr/bin/time (Debian package "time"); PEER=sdk needs Node.js
# 18 or later and npm (it runs "npm ci" in bench/sdk once). Files go to $WORK
# (default: a temporary folder, removed at the end); 10M records take about
# 1.5 GB per format.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000000 10000000"}
FORMATS=${FORMATS:-"csv jsonl"}
WORK=${WORK:-$(mktemp -d)}
KEEP=${KEEP:-}
REPEAT=${REPEAT:-1}
BASELINE=${BASELINE:-}
PEER=${PEER:-}
# The runtime settings of the measured syncs (docs/performance.md, "Runtime
# settings"): one thread, as the emulator needs the other core, and a
# collector that runs a quarter as often. hubsync itself sets neither.
SYNC_ENV=${SYNC_ENV-"GOGC=400 GOMAXPROCS=1"}
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
case $PEER in
"" | sdk) ;;
*) echo "bench: PEER=$PEER: the only peer is sdk" >&2; exit 2 ;;
esac

emu=
cleanup() {
  [ -z "$emu" ] || { kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; }
  [ ! -d "$WORK/baseline.src" ] || git worktree remove --force "$WORK/baseline.src"
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT

subjects=hubsync
go build -o "$WORK/hubsync" ./cmd/hubsync
go build -o "$WORK/gen" ./bench/gen
if [ -n "$BASELINE" ]; then
  # The baseline is built from a checkout of its own, removed once built.
  git worktree add --quiet --detach "$WORK/baseline.src" "$BASELINE"
  (cd "$WORK/baseline.src" && go build -o "$WORK/baseline" ./cmd/hubsync)
  git worktree remove --force "$WORK/baseline.src"
  subjects="baseline $subjects"
  echo "baseline: $BASELINE ($(git rev-parse --short "$BASELINE"))"
fi
if [ "$PEER" = sdk ]; then
  [ -d bench/sdk/node_modules ] || (cd bench/sdk && npm ci --no-audit --no-fund --loglevel error)
  subjects="$subjects sdk"
fi
export HUBSPOT_ACCESS_TOKEN=bench-token

# The emulator is the peer, not the subject: accept everything, store
# nothing, and collect garbage rarely, so that it leaves the cores to hubsync.
GOGC=400 "$WORK/hubsync" emulator --addr 127.0.0.1:0 --rate 0 --accept-all --seed-ids 10000000 --token "$HUBSPOT_ACCESS_TOKEN" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
emu=$!
for _ in $(seq 50); do grep -q listening "$WORK/emulator.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$WORK/emulator.out")

# measure SUBJECT FILE N syncs FILE's N records with SUBJECT under
# /usr/bin/time and prints its records/s, CPU-s per 1M records, peak RSS
# and largest live heap in MiB on one line (live heap 0 for the SDK).
sent=0
measure() {
  local s=$1 in=$2 n=$3 start end user sys rss live
  rm -f "$in.checkpoint.json" "${in%.*}".dead-letter.*
  start=$(date +%s.%N)
  case $s in
  sdk) /usr/bin/time -v -o "$WORK/time.txt" node bench/sdk/peer.js --base-url "$url" --object communications "$in" ;;
  *) env $SYNC_ENV GODEBUG=gctrace=1 /usr/bin/time -v -o "$WORK/time.txt" "$WORK/$s" sync --base-url "$url" --object communications \
    --rate 0 --progress never --log-format json --log-level warn "$in" ;;
  esac 2>"$WORK/sync.err" || { echo "bench: $s on $in failed:" >&2; grep -v '^gc ' "$WORK/sync.err" | tail -5 >&2; exit 1; }
  end=$(date +%s.%N)
  sent=$((sent + n))
  user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  # gctrace prints "a->b->c MB" for each collection, c being the heap
  # still live after it. Peak RSS follows the collector's goal (at GOGC=400
  # five times the live heap), so a longer run meets a higher peak; a leak
  # shows as a live heap that grows.
  live=$(awk '/^gc / { split($11, h, "->"); if (h[3] + 0 > m) m = h[3] + 0 } END { print m + 0 }' "$WORK/sync.err")
  awk -v n="$n" -v s="$start" -v e="$end" -v u="$user" -v y="$sys" -v r="$rss" -v l="$live" 'BEGIN {
    printf "%.0f %.2f %.1f %d\n", n/(e-s), (u+y)*1e6/n, r/1024, l }'
}

echo "sync environment: ${SYNC_ENV:-(none)}"
printf '%-8s %-6s %10s %12s %14s %12s %13s\n' subject format records records/s cpu-s/1M peak-RSS-MiB max-live-MiB
for n in $SIZES; do
  for f in $FORMATS; do
    in="$WORK/in-$n.$f"
    "$WORK/gen" -rows "$n" -format "$f" >"$in"
    rm -f "$WORK"/runs-*.txt
    for _ in $(seq "$REPEAT"); do
      for s in $subjects; do
        [ "$s" != sdk ] || [ "$f" = csv ] || continue # the SDK peer reads CSV only
        measure "$s" "$in" "$n" >>"$WORK/runs-$s.txt"
      done
    done
    # Each subject's run with the median CPU time (the middle one of REPEAT).
    for s in $subjects; do
      [ -f "$WORK/runs-$s.txt" ] || continue
      sort -k2,2n "$WORK/runs-$s.txt" | awk -v s="$s" -v f="$f" -v n="$n" -v k="$REPEAT" 'NR == int((k+1)/2) {
        printf "%-8s %-6s %10d %12.0f %14.2f %12.1f %13d\n", s, f, n, $1, $2, $3, $4 }'
    done
    rm -f "$in"
  done
done

# Stop the emulator and check its count: a subject that skipped records
# must not pass for a fast one.
kill -INT "$emu"
wait "$emu" || true
emu=
applied=$(sed -n 's/.*"msg":"emulator stopped".*"records_applied":\([0-9]*\).*/\1/p' "$WORK/emulator.err")
[ "$applied" = "$sent" ] || { echo "bench: the emulator applied ${applied:-?} records of $sent sent" >&2; exit 1; }
echo "emulator: all $sent records applied"
