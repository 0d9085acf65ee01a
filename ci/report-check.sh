#!/usr/bin/env bash
# Rendering check of the `report` page, as a person sees it: runs `batch` over test data (a day of Online
# Retail plus its malformed sample, so there are dead letters; the UserBehavior sample, written as Avro),
# runs `report` on each output, renders each page in headless Chromium (a screenshot and the DOM), and
# fails unless the DOM has the charts and the headline numbers of the run's _SUMMARY.json, loads nothing
# from outside the file, and the screenshot exists and is not blank.
#
#   ci/report-check.sh            uses runners/target/shopbeam-bundled.jar (built if missing)
#
# Installs Debian's `chromium` when it is missing (apt-get; needs root, as CI runs). Writes everything to
# target/report-check/ (REPORT_CHECK_DIR to change); the screenshots are target/report-check/*.png.
# Exit 0 when every check passed, 1 otherwise. Can be called from ci/test.sh after `mvn verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jar="$root/runners/target/shopbeam-bundled.jar"
work="${REPORT_CHECK_DIR:-$root/target/report-check}"
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# 1. Chromium
install_seconds="none (already installed)"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "chromium is not installed and this is not root: apt-get install -y chromium, then run again" >&2
    exit 1
  fi
  t=$(now)
  DEBIAN_FRONTEND=noninteractive apt-get update -q >"$work/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-liberation fonts-dejavu-core >>"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log" >&2; echo "apt-get install chromium failed" >&2; exit 1; }
  install_seconds="$(since "$t") s"
fi
echo "chromium: $(chromium --version 2>/dev/null | head -1); install: $install_seconds"

# 2. The jar
if [ ! -f "$jar" ]; then
  mvn -B -q package -DskipTests -pl runners -am
fi

# 3. Batch runs over test data, then report
mkdir -p "$work/in-retail"
cp test-data/online-retail-2010-12-01.csv test-data/malformed/online-retail-malformed.csv "$work/in-retail/"
t=$(now)
java -jar "$jar" batch --input="$work/in-retail/*.csv" --format=online-retail --output="$work/online-retail" \
  --runner=FlinkRunner >"$work/batch-online-retail.log" 2>&1 || { tail -20 "$work/batch-online-retail.log" >&2; exit 1; }
java -jar "$jar" batch --input="$root/test-data/userbehavior-sample.csv" --format=userbehavior \
  --output="$work/userbehavior" --outputFormat=avro --runner=FlinkRunner >"$work/batch-userbehavior.log" 2>&1 \
  || { tail -20 "$work/batch-userbehavior.log" >&2; exit 1; }
batch_seconds=$(since "$t")
t=$(now)
for run in online-retail userbehavior; do
  java -jar "$jar" report --input="$work/$run" --output="$work/$run.html" 2>"$work/report-$run.err" \
    || { cat "$work/report-$run.err" >&2; exit 1; }
done
report_seconds=$(since "$t")

# 4. Render and check
chrome() {
  timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" "$@" 2>>"$work/chromium.log"
}
thousands() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
summary_number() { # FILE read|valid|dead-lettered|filtered, from RunSummary's pretty-printed JSON
  awk -v key="$2" '
    /"deadLettered" :/ { section = "dead-lettered" }
    /"filtered" :/ { section = "filtered" }
    (key == "read" && /"read" :/) || (key == "valid" && /"valid" :/) || (section == key && /"total" :/) {
      gsub(/[^0-9]/, ""); print; exit
    }' "$1"
}
render_seconds=0
check() { # run, the data-chart ids its page must have
  local run=$1
  shift
  local page="file://$work/$run.html" png="$work/$run.png" dom="$work/$run.dom.html"
  local t
  t=$(now)
  chrome --screenshot="$png" --window-size=1400,3000 "$page" >/dev/null
  chrome --dump-dom "$page" >"$dom"
  render_seconds=$(awk -v a="$render_seconds" -v b="$(since "$t")" 'BEGIN { print a + b }')
  local svgs
  svgs=$(grep -o '<svg ' "$dom" | wc -l || true)
  [ "$svgs" -ge "$#" ] && ok "$run: $svgs charts in the DOM" || fail "$run: $svgs <svg> in the DOM, expected at least $#"
  for id in "$@"; do
    grep -q "data-chart=\"$id\"" "$dom" || fail "$run: no chart '$id' in the DOM"
    local points
    points=$(sed -n "/data-chart=\"$id\"/,/<\/svg>/p" "$dom" | grep -o 'class="point"\|<g class="bar"' | wc -l || true)
    [ "$points" -gt 0 ] && ok "$run: chart '$id' has $points points/bars" || fail "$run: chart '$id' is empty"
  done
  for metric in read valid dead-lettered filtered; do
    local want shown
    want=$(thousands "$(summary_number "$work/$run/_SUMMARY.json" "$metric")")
    shown=$(grep -o "data-metric=\"$metric\"><div class=\"value\">[^<]*" "$dom" | sed 's/.*>//' || true)
    [ -n "$want" ] && [ "$shown" = "$want" ] && ok "$run: headline $metric = $shown" \
      || fail "$run: headline $metric shows '$shown', _SUMMARY.json says '$want'"
  done
  for metric in revenue orders users; do
    grep -q "data-metric=\"$metric\"><div class=\"value\">[0-9]" "$dom" || fail "$run: headline $metric is not a number"
  done
  if grep -Eq '<[a-zA-Z][^>]*[[:space:]](src|href|xlink:href|srcset)[[:space:]]*=|https?://|url\(|@import' "$work/$run.html"; then
    fail "$run: the page refers to something outside itself"
  else
    ok "$run: no outside references"
  fi
  local size w h
  size=$(stat -c %s "$png" 2>/dev/null || echo 0)
  # PNG width and height: big-endian at bytes 16..23 of the IHDR chunk
  w=$(od -An -tu1 -j16 -N4 "$png" 2>/dev/null | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 }')
  h=$(od -An -tu1 -j20 -N4 "$png" 2>/dev/null | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 }')
  # a blank 1400x3000 page compresses to a few kB; the report's text and charts to well over 100 kB
  [ "$size" -gt 100000 ] && [ "${w:-0}" = 1400 ] && [ "${h:-0}" = 3000 ] \
    && ok "$run: screenshot $png (${w}x${h}, $size bytes)" \
    || fail "$run: screenshot $png missing or blank (${w:-?}x${h:-?}, $size bytes)"
}
check online-retail revenue events funnel top-items outcomes dead-letter-reasons filter-rules
check userbehavior events funnel top-items top-categories outcomes filter-rules

echo "times: chromium install $install_seconds, batch runs ${batch_seconds} s, report ${report_seconds} s, rendering ${render_seconds} s"
echo "screenshots: $work/online-retail.png $work/userbehavior.png"
if [ "$failures" -gt 0 ]; then
  echo "report check: $failures failed" >&2
  exit 1
fi
echo "report check: all passed"
