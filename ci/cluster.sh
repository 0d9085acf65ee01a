#!/usr/bin/env bash
# Proves that the bundled jar runs the batch pipeline on real multi-process clusters, not only on the
# runners' embedded ones:
#
#   flink  an Apache Flink 1.19.0 session cluster - JobManager and TaskManager, two JVMs started from the
#          Flink jars on Maven Central (no flink-dist) - gets the job through its REST endpoint:
#          --runner=FlinkRunner --flinkMaster=localhost:PORT
#   spark  a Spark 3.5.7 standalone cluster - Master and Worker JVMs; the Worker starts the executor JVM -
#          gets it from a client-mode driver: --runner=SparkRunner --sparkMaster=spark://127.0.0.1:PORT
#
# The same input also runs once on the embedded Flink cluster (the default runner, in the background while
# the clusters start and work); every cluster output must be identical to it row for row (`compare`), and
# the cluster's own API must show the job/application FINISHED there, on its TaskManager/executor.
#
#   usage: bash ci/cluster.sh [flink|spark|all]      (default all)
#
# Needs Java 17, curl, jq, ss, setsid. The cluster class paths come from the tiny poms in ci/cluster/*/,
# resolved offline from ~/.m2 once (cached in ci/cluster/*/target/). Everything listens on loopback on
# free ports and is stopped on exit, whatever happens; logs and outputs go to a temp dir, printed with the
# tail of every log on failure. KEEP_WORK=1 keeps the temp dir after a passing run too.
set -euo pipefail

MODE=${1:-all}
case "$MODE" in
  flink|spark|all) ;;
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bash ci/cluster.sh [flink|spark|all]" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CLUSTER_DIR=$ROOT/ci/cluster
INPUT=$ROOT/test-data/online-retail-2010-12-01_07.csv
FORMAT=online-retail
MVN_LOCK=/tmp/shopbeam-mvn.lock
PARALLELISM=${PARALLELISM:-2}   # of the Flink job: the TaskManager has 2 slots
STARTUP_TIMEOUT_S=90            # per cluster, until it reports its TaskManager / Worker
JOB_TIMEOUT_S=600               # per batch command (the whole script should take ~3-5 min)

for tool in java curl jq ss setsid flock; do
  command -v "$tool" >/dev/null || { echo "ci/cluster.sh: needs '$tool' on the PATH" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/shopbeam-cluster.XXXXXX)
LOGS=$WORK/logs
mkdir -p "$LOGS"
CLUSTER_PGIDS=()   # cluster JVMs: each one leads its own process group (setsid), stopped by group
CLIENT_PGIDS=()    # batch/compare commands running in the background
USED_PORTS=" "
STATUS=FAIL
T0_MS=$(( $(date +%s%N) / 1000000 ))
REPORT=()
WARNINGS=()

