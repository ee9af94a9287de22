#!/usr/bin/env bash
# scripts/bench.sh — how fast is pftls, next to the read limit and pflogsumm?
#
# For each size (default: 1,000,000 and 10,000,000 lines) it generates a log
# with cmd/pftls-loggen (cached by size, seed and generator version), then
# times, one after the other on the same warm file:
#
#   wc -l                       the read limit
#   pflogsumm                   when installed
#   pftls report --db :memory:  parse + correlate + report, nothing kept
#   pftls ingest                into a new file database
#   pftls report --since 24h    from that filled database (PFTLS_NOW = the log's end)
#
# each under /usr/bin/time -v (wall, user+sys CPU, peak RSS), and prints a
# markdown table with lines/s, the ratio to pflogsumm and the share of wc -l,
# and, for each size, the targets of issues #4 and #9 met or not.
#
# Usage: scripts/bench.sh [--write-doc] [SIZE...]
#
#   --write-doc   also rewrite the measured part of docs/performance.md
#                 (between its bench:begin and bench:end markers)
#
# Environment: BENCH_DIR (default /tmp/pftls-bench; logs, databases, outputs
# and binaries go there, never into the repository), BENCH_SIZES, BENCH_SEED
# (1), BENCH_HOSTS (1), BENCH_END (2026-03-02T06:00:00Z), BENCH_SPAN (24h),
# BENCH_RUNS (1: rounds in which every contender runs once; each keeps its
# best wall time), PFLOGSUMM
# (pflogsumm's path, default: found on PATH or /usr/sbin/pflogsumm; set it
# empty to leave pflogsumm out).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/pftls-bench}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_HOSTS=${BENCH_HOSTS:-1}
BENCH_END=${BENCH_END:-2026-03-02T06:00:00Z}
BENCH_SPAN=${BENCH_SPAN:-24h}
BENCH_RUNS=${BENCH_RUNS:-1}
sizes=${BENCH_SIZES:-"1000000 10000000"}
write_doc=0

arg_sizes=()
for a in "$@"; do
	case $a in
	--write-doc) write_doc=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*[!0-9]* | '')
		echo "bench.sh: unknown argument '$a'" >&2
		echo "Try: scripts/bench.sh --write-doc 1000000" >&2
		exit 2
		;;
	*) arg_sizes+=("$a") ;;
	esac
