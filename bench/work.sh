#!/usr/bin/env bash
# bench/work.sh — the worst one client can cause (issue 16, bounded work):
#
#   1. the CPU time of the costliest request of each shape the default work
#      budget accepts (BenchmarkWorstAccepted; each ≤ 2 CPU-seconds);
#   2. the peak RSS (VmHWM) of four such requests at once, one process per
#      shape so no heap is left over from another (BenchmarkWorstMemory);
#   3. a cheap primary footprint's throughput while heavy requests keep every
#      slot busy, as a ratio to the echo baseline (BenchmarkCheapUnderHeavyLoad).
#
#   bench/work.sh            (make bench-work)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
go test -c -o "$bin" ./api

echo "== worst accepted requests: CPU time"
"$bin" -test.run '^$' -test.bench '^BenchmarkWorstAccepted$' -test.benchtime 3x | grep -E '^Benchmark'

echo "== four at once: peak RSS (VmHWM), one process per shape"
for shape in uncertainty_20pv_15k uncertainty_50inputs_100k compare_99x8pv sweep_500_pv_points sweep_1000_points_1pv pv_hourly_4MiB pv_4MiB_refused; do
	"$bin" -test.run '^$' -test.bench "^BenchmarkWorstMemory\$/^${shape}\$" -test.benchtime 1x | grep -E '^Benchmark'
done

echo "== a cheap footprint while heavy requests fill every slot"
"$bin" -test.run '^$' -test.bench '^BenchmarkCheapUnderHeavyLoad$' -test.benchtime 3s | grep -E '^Benchmark'
