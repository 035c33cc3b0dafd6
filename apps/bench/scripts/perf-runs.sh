#!/usr/bin/env bash
# The measurement runs behind docs/PERFORMANCE.md, in one go (~8 min on 2 cores). Run from the repository root
# on an otherwise idle machine:   bash apps/bench/scripts/perf-runs.sh
# Tables go to bench-results/perf-<time>/*.txt, JSON next to them, server CPU profiles summarised in profile-*.txt.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ulimit -n 20000 2>/dev/null || echo "note: could not raise ulimit -n (idle 10000 needs > 10100)"
out="bench-results/perf-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$out"
echo "load before: $(cat /proc/loadavg)" | tee "$out/load.txt"
run() { local name=$1; shift; echo "== $name: pnpm bench -- $*" | tee -a "$out/commands.txt"; pnpm -s bench -- "$@" --out "$out/$name.json" 2>"$out/$name.log" | tee "$out/$name.txt"; }
run relay   --scenarios relay,relay50,pingpong,loginload,slow --repeat 5
run misc    --scenarios login,idle,micro
run offline --scenarios offline --repeat 5
run mariadb --db mariadb --scenarios offline --repeat 5
run mariadb-login --db mariadb --scenarios login
# the first catch-up after the server started (nothing JIT-compiled or prepared yet)
run cold    --scenarios offline --warmup 0
run cold-mariadb --db mariadb --scenarios offline --warmup 0
run idle10k --scenarios idle --idle 10000 --warmup 0
mkdir -p "$out/prof"
# from source, so that the profile names the files (the bundle is one file)
run prof    --scenarios relay,pingpong,login,offline --offline 300 --logins 100 --server-prof "$out/prof" --server-main apps/server/src/main.ts
prof=$(ls "$out"/prof/*.001.cpuprofile 2>/dev/null | head -1 || true)
if [ -n "$prof" ]; then
  for phase in relay pingpong login offline.store offline.catchUp; do
    pnpm -s exec tsx apps/bench/src/profile.ts "$prof" --results "$out/prof.json" --scenario "$phase" --top 25 > "$out/profile-$phase.txt" 2>&1 || true
  done
fi
echo "load after: $(cat /proc/loadavg)" | tee -a "$out/load.txt"
echo "results in $out"