done
if ((${#arg_sizes[@]} > 0)); then
	sizes="${arg_sizes[*]}"
fi

TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench.sh: $TIME is missing (it measures peak RSS)" >&2
	echo "Try: apt-get install -y time" >&2
	exit 2
fi
pflogsumm=${PFLOGSUMM-$(command -v pflogsumm || true)}
if [ -z "${PFLOGSUMM+set}" ] && [ -z "$pflogsumm" ] && [ -x /usr/sbin/pflogsumm ]; then
	pflogsumm=/usr/sbin/pflogsumm
fi
if [ -n "$pflogsumm" ] && [ ! -x "$pflogsumm" ]; then
	echo "bench: $pflogsumm is not executable: pflogsumm is skipped" >&2
	pflogsumm=""
fi

mkdir -p "$BENCH_DIR/bin" "$BENCH_DIR/out"
echo "bench: building into $BENCH_DIR/bin" >&2
(cd "$repo" && go build -o "$BENCH_DIR/bin/pftls" ./cmd/pftls && go build -o "$BENCH_DIR/bin/pftls-loggen" ./cmd/pftls-loggen)
pftls=$BENCH_DIR/bin/pftls
loggen=$BENCH_DIR/bin/pftls-loggen
# A log is cached under a name that changes with the generator's source.
genver=$(cd "$repo" && cat $(ls cmd/pftls-loggen/*.go | grep -v _test.go) | sha256sum | cut -c1-8)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# measure NAME CMD... runs CMD once under /usr/bin/time -v (stdout to a
# file in $BENCH_DIR/out) and keeps its wall time, CPU time and peak RSS in
# best_wall[NAME], best_cpu[NAME], best_rss[NAME] when it is NAME's fastest
# run so far.
declare -A best_wall best_cpu best_rss
measure() {
	local name=$1
	shift
	local tv t0 t1 w c r
	tv=$BENCH_DIR/out/$name.time
	t0=$(date +%s%N)
	if ! "$TIME" -v -o "$tv" "$@" >"$BENCH_DIR/out/$name.out" 2>"$BENCH_DIR/out/$name.err"; then
		echo "bench: $name failed; see $BENCH_DIR/out/$name.err" >&2
		tail -5 "$BENCH_DIR/out/$name.err" >&2
		exit 1
	fi
	t1=$(date +%s%N)
	# Wall time in ms from the clock (time -v rounds to 10 ms, too coarse
	# for wc -l); CPU time and peak RSS from time -v.
	w=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
	c=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$tv")
	r=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tv")
	if [ -z "${best_wall[$name]:-}" ] || awk -v a="$w" -v b="${best_wall[$name]}" 'BEGIN {exit !(a < b)}'; then
		best_wall[$name]=$w best_cpu[$name]=$c best_rss[$name]=$r
	fi
}

# best NAME sets wall, cpu and rss_mb from NAME's fastest run.
best() {
	wall=${best_wall[$1]} cpu=${best_cpu[$1]} rss_mb=${best_rss[$1]}
}

table=$BENCH_DIR/out/table.md
targets=$BENCH_DIR/out/targets.md
: >"$targets"
{
	echo "| tool | lines | wall s | CPU s | lines/s | × pflogsumm | % of wc -l | peak RSS MB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"

# row TOOL LINES: appends a table row from wall, cpu, rss_mb; pfl_rate and
# wc_rate are the reference speeds (empty when not measured).
row() {
	local tool=$1 lines=$2
	awk -v tool="$tool" -v lines="$lines" -v wall="$wall" -v cpu="$cpu" -v rss="$rss_mb" \
		-v pfl="${pfl_rate:-}" -v wc="${wc_rate:-}" 'BEGIN {
		rate = wall > 0 ? lines / wall : 0
		xp = pfl != "" ? sprintf("%.1f", rate / pfl) : "–"
		xw = wc != "" ? sprintf("%.2f%%", 100 * rate / wc) : "–"
		printf "| %s | %d | %.3f | %.2f | %.0f | %s | %s | %d |\n", tool, lines, wall, cpu, rate, xp, xw, rss
	}' >>"$table"
}

target() { # target NAME OK(0|1) DETAIL
	local mark="not met"
	if [ "$2" = 1 ]; then mark="met"; fi
	echo "- $1: **$mark** ($3)" >>"$targets"
}

gt() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; }

for n in $sizes; do
	log=$BENCH_DIR/mail-$n-s$BENCH_SEED-h$BENCH_HOSTS-$genver.log
	if [ ! -s "$log" ]; then
		echo "bench: generating $n lines into $log" >&2
		"$loggen" -lines "$n" -seed "$BENCH_SEED" -hosts "$BENCH_HOSTS" -end "$BENCH_END" -span "$BENCH_SPAN" -o "$log.tmp"
		mv "$log.tmp" "$log"
		touch -r "$log" "$log" # keep the mtime the generator set (the last stamp)
	fi
	cat "$log" >/dev/null # every contender reads a warm file
	mb=$(($(stat -c %s "$log") / 1000000))
	echo "bench: $n lines ($mb MB)" >&2
	pfl_rate="" wc_rate=""

	# The contenders take turns, round after round, so that each sees the
	# same spells of a shared machine's load; each keeps its fastest run.
	db=$BENCH_DIR/bench-$n.db
	for ((round = 1; round <= BENCH_RUNS; round++)); do
		if ((BENCH_RUNS > 1)); then echo "  round $round of $BENCH_RUNS" >&2; fi
		measure "wc-$n" wc -l "$log"
		if [ -n "$pflogsumm" ]; then
			measure "pflogsumm-$n" "$pflogsumm" "$log"
		fi
		measure "report-memory-$n" "$pftls" report --db :memory: --tz UTC "$log"
		rm -f "$db" "$db-wal" "$db-shm" "$db.lock" # ingest into a new database
		measure "ingest-$n" "$pftls" ingest --db "$db" --tz UTC "$log"
		measure "report-db-$n" env PFTLS_NOW="$BENCH_END" "$pftls" report --db "$db" --tz UTC --since 24h
	done

	best "wc-$n"
	wc_rate=$(awk -v l="$n" -v w="$wall" 'BEGIN {print l / (w > 0 ? w : 0.001)}')
	row "\`wc -l\`" "$n"
	echo "  wc -l                      ${wall}s" >&2

	if [ -n "$pflogsumm" ]; then
		best "pflogsumm-$n"
		pfl_rate=$(awk -v l="$n" -v w="$wall" 'BEGIN {print l / w}')
		row "pflogsumm" "$n"
		echo "  pflogsumm                  ${wall}s" >&2
	else
		echo "  pflogsumm                  not installed: skipped" >&2
	fi

	best "report-memory-$n"
	row "\`pftls report --db :memory:\`" "$n"
	mem_wall=$wall mem_rss=$rss_mb
	echo "  pftls report --db :memory: ${wall}s" >&2

	best "ingest-$n"
	row "\`pftls ingest\` (new file DB)" "$n"
	ing_wall=$wall ing_rss=$rss_mb
	echo "  pftls ingest               ${wall}s" >&2

	best "report-db-$n"
	row "\`pftls report --since 24h\` (filled DB)" "$n"
	rep_wall=$wall rep_rss=$rss_mb
	echo "  pftls report --since 24h   ${wall}s" >&2
	dbmb=$(($(stat -c %s "$db") / 1000000))
	echo "| ($mb MB log, $dbmb MB database) | | | | | | | |" >>"$table"

	# Every size is held to the targets; issue #4 names the 1,000,000-line log.
	{
		echo ""
		echo "On the $n-line log:"
	} >>"$targets"
	if [ -n "$pfl_rate" ]; then
		x=$(awk -v l="$n" -v w="$ing_wall" -v p="$pfl_rate" 'BEGIN {printf "%.1f", l / w / p}')
		target "ingest ≥ 5× pflogsumm's lines/s (issue #4)" "$(gt "$x" 5 && echo 1 || echo 0)" "${x}×"
		target "ingest ≥ 10× pflogsumm's lines/s" "$(gt "$x" 10 && echo 1 || echo 0)" "${x}×"
		x=$(awk -v l="$n" -v w="$mem_wall" -v p="$pfl_rate" 'BEGIN {printf "%.1f", l / w / p}')
		target "\`report --db :memory:\` ≥ 20× pflogsumm" "$(gt "$x" 20 && echo 1 || echo 0)" "${x}×"
	fi
	target "report from a filled database over 24h < 1 s" "$(gt 1 "$rep_wall" && echo 1 || echo 0)" "${rep_wall} s"
	worst=$(printf '%s\n' "$mem_rss" "$ing_rss" "$rep_rss" | sort -n | tail -1)
	target "peak RSS < 150 MB (every pftls run)" "$(gt 150 "$worst" && echo 1 || echo 0)" "report :memory: $mem_rss MB, ingest $ing_rss MB, report from DB $rep_rss MB"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo
cat "$table"
echo
echo "Targets (issues #4 and #9):"
cat "$targets"

if [ "$write_doc" = 1 ]; then
	doc=$repo/docs/performance.md
	model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
	pflv="not installed"
	if [ -n "$pflogsumm" ]; then pflv=$("$pflogsumm" --version 2>&1 | head -1); fi
	rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [ -n "$(cd "$repo" && git status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]; then rev="$rev (with uncommitted changes)"; fi
	section=$BENCH_DIR/out/section.md
	{
		echo "<!-- bench:begin (written by scripts/bench.sh --write-doc; edit outside the markers) -->"
		echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit $rev with \`scripts/bench.sh --write-doc $sizes\`."
		echo ""
		echo "Machine: $(nproc) CPUs ($model), $mem RAM, $(uname -sr), $(go version | cut -d' ' -f3-), $pflv."
		echo "Load average before / after the run: $load_before / $load_after (the machine is shared: wall times"
		echo "of runs under load are longer than their CPU times suggest)."
		echo ""
		echo "Logs: \`pftls-loggen -seed $BENCH_SEED -hosts $BENCH_HOSTS -end $BENCH_END -span $BENCH_SPAN -lines N\`,"
		echo "read from the page cache; best of $BENCH_RUNS run(s) per contender, the contenders taking turns."
		echo ""
		cat "$table"
		echo ""
		echo "Targets (issues #4 and #9):"
		cat "$targets"
		echo "<!-- bench:end -->"
	} >"$section"
	if [ -f "$doc" ] && grep -q '<!-- bench:begin' "$doc" && grep -q '<!-- bench:end -->' "$doc"; then
		awk -v sec="$section" '
			/<!-- bench:begin/ {while ((getline l < sec) > 0) print l; skip = 1; next}
			/<!-- bench:end -->/ {skip = 0; next}
			!skip {print}' "$doc" >"$BENCH_DIR/out/performance.md"
		cp "$BENCH_DIR/out/performance.md" "$doc"
	else
		mkdir -p "$(dirname "$doc")"
		{
			echo "# pftls performance"
			echo ""
			echo "How to reproduce: \`scripts/bench.sh --write-doc\` (see the script's header)."
			echo ""
			cat "$section"
		} >"$doc"
	fi
	echo "bench: wrote $doc" >&2
fi