log() { printf '[cluster.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v d="$1" 'BEGIN { printf "%.1f", d / 1000 }'; }
since() { secs $(( $(now_ms) - $1 )); }
fail() { log "FAIL: $*"; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------------------------------------- cleanup
stop_group() {   # TERM the process group, KILL whatever is left after 15 s
  local pgid=$1 i
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 1 30); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.5
  done
  log "process group $pgid still alive 15 s after SIGTERM: SIGKILL"
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

stop_clusters() {
  local i
  for (( i=${#CLUSTER_PGIDS[@]}-1; i>=0; i-- )); do stop_group "${CLUSTER_PGIDS[$i]}"; done
  CLUSTER_PGIDS=()
}

dump_logs() {
  local f
  for f in "$LOGS"/*; do
    [ -s "$f" ] || continue
    echo "----- tail -n 40 $f"
    tail -n 40 "$f"
  done
  [ -d "$WORK/spark-work" ] || return 0
  while IFS= read -r f; do
    echo "----- tail -n 40 $f (executor)"
    tail -n 40 "$f"
  done < <(find "$WORK/spark-work" -name stderr -size +0 2>/dev/null)
}

on_exit() {
  local rc=$? g line left
  trap - EXIT INT TERM
  set +e
  for g in "${CLIENT_PGIDS[@]}"; do stop_group "$g"; done
  stop_clusters
  # Every JVM this run started has $WORK on its command line: none may survive.
  left=$(pgrep -f "$WORK" || true)
  if [ -n "$left" ]; then
    log "leftover processes of this run: $(echo $left); killing them"
    kill -KILL $left 2>/dev/null
    rc=1
  fi
  # The uploaded job jar is copied into the blob stores and executor dirs: never keep those.
  rm -rf "$WORK"/flink-blobs "$WORK"/flink-tmp "$WORK"/flink-web* "$WORK"/spark-local "$WORK"/shopbeam-bundled.jar
  find "$WORK/spark-work" -name '*.jar' -delete 2>/dev/null
  echo
  echo "================ ci/cluster.sh $MODE"
  for line in "${REPORT[@]}"; do echo "  $line"; done
  for line in "${WARNINGS[@]}"; do echo "  WARNING: $line"; done
  echo "  total: $(since "$T0_MS") s (load average at the end: $(load); $(nproc) cores)"
  if [ "$rc" -eq 0 ] && [ "$STATUS" = PASS ]; then
    echo "PASS"
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "  kept: $WORK"; else rm -rf "$WORK"; fi
  else
    dump_logs
    [ "$rc" -eq 0 ] && rc=1
    echo "FAIL (exit $rc); logs and outputs kept in $WORK"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- helpers
free_port() {   # free_port VAR: a TCP port nobody listens on that this run has not handed out yet
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
      USED_PORTS="$USED_PORTS$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  fail "no free TCP port found"
}

# start_cluster_jvm VAR LOGFILE [ENV=VALUE...] -- java-args...: a cluster JVM in its own process group
start_cluster_jvm() {
  local var=$1 out=$2
  shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  ( cd "$WORK" && exec env "${envs[@]}" setsid java "$@" >"$out" 2>&1 </dev/null ) &
  CLUSTER_PGIDS+=("$!")
  printf -v "$var" '%s' "$!"
  log "started ${var%_PID} (pid $!), output $out"
}

alive() { kill -0 "$1" 2>/dev/null; }

# start_cmd LABEL [ENV=VALUE...] -- java-args...: runs `java ARGS` in the background in its own process
# group, output to $LOGS/LABEL.log, exit code and wall time to $WORK/LABEL.result; sets CMD_PID.
start_cmd() {
  local label=$1
  shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" setsid bash -c '
      start=$(date +%s%N); cd "$1"; out=$2; res=$3; limit=$4; shift 4
      timeout --foreground --kill-after=10 "$limit" java "$@" >"$out" 2>&1 </dev/null; rc=$?
      echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" >"$res"' \
    _ "$WORK" "$LOGS/$label.log" "$WORK/$label.result" "$JOB_TIMEOUT_S" "$@" </dev/null &
  CMD_PID=$!
  CLIENT_PGIDS+=("$CMD_PID")
}

# await_cmd LABEL PID: waits for it; sets CMD_RC and CMD_MS
await_cmd() {
  local label=$1 pid=$2
  wait "$pid" || true
  CMD_RC=255; CMD_MS=0
  [ -s "$WORK/$label.result" ] && read -r CMD_RC CMD_MS <"$WORK/$label.result"
  [ "$CMD_RC" = 124 ] && log "$label: killed after the ${JOB_TIMEOUT_S} s limit"
  return 0
}

# batch LABEL OUTDIR [ENV=VALUE...] -- pipeline-args...: starts the bundled jar's batch command
batch() {
  local label=$1 out=$2
  shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  log "$label: java -jar shopbeam-bundled.jar batch $* --input=$INPUT --format=$FORMAT --output=$out"
  start_cmd "$label" "${envs[@]}" -- -jar "$JAR" batch "$@" --input="$INPUT" --format="$FORMAT" --output="$out"
}

# batch_done LABEL PID [NAME=PID...]: waits for a batch command, reports it, fails on a non-zero exit.
# NAME=PID: cluster JVMs the job needs; if one of them dies meanwhile, fail at once rather than wait for
# the job to notice (a Flink job without its TaskManager waits minutes for a slot).
batch_done() {
  local label=$1 pid=$2 w
  shift 2
  while kill -0 "$pid" 2>/dev/null; do
    for w in "$@"; do
      alive "${w#*=}" || fail "$label: the ${w%=*} (pid ${w#*=}) died while the job ran"
    done
    sleep 1
  done
  await_cmd "$label" "$pid"
  REPORT+=("$label: batch command $(secs "$CMD_MS") s, exit $CMD_RC")
  log "$label: exit $CMD_RC after $(secs "$CMD_MS") s"
  if [ "$CMD_RC" != 0 ]; then
    grep -vE '^\s+at ' "$LOGS/$label.log" | tail -n 25
    fail "$label: the batch command exited $CMD_RC (log $LOGS/$label.log)"
  fi
  grep -E '^(done in|read )' "$LOGS/$label.log" | sed 's/^/    /' || true
}

compare_with_reference() {   # compare_with_reference LABEL CLUSTER_OUT
  local label=$1 out=$2
  start_cmd "$label" -- -jar "$JAR" compare "$REF_OUT" "$out"
  await_cmd "$label" "$CMD_PID"
  REPORT+=("$label: $(secs "$CMD_MS") s, exit $CMD_RC")
  if [ "$CMD_RC" != 0 ]; then
    tail -n 30 "$LOGS/$label.log"
    fail "$label: compare $REF_OUT $out exited $CMD_RC"
  fi
  log "$label: every table identical (exit 0)"
  sed 's/^/    /' "$LOGS/$label.log"
}

# Class path of a cluster from its pom under ci/cluster/NAME/, resolved offline from ~/.m2 and cached next
# to the pom (target/ is git-ignored) until the pom changes or one of the jars disappears.
cluster_classpath() {
  local name=$1
  local pom=$CLUSTER_DIR/$name/pom.xml cache_dir=$CLUSTER_DIR/$name/target
  local cache=$cache_dir/classpath.txt stamp=$cache_dir/classpath.pom.sha256 sum jar ok=1
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  if [ -s "$cache" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
    while IFS= read -r jar; do [ -f "$jar" ] || { ok=0; break; }; done < <(tr ':' '\n' <"$cache")
    if [ "$ok" = 1 ]; then cat "$cache"; return 0; fi
  fi
  mkdir -p "$cache_dir"
  log "resolving the $name cluster class path: mvn -o -f $pom dependency:build-classpath (waits for $MVN_LOCK)" >&2
  if ! (cd "$ROOT" && flock "$MVN_LOCK" mvn -B -o -q -f "$pom" dependency:build-classpath \
          -Dmdep.outputFile="$cache.tmp") >"$LOGS/mvn-$name-classpath.log" 2>&1; then
    cat "$LOGS/mvn-$name-classpath.log" >&2
    echo "cannot resolve $pom offline; fetch its artifacts once with: cd $ROOT && flock $MVN_LOCK mvn -B -q -f $pom dependency:build-classpath -Dmdep.outputFile=/dev/null" >&2
    return 1
  fi
  mv "$cache.tmp" "$cache"
  echo "$sum" >"$stamp"
  cat "$cache"
}

assert_no_project_classes() {   # ShopBeam and Beam reach a cluster only inside the submitted jar
  if tr ':' '\n' <<<"$2" | grep -Eiq '/dev/shopbeam/|/org/apache/beam/|shopbeam'; then
    fail "the $1 cluster class path contains ShopBeam or Beam jars"
  fi
}

# ---------------------------------------------------------------------------------------------- Flink
FLINK_URL=""; FLINK_CONF=""; FLINK_T0=0
flink_start() {
  FLINK_T0=$(now_ms)
  local cp rest jmrpc java_opts jm_params tm_params
  cp=$(cluster_classpath flink) || fail "no Flink class path"
  assert_no_project_classes flink "$cp"
  free_port rest; free_port jmrpc
  FLINK_CONF=$WORK/flink-conf
  FLINK_URL=http://localhost:$rest
  mkdir -p "$FLINK_CONF" "$WORK/flink-tmp"
  sed -e "s#@REST_PORT@#$rest#g" -e "s#@JM_RPC_PORT@#$jmrpc#g" -e "s#@WORK@#$WORK#g" \
    "$CLUSTER_DIR/flink/flink-conf.yaml.template" >"$FLINK_CONF/flink-conf.yaml"
  cp "$CLUSTER_DIR/flink/log4j.properties" "$FLINK_CONF/log4j.properties"
  java_opts=$(sed -n 's/^env\.java\.opts\.all:[[:space:]]*//p' "$FLINK_CONF/flink-conf.yaml")
  # JVM memory flags and dynamic properties exactly as bin/jobmanager.sh and bin/taskmanager.sh compute
  # them (flink-runtime's BashJavaUtils) from the memory sizes in flink-conf.yaml.
  jm_params=$(java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils GET_JM_RESOURCE_PARAMS \
    --configDir "$FLINK_CONF" 2>>"$LOGS/flink-bashjavautils.log" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p')
  tm_params=$(java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils GET_TM_RESOURCE_PARAMS \
    --configDir "$FLINK_CONF" 2>>"$LOGS/flink-bashjavautils.log" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p')
  [ "$(wc -l <<<"$jm_params")" = 2 ] && [ "$(wc -l <<<"$tm_params")" = 2 ] \
    || fail "BashJavaUtils did not compute the JobManager/TaskManager memory settings"
  log "Flink JobManager JVM: $(sed -n 1p <<<"$jm_params"); TaskManager JVM: $(sed -n 1p <<<"$tm_params")"
  local logconf=-Dlog4j.configurationFile=file:$FLINK_CONF/log4j.properties
  # shellcheck disable=SC2046,SC2086  # the flag lists are meant to split into words
  start_cluster_jvm FLINK_JM_PID "$LOGS/flink-jobmanager.out" -- $(sed -n 1p <<<"$jm_params") $java_opts \
    -Dlog.file="$LOGS/flink-jobmanager.log" "$logconf" -cp "$cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$FLINK_CONF" \
    $(sed -n 2p <<<"$jm_params")
  # shellcheck disable=SC2046,SC2086
  start_cluster_jvm FLINK_TM_PID "$LOGS/flink-taskmanager.out" -- $(sed -n 1p <<<"$tm_params") $java_opts \
    -Dlog.file="$LOGS/flink-taskmanager.log" "$logconf" -cp "$cp" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$FLINK_CONF" \
    $(sed -n 2p <<<"$tm_params")
}

FLINK_TM_ID=""
flink_wait_ready() {
  local overview="" deadline=$(( $(now_ms) + STARTUP_TIMEOUT_S * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    alive "$FLINK_JM_PID" || fail "the Flink JobManager exited during startup"
    alive "$FLINK_TM_PID" || fail "the Flink TaskManager exited during startup"
    overview=$(curl -fsS --max-time 2 "$FLINK_URL/overview" 2>/dev/null || true)
    [ "$(jq -r '.taskmanagers == 1 and ."slots-total" == 2' <<<"$overview" 2>/dev/null || true)" = true ] && break
    overview=""
    sleep 0.5
  done
  [ -n "$overview" ] || fail "the Flink cluster at $FLINK_URL did not report 1 TaskManager with 2 slots within $STARTUP_TIMEOUT_S s"
  FLINK_TM_ID=$(curl -fsS "$FLINK_URL/taskmanagers" | jq -r '.taskmanagers[0].id')
  REPORT+=("flink-cluster: JobManager + TaskManager up (REST reports 1 TaskManager) after $(since "$FLINK_T0") s")
  log "Flink $(jq -r '."flink-version"' <<<"$overview") session cluster up at $FLINK_URL: TaskManager $FLINK_TM_ID, $(jq -r '."slots-total"' <<<"$overview") slots"
}

flink_run_and_verify() {
  local job=shopbeam-cluster-check-$$ out=$WORK/out-flink-cluster
  batch flink-cluster "$out" -- --runner=FlinkRunner --flinkMaster="${FLINK_URL#http://}" \
    --parallelism="$PARALLELISM" --jobName="$job"
  batch_done flink-cluster "$CMD_PID" "Flink JobManager=$FLINK_JM_PID" "Flink TaskManager=$FLINK_TM_PID"
  # The cluster must know the job, FINISHED, and its tasks must have run on our TaskManager.
  local jobs jid state tasks vertices on_tm
  jobs=$(curl -fsS "$FLINK_URL/jobs/overview") || fail "GET $FLINK_URL/jobs/overview failed"
  jid=$(jq -r --arg n "$job" '[.jobs[] | select(.name == $n)][0].jid // empty' <<<"$jobs")
  [ -n "$jid" ] || fail "the Flink cluster has no job named $job: $(jq -c . <<<"$jobs")"
  state=$(jq -r --arg j "$jid" '.jobs[] | select(.jid == $j) | .state' <<<"$jobs")
  [ "$state" = FINISHED ] || fail "Flink job $jid ($job) is $state, not FINISHED"
  tasks=$(jq -r --arg j "$jid" '.jobs[] | select(.jid == $j) | "\(.tasks.finished)/\(.tasks.total) tasks finished, \(.duration / 1000) s on the cluster"' <<<"$jobs")
  vertices=$(curl -fsS "$FLINK_URL/jobs/$jid" | jq -r '.vertices[].id')
  on_tm=$(for v in $(head -n 1 <<<"$vertices") $(tail -n 1 <<<"$vertices"); do
            curl -fsS "$FLINK_URL/jobs/$jid/vertices/$v/taskmanagers" | jq -r '.taskmanagers[]."taskmanager-id"'
          done | sort -u | paste -sd, -)
  [ "$on_tm" = "$FLINK_TM_ID" ] || fail "Flink job $jid: its first and last vertices ran on '$on_tm', not on TaskManager $FLINK_TM_ID"
  REPORT+=("flink-cluster: job $jid FINISHED on the session cluster: $tasks, $(wc -l <<<"$vertices") vertices, on TaskManager $FLINK_TM_ID")
  log "Flink job $jid ($job): FINISHED on the session cluster, $tasks"
  FLINK_OUT=$out
}

# ---------------------------------------------------------------------------------------------- Spark
SPARK_MASTER=""; SPARK_UI=""; SPARK_T0=0; SPARK_HOME_DIR=""
spark_start() {
  SPARK_T0=$(now_ms)
  local cp jar opens mport mui wport wui
  cp=$(cluster_classpath spark) || fail "no Spark class path"
  assert_no_project_classes spark "$cp"
  # The Worker builds each executor's class path from $SPARK_HOME/jars (it has no other source), so this
  # run gets a SPARK_HOME whose jars/ links the resolved jars.
  SPARK_HOME_DIR=$WORK/spark-home
  mkdir -p "$SPARK_HOME_DIR/jars" "$SPARK_HOME_DIR/conf" "$WORK/spark-work" "$WORK/spark-local"
  while IFS= read -r jar; do ln -sf "$jar" "$SPARK_HOME_DIR/jars/"; done < <(tr ':' '\n' <<<"$cp")
  cp "$CLUSTER_DIR/spark/log4j2.properties" "$SPARK_HOME_DIR/conf/log4j2.properties"
  opens=$(grep -v '^#' "$CLUSTER_DIR/spark/java17-flags.txt" | tr '\n' ' ')
  free_port mport; free_port mui; free_port wport; free_port wui
  SPARK_MASTER=spark://127.0.0.1:$mport
  SPARK_UI=http://127.0.0.1:$mui
  local envs=(SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
              SPARK_LOCAL_DIRS="$WORK/spark-local" SPARK_CONF_DIR="$SPARK_HOME_DIR/conf")
  # shellcheck disable=SC2086
  local jvm=(-Xmx512m $opens -Dlog4j.configurationFile="file:$SPARK_HOME_DIR/conf/log4j2.properties"
             -cp "$SPARK_HOME_DIR/conf:$SPARK_HOME_DIR/jars/*")
  start_cluster_jvm SPARK_MASTER_PID "$LOGS/spark-master.log" "${envs[@]}" -- "${jvm[@]}" \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$mport" --webui-port "$mui"
  start_cluster_jvm SPARK_WORKER_PID "$LOGS/spark-worker.log" "${envs[@]}" -- "${jvm[@]}" \
    org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port "$wport" --webui-port "$wui" \
    --cores 2 --memory 3g --work-dir "$WORK/spark-work" "$SPARK_MASTER"
}

SPARK_WORKER_ID=""
spark_wait_ready() {
  local json="" deadline=$(( $(now_ms) + STARTUP_TIMEOUT_S * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    alive "$SPARK_MASTER_PID" || fail "the Spark Master exited during startup"
    alive "$SPARK_WORKER_PID" || fail "the Spark Worker exited during startup"
    json=$(curl -fsS --max-time 2 "$SPARK_UI/json/" 2>/dev/null || true)
    [ "$(jq -r '.aliveworkers == 1 and .cores == 2' <<<"$json" 2>/dev/null || true)" = true ] && break
    json=""
    sleep 0.5
  done
  [ -n "$json" ] || fail "the Spark Master at $SPARK_MASTER did not report 1 alive Worker within $STARTUP_TIMEOUT_S s"
  SPARK_WORKER_ID=$(jq -r '.workers[0].id' <<<"$json")
  REPORT+=("spark-cluster: Master + Worker up (Master reports 1 alive Worker) after $(since "$SPARK_T0") s")
  log "Spark standalone cluster up at $SPARK_MASTER: $SPARK_WORKER_ID, $(jq -r '.cores' <<<"$json") cores, $(jq -r '.memory' <<<"$json") MB"
}

spark_run_and_verify() {
  local app=shopbeam-cluster-check-$$ out=$WORK/out-spark-cluster
  # Client mode: the driver is this JVM (its launcher gives it the Java 17 flags); Spark 3.5 adds them
  # to the executors' command line itself.
  batch spark-cluster "$out" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS="$WORK/spark-local" -- --runner=SparkRunner --sparkMaster="$SPARK_MASTER" \
    --appName="$app"
  batch_done spark-cluster "$CMD_PID" "Spark Master=$SPARK_MASTER_PID" "Spark Worker=$SPARK_WORKER_PID"
  local json app_id app_state exec_dirs finished lost
  json=$(curl -fsS "$SPARK_UI/json/") || fail "GET $SPARK_UI/json/ failed"
  app_id=$(jq -r --arg n "$app" '[.completedapps[] | select(.name == $n)][0].id // empty' <<<"$json")
  [ -n "$app_id" ] || fail "the Spark Master has no completed application named $app: $(jq -c '[.activeapps[], .completedapps[]] | map({name, state})' <<<"$json")"
  app_state=$(jq -r --arg i "$app_id" '.completedapps[] | select(.id == $i) | .state' <<<"$json")
  [ "$app_state" = FINISHED ] || fail "Spark application $app_id ($app) is $app_state, not FINISHED"
  exec_dirs=$(find "$WORK/spark-work/$app_id" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
  finished=$(cat "$WORK/spark-work/$app_id"/*/stderr 2>/dev/null | grep -c 'Executor: Finished task' || true)
  [ "$exec_dirs" -ge 1 ] && [ "$finished" -ge 1 ] \
    || fail "Spark application $app_id: no task finished in an executor of the Worker ($exec_dirs executor dirs)"
  REPORT+=("spark-cluster: application $app_id FINISHED on the standalone cluster: $finished tasks finished in $exec_dirs executor JVM(s) of $SPARK_WORKER_ID")
  log "Spark application $app_id ($app): FINISHED on the standalone cluster, $finished tasks in $exec_dirs executor(s)"
  lost=$(grep -c 'WARN  TaskSetManager: Lost task' "$LOGS/spark-cluster.log" || true)
  if [ "$lost" -gt 0 ]; then
    WARNINGS+=("spark-cluster: $lost task attempt(s) failed and were retried: $(grep -m1 -o 'Lost task.*' "$LOGS/spark-cluster.log" | cut -c1-220)")
    log "WARNING: $lost Spark task attempt(s) failed and were retried (see the summary)"
  fi
  SPARK_OUT=$out
}

# ---------------------------------------------------------------------------------------------- main
JAR_SRC=$ROOT/runners/target/shopbeam-bundled.jar
if [ ! -s "$JAR_SRC" ]; then
  log "no $JAR_SRC: building it (mvn -o package -DskipTests, waits for $MVN_LOCK)"
  (cd "$ROOT" && flock "$MVN_LOCK" mvn -B -q -o package -DskipTests) || fail "the build of the bundled jar failed"
fi
# A snapshot of the jar (a hard link, no copy) so that a rebuild during the run cannot change it.
JAR=$WORK/shopbeam-bundled.jar
ln "$JAR_SRC" "$JAR" 2>/dev/null || cp "$JAR_SRC" "$JAR"
[ -f "$INPUT" ] || fail "no input $INPUT"
log "mode $MODE; work dir $WORK; jar $(du -m "$JAR" | cut -f1) MB; input $(wc -l <"$INPUT") lines; load average $(load)"

# Resolve the class paths first (may wait for the mvn lock), then start everything at once.
[ "$MODE" = spark ] || cluster_classpath flink >/dev/null || fail "no Flink class path"
[ "$MODE" = flink ] || cluster_classpath spark >/dev/null || fail "no Spark class path"

REF_OUT=$WORK/out-reference-embedded-flink
batch reference-embedded-flink "$REF_OUT" -- --runner=FlinkRunner
REF_PID=$CMD_PID

case "$MODE" in
  flink) flink_start ;;
  spark) spark_start ;;
  all) flink_start; spark_start ;;
esac

# Both clusters start together; wait for each before the first submission, so that the start-up times
# reported are the clusters' own.
[ "$MODE" = spark ] || flink_wait_ready
[ "$MODE" = flink ] || spark_wait_ready
if [ "$MODE" != spark ]; then
  flink_run_and_verify
  stop_group "$FLINK_TM_PID"; stop_group "$FLINK_JM_PID"
  pgrep -f "$FLINK_CONF" >/dev/null && fail "a Flink JVM of this run is still alive after stopping the cluster"
  REPORT+=("flink-cluster: stopped, no JobManager/TaskManager process left")
fi
[ "$MODE" = flink ] || spark_run_and_verify
stop_clusters
if [ "$MODE" != flink ]; then
  pgrep -f "$WORK/spark" >/dev/null && fail "a Spark JVM of this run is still alive after stopping the cluster"
  REPORT+=("spark-cluster: stopped, no Master/Worker/executor process left")
fi

batch_done reference-embedded-flink "$REF_PID"
[ "$MODE" = spark ] || compare_with_reference "compare(reference, flink-cluster)" "$FLINK_OUT"
[ "$MODE" = flink ] || compare_with_reference "compare(reference, spark-cluster)" "$SPARK_OUT"
STATUS=PASS
