#!/usr/bin/env bash
# JMH micro-benchmarks of the parse and clean stages and of the coders of what crosses every shuffle,
# per record, one thread (records/s/core):
# transforms/src/test/java/dev/shopbeam/transforms/bench (ParseBenchmark, CleanBenchmark, CoderBenchmark).
#
#   bash ci/jmh.sh [REGEX] [JMH OPTIONS...]
#
# REGEX      which benchmarks (a JMH include regex); default: all of them. E.g. ParseBenchmark,
#            'CleanBenchmark.validate', 'ParseBenchmark.*' -p format=json
# OPTIONS    any JMH options (java -cp ... org.openjdk.jmh.Main -h lists them), e.g. -p format=json,
#            -prof gc, -prof stack, -i 5. One given here replaces the default of the same name.
# Defaults   -f 1 -wi 2 -w 2s -i 3 -r 3s -foe true: one fork, 2 x 2 s warm-up, 3 x 3 s measured
#            (about 15 s per benchmark and format). JMH_OPTS="..." replaces the defaults altogether.
# Env        MVN_OFFLINE=0 lets Maven download (default: offline, -o). The schemas module comes from the
#            local repository: after changing schemas, `mvn -o -q install -DskipTests` first.
#
# Compiles the transforms module's main and test classes (JMH's annotation processor writes
# META-INF/BenchmarkList into target/test-classes), asks Maven for the test class path, runs JMH, then
# prints one line per benchmark in records/s/core. Results: transforms/target/jmh-result.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

regex="${1:-dev\.shopbeam\.transforms\.bench\.}"
[ $# -gt 0 ] && shift

# Maven: always behind the shared lock (another build may be running on this machine).
mvn_cmd=(mvn -B -q)
[ "${MVN_OFFLINE:-1}" = 1 ] && mvn_cmd+=(-o)
if command -v flock >/dev/null; then
  mvn_cmd=(flock /tmp/shopbeam-mvn.lock "${mvn_cmd[@]}")
fi
cp_file="$root/transforms/target/jmh.classpath"
echo "== compiling transforms (main + test, JMH annotation processing) and resolving its test class path" >&2
"${mvn_cmd[@]}" -pl transforms test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
if [ ! -s transforms/target/test-classes/META-INF/BenchmarkList ]; then
  echo "no META-INF/BenchmarkList in transforms/target/test-classes: JMH's annotation processor did not run" >&2
  exit 1
fi

# Defaults, each dropped when the caller passes the same option.
defaults=()
if [ -n "${JMH_OPTS:-}" ]; then
  read -r -a defaults <<<"$JMH_OPTS"
else
  set_by_caller() {
    local opt=$1; shift
    for a in "$@"; do [ "$a" = "$opt" ] && return 0; done
    return 1
  }
  for pair in "-f 1" "-wi 2" "-w 2s" "-i 3" "-r 3s" "-foe true"; do
    opt=${pair%% *}
    set_by_caller "$opt" "$@" || defaults+=("$opt" "${pair#* }")
  done
fi

result="$root/transforms/target/jmh-result.csv"
rm -f "$result"
echo "== nproc $(nproc); $(java -version 2>&1 | head -1)" >&2
echo "== JMH: $regex ${defaults[*]} $*" >&2
java -cp "transforms/target/test-classes:transforms/target/classes:$(cat "$cp_file")" \
  org.openjdk.jmh.Main "$regex" "${defaults[@]}" "$@" -rf csv -rff "$result"

# JMH's csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"[,"Param: x"...]
# Primary results only (a profiler's secondary results are named "benchmark:·something").
if [ -s "$result" ]; then
  echo
  echo "== records/s/core (one thread; one op = one record)"
  awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); name[i] = h } next }
    {
      for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
      if ($1 ~ /:/ || $7 != "ops/s") next
      b = $1; sub(/^dev\.shopbeam\.transforms\.bench\./, "", b)
      params = ""
      for (i = 8; i <= NF; i++) if (name[i] ~ /^Param: /) params = params (params == "" ? "" : ",") $i
      err = ($6 == "NaN" || $6 == "") ? "" : sprintf("  (+- %.0f, 99.9%% CI)", $6)
      printf "%-34s %-14s %12.0f records/s/core%s\n", b, params, $5, err
    }' "$result"
fi
