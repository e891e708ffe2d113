#!/usr/bin/env bash
# The sustained run of docs/benchmarks.md, drawn against the data written:
#   bench/plot/sustained.sh diskless|durable [duration] [extra vr bench flags...]
# runs `vr bench --local 3 --keys 1000000 --value-size 1024 --clients 64`
# for the duration (default 10m; 13m with the kill flags of the doc), keeps
# its JSON report, its per-second samples (CSV) and the SVG over time, and
# draws docs/img/sustained-<mode>-vs-data.png with the Go program beside
# this script (gonum/plot). Run it on a quiet machine: it takes both cores.
set -euo pipefail
mode=${1:?usage: sustained.sh diskless|durable [duration] [vr bench flags...]}
duration=${2:-10m}
shift $(( $# >= 2 ? 2 : 1 ))
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-$root/bench/plot/out}
mkdir -p "$out"
durable=()
[ "$mode" = durable ] && durable=(--durable)
go build -o "$out/vr" "$root/cmd/vr"
"$out/vr" bench --local 3 "${durable[@]}" --keys 1000000 --value-size 1024 --clients 64 \
  --duration "$duration" --warmup 0 --json --samples "$out/$mode.csv" --plot "$out/$mode.svg" "$@" \
  > "$out/$mode.json" 2> "$out/$mode.progress"
cd "$root/bench/plot"
go run . --in "$out/$mode.csv" --out "$root/docs/img/sustained-$mode-vs-data.png" \
  --title "vr bench --local 3 ($mode), 1M keys, 1 KiB values, 64 clients, $duration; $(uname -m), $(nproc) cores"
echo "report $out/$mode.json, samples $out/$mode.csv, figure docs/img/sustained-$mode-vs-data.png"
