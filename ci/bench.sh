#!/usr/bin/env bash
# Benchmarks, as the README's Performance section reports them. Not part of the tests (they take minutes
# and measure the machine as much as the code).
#
#   ci/bench.sh                 the synthetic shop (2,000,000 events) through every pipeline and reference on
#                               Flink, then the full Online Retail year (hot items only vs the whole batch)
#                               on Flink and Spark
#   ci/bench.sh synthetic ARGS  only the synthetic part; ARGS go to the bench command (--events=, --runner=, ...)
#   ci/bench.sh retail ARGS     only the Online Retail part
#   ci/bench.sh scale           peak heap, live set and collector time of the batch pipeline at 1, 3 and 10
#                               million synthetic events (Flink), each in the same heap (SCALE_HEAP, 1g)
#
# One line per run on stdout; a JSON record per run appended to bench-results/bench.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=runners/target/shopbeam-bundled.jar
if [ ! -f "$jar" ]; then
  mvn -B -q -o package -DskipTests -pl runners -am
fi
retail="${RETAIL_FILE:-../shared/datasets/online-retail/online-retail-2010-2011.csv.gz}"
mkdir -p bench-results
# One JVM per bench invocation; a fixed heap, so that peak heap figures compare across runs.
bench() { java -Xms1g -Xmx6g -jar "$jar" bench --workDir=bench-work --json=bench-results/bench.jsonl "$@"; }

part="${1:-all}"
[ $# -gt 0 ] && shift
case "$part" in
  synthetic)
    bench --events=2000000 --pipelines=all --runner=FlinkRunner "$@" ;;
  retail)
    for runner in FlinkRunner SparkRunner; do
      bench --input="$retail" --format=online-retail --pipelines=hot-items,batch --runner="$runner" "$@"
    done ;;
  scale)
    # Every size gets the same heap (SCALE_HEAP, 1 GB unless set): given room, G1 grows its young
    # generation with the allocation rate, so peak heap in use under -Xmx6g follows the run's speed, not
    # what it holds. Flat memory shows as every size finishing in the same heap at the same rate with the
    # collector's time (gc s) in proportion. Flink's managed memory is 40% of the heap, off-heap, besides.
    heap="${SCALE_HEAP:-1g}"
    for n in 1000000 3000000 10000000; do
      # The live set: a full collection every 15 s, the heap in use right after it (costs some time).
      java -Xms"$heap" -Xmx"$heap" -jar "$jar" bench --workDir=bench-work --json=bench-results/bench.jsonl \
        --events="$n" --pipelines=batch --runner=FlinkRunner --liveHeapEvery=15 "$@"
    done ;;
  all)
    bash "$0" synthetic "$@"
    bash "$0" retail "$@" ;;
  *)
    echo "usage: ci/bench.sh [all|synthetic|retail|scale] [bench options]" >&2; exit 2 ;;
esac
