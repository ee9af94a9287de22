#!/usr/bin/env bash
# scripts/bench.sh — how fast is pftls, next to the read floor and pflogsumm?
# (issue 19's table, measured in one run, side by side)
#
# It prints, in markdown:
#
# 1. throughput: for each size (default 1,000,000 and 10,000,000 lines) one
#    table with, for each mix of cmd/pftls-loggen (default, tls-heavy):
#      wc -l                        the read floor of the kernel
#      barescan                     the read floor of Go (scripts/barescan:
#                                   bufio + three bytes.Contains per line)
#      pflogsumm                    when installed (apt-get install pflogsumm)
#      pftls report --db :memory:   parse + correlate + report, nothing kept
#      pftls ingest                 into a new file database
#      pftls report --since 24h     from that database
#      pftls report --since 24h LOG ingest and report in one command, into
#                                   a new database (for its peak RSS)
#      pftls explain, tlsrpt, prune on that database, for their peak RSS:
#                                   explain --since 24h of the busiest
#                                   domain (BENCH_EXPLAIN, sender.test: the
#                                   generator's own), tlsrpt of the day
#                                   before BENCH_END, prune --keep-facts 12h
#    with wall, CPU (user + sys), peak RSS, lines/s, × pflogsumm (how many
#    times faster) and × barescan (how many times the Go read floor), and
#    the database's size as a share of the log's bytes;
# 2. cores: the speed-up of report --db :memory: and ingest with
#    GOMAXPROCS 1, 2 and, on a machine with more cores, nproc;
# 3. reports from a database of BENCH_DAYS (7) days at BENCH_DAY_LINES
#    (10,000,000) lines a day: report --since 1h, 24h and 7d (PFTLS_NOW =
#    the log's end), wall and peak RSS, and the database's share of the
#    log's bytes; explain --since 24h of BENCH_EXPLAIN and tlsrpt of the
#    day before BENCH_END on it;
# 4. tail under a burst: pftls-loggen replay appends BENCH_BURST_RATE
#    (100,000) lines/s for BENCH_BURST_SECS (10) s to a log that
#    pftls tail --db follows (not on a terminal: the event stream, no live
#    view); the backlog (lines written, not yet stored) is sampled every
#    0.2 s, and the lag is how long after the writer's last line tail had
#    every line stored;
# 5. the daily e-mail: the size of `report --format email` (text and
#    HTML parts) for a day of BENCH_MAIL_LINES (10,000,000; --quick
#    1,000,000) lines to BENCH_MAIL_DOMAINS (5,000) recipient domains,
#    which must stay under 200 KB (issue 21);
# 6. the targets, each met or not met.
#
# Every contender runs under /usr/bin/time -v on a log in the page cache;
# the contenders of one log take turns, round after round (BENCH_RUNS), and
# each keeps its best wall time. The machine may be shared: the load
# average before and after is printed, and CPU times are steadier than
# wall times.
#
# How long (2 quiet cores): --quick about 3 minutes; the default about
# 30 minutes (the 10 M-line logs: pflogsumm alone takes 90 s per mix and
# round; the 7-day database at 10 M lines a day is a 11 GB log and a
# database of several GB, its ingest alone several minutes: set
# BENCH_DAY_LINES=1000000 for a quick one).
#
# Usage: scripts/bench.sh [--quick] [--write-doc] [SIZE...]
#
#   --quick       sizes 1000000 and a 7-day database of 1000000 lines a
#                 day, unless BENCH_SIZES / BENCH_DAY_LINES say otherwise
#   --write-doc   also rewrite the measured part of docs/performance.md
#                 (between its bench:begin and bench:end markers)
#
# Environment: BENCH_DIR (default /tmp/pftls-bench; logs, databases,
# outputs and binaries go there, never into the repository), BENCH_SIZES,
# BENCH_MIXES ("default tls-heavy"), BENCH_PARTS ("sizes procs db burst mail":
# the sections to run), BENCH_PROCS (GOMAXPROCS values, default "1 2" and
# nproc), BENCH_SEED (1), BENCH_HOSTS (1), BENCH_END
# (2026-03-02T06:00:00Z), BENCH_SPAN (24h), BENCH_RUNS (1), BENCH_DAYS (7),
# BENCH_DAY_LINES (10000000), BENCH_DB_MIX (default), BENCH_BURST_RATE
# (100000), BENCH_BURST_SECS (10), BENCH_BURST_MIX (tls-heavy),
# BENCH_MAIL_LINES, BENCH_MAIL_DOMAINS (5000), PFLOGSUMM
# (pflogsumm's path, default: found on PATH or /usr/sbin/pflogsumm; set it
# empty to leave pflogsumm out), BENCH_EXPLAIN (sender.test).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/pftls-bench}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_HOSTS=${BENCH_HOSTS:-1}
BENCH_END=${BENCH_END:-2026-03-02T06:00:00Z}
BENCH_SPAN=${BENCH_SPAN:-24h}
BENCH_RUNS=${BENCH_RUNS:-1}
BENCH_MIXES=${BENCH_MIXES:-"default tls-heavy"}
BENCH_PARTS=${BENCH_PARTS:-"sizes procs db burst mail"}
BENCH_MAIL_DOMAINS=${BENCH_MAIL_DOMAINS:-5000}
BENCH_DAYS=${BENCH_DAYS:-7}
BENCH_DB_MIX=${BENCH_DB_MIX:-default}
BENCH_EXPLAIN=${BENCH_EXPLAIN:-sender.test}
BENCH_BURST_RATE=${BENCH_BURST_RATE:-100000}
BENCH_BURST_SECS=${BENCH_BURST_SECS:-10}
BENCH_BURST_MIX=${BENCH_BURST_MIX:-tls-heavy}
write_doc=0
quick=0

arg_sizes=()
for a in "$@"; do
	case $a in
	--write-doc) write_doc=1 ;;
	--quick) quick=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*[!0-9]* | '')
		echo "bench.sh: unknown argument '$a'" >&2
		echo "Try: scripts/bench.sh --quick" >&2
		exit 2
		;;
	*) arg_sizes+=("$a") ;;
	esac
done
if ((quick)); then
	sizes=${BENCH_SIZES:-1000000}
	BENCH_DAY_LINES=${BENCH_DAY_LINES:-1000000}
	BENCH_MAIL_LINES=${BENCH_MAIL_LINES:-1000000}
else
	sizes=${BENCH_SIZES:-"1000000 10000000"}
	BENCH_DAY_LINES=${BENCH_DAY_LINES:-10000000}
	BENCH_MAIL_LINES=${BENCH_MAIL_LINES:-10000000}
fi
if ((${#arg_sizes[@]} > 0)); then
	sizes="${arg_sizes[*]}"
fi
ncpu=$(nproc)
procs=${BENCH_PROCS:-$(printf '%s\n' 1 2 "$ncpu" | sort -nu | tr '\n' ' ')}
part() { [[ " $BENCH_PARTS " == *" $1 "* ]]; }

TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench.sh: $TIME is missing (it measures peak RSS)" >&2
	echo "Try: apt-get install -y time" >&2
	exit 2
fi
if part burst && ! command -v sqlite3 >/dev/null; then
	echo "bench.sh: sqlite3 is missing (the tail burst reads what tail stored)" >&2
	echo "Try: apt-get install -y sqlite3, or BENCH_PARTS='sizes procs db'" >&2
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

out=$BENCH_DIR/out
mkdir -p "$BENCH_DIR/bin" "$out"
rm -f "$out/procs.md" # rows an interrupted run left would join this run's table
echo "bench: building into $BENCH_DIR/bin" >&2
# The commit the binaries are built from, noted now: the record must name
# it even when the repository moves on during a run of half an hour.
rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(cd "$repo" && git status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]; then rev="$rev (with uncommitted changes)"; fi
(cd "$repo" && go build -o "$BENCH_DIR/bin/pftls" ./cmd/pftls &&
	go build -o "$BENCH_DIR/bin/pftls-loggen" ./cmd/pftls-loggen &&
	go build -o "$BENCH_DIR/bin/barescan" ./scripts/barescan)
pftls=$BENCH_DIR/bin/pftls
loggen=$BENCH_DIR/bin/pftls-loggen
barescan=$BENCH_DIR/bin/barescan
# A log is cached under a name that changes with the generator's source, a
# database under one that changes with pftls's binary.
genver=$(cd "$repo" && cat $(ls cmd/pftls-loggen/*.go | grep -v _test.go) | sha256sum | cut -c1-8)
pftlsver=$(sha256sum "$pftls" | cut -c1-8)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# genlog MIX LINES SPAN [DOMAINS] prints the path of a generated log (made
# once); DOMAINS is the number of recipient domains (the generator's
# default when absent).
genlog() {
	local mix=$1 n=$2 span=$3 domains=${4:-}
	local log=$BENCH_DIR/mail-$mix-$n-$span-s$BENCH_SEED-h$BENCH_HOSTS${domains:+-d$domains}-$genver.log
	if [ ! -s "$log" ]; then
		echo "bench: generating $n lines ($mix mix, $span${domains:+, $domains domains}) into $log" >&2
		"$loggen" -mix "$mix" -lines "$n" -seed "$BENCH_SEED" -hosts "$BENCH_HOSTS" -end "$BENCH_END" -span "$span" ${domains:+-domains "$domains"} -o "$log.tmp" 2>/dev/null
		mv "$log.tmp" "$log"
	fi
	echo "$log"
}

# cpu_s FILE and peak_mb FILE print the CPU seconds (user + sys) and the
# peak RSS in MB that /usr/bin/time -v wrote to FILE.
cpu_s() { awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$1"; }
peak_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

# db_share DB LOG prints the database's size as a whole percentage of the log's.
db_share() { awk -v d="$(stat -c %s "$1")" -v l="$(stat -c %s "$2")" 'BEGIN {printf "%.0f", 100 * d / l}'; }

# measure NAME CMD... runs CMD once under /usr/bin/time -v (stdout to a
# file in $out) and keeps its wall time, CPU time and peak RSS in
# best_wall[NAME], best_cpu[NAME], best_rss[NAME] when it is NAME's fastest
# run so far.
declare -A best_wall best_cpu best_rss
measure() {
	local name=$1
	shift
	local tv t0 t1 w c r
	tv=$out/$name.time
	t0=$(date +%s%N)
	if ! "$TIME" -v -o "$tv" "$@" >"$out/$name.out" 2>"$out/$name.err"; then
		echo "bench: $name failed; see $out/$name.err" >&2
		tail -5 "$out/$name.err" >&2
		exit 1
	fi
	t1=$(date +%s%N)
	# Wall time from the clock (time -v rounds to 10 ms, too coarse for
	# wc -l); CPU time and peak RSS from time -v.
	w=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
	c=$(cpu_s "$tv") r=$(peak_mb "$tv")
	if [ -z "${best_wall[$name]:-}" ] || awk -v a="$w" -v b="${best_wall[$name]}" 'BEGIN {exit !(a < b)}'; then
		best_wall[$name]=$w best_cpu[$name]=$c best_rss[$name]=$r
	fi
}

# best NAME sets wall, cpu and rss_mb from NAME's fastest run.
best() {
	wall=${best_wall[$1]} cpu=${best_cpu[$1]} rss_mb=${best_rss[$1]}
}

fresh_db() { rm -f "$1" "$1-wal" "$1-shm" "$1.lock"; }
mb() { awk -v b="$(stat -c %s "$1")" -v d="${2:-1e6}" 'BEGIN {printf "%.0f", b / d}'; } # FILE [DIVISOR]
gt() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; }
# x A B prints A/B with one decimal.
x() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }

report=$out/report.md
targets=$out/targets.md
: >"$report"
: >"$targets"
target() { # target NAME OK(0|1) DETAIL
	local mark="not met"
	if [ "$2" = 1 ]; then mark="met"; fi
	echo "- $1: **$mark** ($3)" >>"$targets"
}
ok() { "$@" && echo 1 || echo 0; }

# row MIX TOOL LINES: a table row from wall, cpu, rss_mb; pfl_wall,
# pfl_cpu and scan_wall are the references (empty when not measured).
row() {
	awk -v mix="$1" -v tool="$2" -v lines="$3" -v wall="$wall" -v cpu="$cpu" -v rss="$rss_mb" \
		-v pfl="${pfl_wall:-}" -v pflcpu="${pfl_cpu:-}" -v scan="${scan_wall:-}" 'BEGIN {
		rate = wall > 0 ? lines / wall : 0
		xp = pfl != "" && wall > 0 ? sprintf("%.1f", pfl / wall) : "–"
		xc = pflcpu != "" && cpu > 0 ? sprintf("%.1f", pflcpu / cpu) : "–"
		xs = scan != "" && scan > 0 ? sprintf("%.1f", wall / scan) : "–"
		printf "| %s | %s | %.3f | %.2f | %d | %.0f | %s | %s | %s |\n", mix, tool, wall, cpu, rss, rate, xp, xc, xs
	}' >>"$report"
}

# side_row MIX TOOL: a table row from wall, cpu, rss_mb of a command that
# reads the database rather than the log (no rate, no ratios).
side_row() {
	awk -v mix="$1" -v tool="$2" -v wall="$wall" -v cpu="$cpu" -v rss="$rss_mb" 'BEGIN {
		printf "| %s | %s | %.3f | %.2f | %d | – | – | – | – |\n", mix, tool, wall, cpu, rss
	}' >>"$report"
}

# tlsrpt_day is the UTC day before BENCH_END's: the logs of the sizes
# (BENCH_SPAN, 24h to BENCH_END) hold its last 18 hours at the default end.
tlsrpt_day=$(date -u -d "@$(($(date -u -d "$BENCH_END" +%s) - 86400))" +%F)

# --- 1. throughput, and 2. cores --------------------------------------------
declare -A mem_wall ing_wall
for n in $sizes; do
	part sizes || part procs || break
	if part sizes; then
		{
			echo ""
			echo "### $n lines"
			echo ""
			echo "| mix | tool | wall s | CPU s | peak RSS MB | lines/s | × pflogsumm | × pflogsumm, CPU | × barescan |"
			echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
		} >>"$report"
	fi
	for mix in $BENCH_MIXES; do
		log=$(genlog "$mix" "$n" "$BENCH_SPAN")
		cat "$log" >/dev/null # every contender reads a warm file
		key=$mix-$n
		db=$BENCH_DIR/bench-$key.db
		pfl_wall="" pfl_cpu="" scan_wall=""
		if part sizes; then
			echo "bench: $n lines, $mix mix ($(mb "$log") MB)" >&2
			for ((round = 1; round <= BENCH_RUNS; round++)); do
				if ((BENCH_RUNS > 1)); then echo "  round $round of $BENCH_RUNS" >&2; fi
				measure "wc-$key" wc -l "$log"
				measure "barescan-$key" "$barescan" "$log"
				if [ -n "$pflogsumm" ]; then
					measure "pflogsumm-$key" "$pflogsumm" "$log"
				fi
				measure "memory-$key" "$pftls" report --db :memory: --tz UTC "$log"
				fresh_db "$db"
				measure "ingest-$key" "$pftls" ingest --db "$db" --tz UTC "$log"
				measure "fromdb-$key" env PFTLS_NOW="$BENCH_END" "$pftls" report --db "$db" --tz UTC --since 24h
				measure "explain-$key" env PFTLS_NOW="$BENCH_END" "$pftls" explain --db "$db" --tz UTC --since 24h "$BENCH_EXPLAIN"
				mkdir -p "$out/tlsrpt-$key"
				measure "tlsrpt-$key" "$pftls" tlsrpt --db "$db" --sending-ip 192.0.2.1 --day "$tlsrpt_day" --out "$out/tlsrpt-$key"
				measure "prune-$key" env PFTLS_NOW="$BENCH_END" "$pftls" prune --db "$db" --keep-facts 12h # last: it deletes
				fresh_db "$db-report"
				measure "ingestreport-$key" env PFTLS_NOW="$BENCH_END" "$pftls" report --db "$db-report" --tz UTC --since 24h "$log"
				fresh_db "$db-report"
			done
			best "barescan-$key"
			scan_wall=$wall
			if [ -n "$pflogsumm" ]; then
				best "pflogsumm-$key"
				pfl_wall=$wall pfl_cpu=$cpu
			fi
			best "wc-$key"
			row "$mix" "\`wc -l\`" "$n"
			best "barescan-$key"
			row "$mix" "barescan" "$n"
			if [ -n "$pflogsumm" ]; then
				best "pflogsumm-$key"
				row "$mix" "pflogsumm" "$n"
			fi
			best "memory-$key"
			row "$mix" "\`pftls report --db :memory:\`" "$n"
			mem_wall[$key]=$wall
			mem=$wall memrss=$rss_mb
			best "ingest-$key"
			row "$mix" "\`pftls ingest\` (new DB)" "$n"
			ing_wall[$key]=$wall
			ing=$wall ingrss=$rss_mb
			best "fromdb-$key"
			row "$mix" "\`pftls report --since 24h\` (that DB)" "$n"
			fromdb=$wall fromrss=$rss_mb
			best "ingestreport-$key"
			side_row "$mix" "\`pftls report --since 24h LOG\` (ingest and report, new DB)"
			ingreprss=$rss_mb
			best "explain-$key"
			side_row "$mix" "\`pftls explain $BENCH_EXPLAIN --since 24h\` (that DB)"
			explainrss=$rss_mb
			best "tlsrpt-$key"
			side_row "$mix" "\`pftls tlsrpt --day $tlsrpt_day\` (that DB)"
			tlsrptrss=$rss_mb
			best "prune-$key"
			side_row "$mix" "\`pftls prune --keep-facts 12h\` (that DB)"
			prunerss=$rss_mb
			share=$(db_share "$db" "$log") # prune leaves the file's size as it was
			echo "| $mix | (log $(mb "$log") MB, database $(mb "$db") MB: **$share %** of the log) | | | | | | | |" >>"$report"
			echo "  $mix: barescan ${scan_wall}s pflogsumm ${pfl_wall:-–}s report :memory: ${mem}s ingest ${ing}s" >&2

			{
				echo ""
				echo "$n lines, $mix mix:"
			} >>"$targets"
			if [ -n "$pfl_wall" ]; then
				xm=$(x "$pfl_wall" "$mem")
				target "\`report --db :memory:\` ≥ 12× pflogsumm" "$(ok gt "$xm" 12)" "${xm}×"
				xi=$(x "$pfl_wall" "$ing")
				target "ingest ≥ 8× pflogsumm" "$(ok gt "$xi" 8)" "${xi}×"
			fi
			worst=$(printf '%s\n' "$memrss" "$ingrss" "$fromrss" "$ingreprss" "$explainrss" "$tlsrptrss" "$prunerss" | sort -n | tail -1)
			target "peak RSS < 150 MB, every pftls command" "$(ok gt 149.999 "$worst")" \
				"report :memory: $memrss MB, ingest $ingrss MB, report --since 24h $fromrss MB, both in one $ingreprss MB, explain $explainrss MB, tlsrpt $tlsrptrss MB, prune $prunerss MB"
			target "database ≤ 25 % of the log" "$(ok gt 25 "$share")" "$share %"
			fresh_db "$db"
		fi

		if part procs; then
			echo "bench: $n lines, $mix mix: GOMAXPROCS $procs" >&2
			for p in $procs; do
				if part sizes && [ "$p" = "$ncpu" ] && [ -z "${GOMAXPROCS:-}" ]; then
					continue # the runs above
				fi
				for ((round = 1; round <= BENCH_RUNS; round++)); do
					measure "memory-$key-p$p" env GOMAXPROCS="$p" "$pftls" report --db :memory: --tz UTC "$log"
					fresh_db "$db"
					measure "ingest-$key-p$p" env GOMAXPROCS="$p" "$pftls" ingest --db "$db" --tz UTC "$log"
				done
				fresh_db "$db"
			done
			for what in memory ingest; do
				line="| $n | $mix | \`$([ $what = memory ] && echo "report --db :memory:" || echo ingest)\` |"
				base=""
				for p in $procs; do
					if [ -n "${best_wall[$what-$key-p$p]:-}" ]; then
						best "$what-$key-p$p"
					else
						best "$what-$key"
					fi
					if [ -z "$base" ]; then base=$wall; fi
					line="$line $wall s, $cpu s CPU (×$(x "$base" "$wall")) |"
				done
				echo "$line" >>"$out/procs.md"
			done
		fi
	done
done
if part procs && [ -s "$out/procs.md" ]; then
	{
		echo ""
		echo "### Cores: wall time, CPU time and speed-up over GOMAXPROCS=1"
		echo ""
		head="| lines | mix | command |"
		sep="|---:|---|---|"
		for p in $procs; do
			head="$head GOMAXPROCS=$p |"
			sep="$sep---:|"
		done
		echo "$head"
		echo "$sep"
		cat "$out/procs.md"
	} >>"$report"
	rm -f "$out/procs.md"
fi

# --- 3. reports from a 7-day database ---------------------------------------
if part db; then
	total=$((BENCH_DAYS * BENCH_DAY_LINES))
	log=$(genlog "$BENCH_DB_MIX" "$total" "$((BENCH_DAYS * 24))h")
	db=$BENCH_DIR/days-$BENCH_DB_MIX-$BENCH_DAYS-$BENCH_DAY_LINES-$genver-$pftlsver.db
	if [ ! -s "$db" ] || [ ! -e "$db.done" ]; then
		# The same week's databases of earlier binaries go first: at 10 M
		# lines a day each is several GB, and a few filled the disk.
		for old in "$BENCH_DIR/days-$BENCH_DB_MIX-$BENCH_DAYS-$BENCH_DAY_LINES-$genver-"*.db; do
			if [ -e "$old" ] && [ "$old" != "$db" ]; then
				echo "bench: removing $old (an earlier binary's)" >&2
				rm -f "$old" "$old-wal" "$old-shm" "$old.lock" "$old.done"
			fi
		done
		# The database takes about 60 % of the log's bytes (docs/performance.md).
		need=$(($(stat -c %s "$log") * 7 / 10))
		avail=$(df --output=avail -B1 "$BENCH_DIR" | tail -1)
		if ((avail < need)); then
			echo "bench: $BENCH_DIR has $((avail >> 20)) MB free, and the database of $BENCH_DAYS days of $BENCH_DAY_LINES lines needs about $((need >> 20)) MB" >&2
			echo "Try: BENCH_DAY_LINES=1000000 scripts/bench.sh, or BENCH_DIR on a larger disk" >&2
			exit 1
		fi
		echo "bench: ingesting $BENCH_DAYS days of $BENCH_DAY_LINES lines ($(mb "$log") MB) into $db" >&2
		fresh_db "$db"
		rm -f "$db.done"
		measure "days-ingest" "$pftls" ingest --db "$db" --tz UTC "$log"
		touch "$db.done"
	fi
	cat "$log" >/dev/null
	for ((round = 1; round <= BENCH_RUNS; round++)); do
		for w in 1h 24h 7d; do
			measure "days-$w" env PFTLS_NOW="$BENCH_END" "$pftls" report --db "$db" --tz UTC --since "$w"
		done
		measure "days-explain" env PFTLS_NOW="$BENCH_END" "$pftls" explain --db "$db" --tz UTC --since 24h "$BENCH_EXPLAIN"
		mkdir -p "$out/tlsrpt-days"
		measure "days-tlsrpt" "$pftls" tlsrpt --db "$db" --sending-ip 192.0.2.1 --day "$tlsrpt_day" --out "$out/tlsrpt-days"
	done
	share=$(db_share "$db" "$log")
	{
		echo ""
		echo "### Reports from a database of $BENCH_DAYS days × $BENCH_DAY_LINES lines ($BENCH_DB_MIX mix)"
		echo ""
		echo "Log $(mb "$log") MB; database $(mb "$db") MB, **$share %** of the log."
		if [ -n "${best_wall[days-ingest]:-}" ]; then
			best days-ingest
			echo "Its ingest: $wall s wall, $cpu s CPU, $rss_mb MB peak RSS."
		fi
		echo ""
		echo "| \`pftls report --since\` | wall ms | CPU s | peak RSS MB | target |"
		echo "|---|---:|---:|---:|---|"
	} >>"$report"
	echo "" >>"$targets"
	echo "Reports from the $BENCH_DAYS-day database ($BENCH_DAY_LINES lines a day):" >>"$targets"
	worst=0
	for w in 1h 24h 7d; do
		best "days-$w"
		ms=$(awk -v w="$wall" 'BEGIN {printf "%.0f", w * 1000}')
		case $w in 1h) lim=50 ;; 24h) lim=250 ;; 7d) lim=1000 ;; esac
		echo "| $w | $ms | $cpu | $rss_mb | < $lim ms |" >>"$report"
		target "\`report --since $w\` < $lim ms" "$(ok gt "$((lim - 1))" "$ms")" "$ms ms"
		worst=$(printf '%s\n' "$worst" "$rss_mb" | sort -n | tail -1)
		echo "  report --since $w: ${ms} ms, $rss_mb MB" >&2
	done
	target "peak RSS of those reports < 100 MB" "$(ok gt 99.999 "$worst")" "at most $worst MB"
	{
		echo ""
		echo "| on that database | wall ms | CPU s | peak RSS MB |"
		echo "|---|---:|---:|---:|"
		best days-explain
		echo "| \`pftls explain $BENCH_EXPLAIN --since 24h\` | $(awk -v w="$wall" 'BEGIN {printf "%.0f", w * 1000}') | $cpu | $rss_mb |"
		best days-tlsrpt
		echo "| \`pftls tlsrpt --day $tlsrpt_day\` | $(awk -v w="$wall" 'BEGIN {printf "%.0f", w * 1000}') | $cpu | $rss_mb |"
	} >>"$report"
	target "database ≤ 25 % of the log" "$(ok gt 25 "$share")" "$share %"
fi

# --- 4. tail under a burst ---------------------------------------------------
if part burst; then
	head=2000 # written before tail starts, so that the file is known
	n=$((BENCH_BURST_RATE * BENCH_BURST_SECS + head))
	src=$(genlog "$BENCH_BURST_MIX" "$n" "$BENCH_SPAN")
	dir=$BENCH_DIR/burst
	rm -rf "$dir"
	mkdir -p "$dir"
	dst=$dir/mail.log db=$dir/pftls.db
	head -n "$head" "$src" >"$dst"
	touch -d "$BENCH_END" "$dst" # the year of the stamps
	# stored prints "lines|offset" tail has committed (read-only, and never
	# before tail made the database: sqlite3 would make an empty file).
	stored() {
		if [ -s "$db" ]; then
			sqlite3 -readonly -cmd '.timeout 2000' "$db" 'SELECT coalesce(max(lines), 0), coalesce(max(offset), 0) FROM sources' 2>/dev/null || echo "0|0"
		else
			echo "0|0"
		fi
	}
	# alive fails, with tail's error, when tail has ended.
	alive() {
		kill -0 "$tail_pid" 2>/dev/null && return 0
		echo "bench: pftls tail ended; see $out/tail.err:" >&2
		tail -3 "$out/tail.err" >&2
		return 1
	}
	echo "bench: tail under a burst of $BENCH_BURST_RATE lines/s for $BENCH_BURST_SECS s ($BENCH_BURST_MIX mix)" >&2
	"$TIME" -v -o "$out/tail.time" "$pftls" tail --db "$db" --tz UTC "$dst" >"$out/tail.out" 2>"$out/tail.err" &
	tail_pid=$!
	for ((i = 0; i < 100; i++)); do # up to 10 s for tail to store the head
		alive || exit 1
		if [ "$(stored | cut -d'|' -f1)" -ge "$head" ]; then break; fi
		sleep 0.1
	done
	"$loggen" replay -rate "$BENCH_BURST_RATE" -for "${BENCH_BURST_SECS}s" -skip "$head" "$src" "$dst" >"$out/replay.out" &
	writer=$!
	: >"$out/backlog.txt"
	while kill -0 "$writer" 2>/dev/null; do # bytes written, not yet stored
		echo "$(date +%s%N) $(stat -c %s "$dst") $(stored | cut -d'|' -f2)" >>"$out/backlog.txt"
		sleep 0.2
	done
	wait "$writer"
	read -r written start_ns stop_ns behind_ms < <(sed 's/[a-z_]*=//g' "$out/replay.out")
	want=$((head + written))
	done_ns=""
	for ((i = 0; i < 1200; i++)); do # up to 2 minutes
		alive || break
		if [ "$(stored | cut -d'|' -f1)" -ge "$want" ]; then
			done_ns=$(date +%s%N)
			break
		fi
		sleep 0.05
	done
	# SIGTERM to pftls (the child of time), which stores what it read and
	# exits 0; time then writes its figures.
	kill -TERM $(pgrep -P "$tail_pid") 2>/dev/null || true
	wait "$tail_pid" || true
	bytes_per_line=$(awk -v b="$(stat -c %s "$dst")" -v l="$want" 'BEGIN {print b / l}')
	max_backlog=$(awk -v bpl="$bytes_per_line" '{b = $2 - $3; if (b > m) m = b} END {printf "%.0f", m / bpl}' "$out/backlog.txt")
	last_backlog=$(awk -v bpl="$bytes_per_line" '{b = $2 - $3} END {printf "%.0f", b / bpl}' "$out/backlog.txt")
	behind_s=$(awk -v l="$max_backlog" -v r="$BENCH_BURST_RATE" 'BEGIN {printf "%.2f", l / r}')
	rate=$(awk -v n="$written" -v a="$start_ns" -v b="$stop_ns" 'BEGIN {printf "%.0f", n / ((b - a) / 1e9 + 0.01)}')
	cpu=$(cpu_s "$out/tail.time") rss=$(peak_mb "$out/tail.time")
	if [ -n "$done_ns" ]; then
		lag=$(awk -v a="$stop_ns" -v b="$done_ns" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
		kept=$(ok gt 1 "$lag")
	else
		lag="> 120"
		kept=0
	fi
	{
		echo ""
		echo "### \`pftls tail\` under a burst ($BENCH_BURST_MIX mix)"
		echo ""
		echo "| asked | written | writer behind its schedule | lines not yet stored: most (s of writing) / last sample | lag after the last line | tail CPU s | tail peak RSS MB |"
		echo "|---:|---:|---:|---:|---:|---:|---:|"
		echo "| $BENCH_BURST_RATE lines/s × $BENCH_BURST_SECS s | $written lines at $rate lines/s | $behind_ms ms | $max_backlog ($behind_s s) / $last_backlog | $lag s | $cpu | $rss |"
		echo ""
		echo "Sampled every 0.2 s; tail commits every 250 ms or 10,000 lines, so up to about 0.35 s of lines are read but not yet committed when it keeps up."
	} >>"$report"
	echo "" >>"$targets"
	echo "tail:" >>"$targets"
	target "tail keeps up with $BENCH_BURST_RATE lines/s for $BENCH_BURST_SECS s (every line stored within 1 s of the last)" "$kept" "lag $lag s; during the burst at most $max_backlog lines ($behind_s s) not yet stored"
	echo "  tail: lag $lag s, most lines behind $max_backlog" >&2
fi

# --- 5. the daily e-mail ----------------------------------------------------
if part mail; then
	log=$(genlog default "$BENCH_MAIL_LINES" "$BENCH_SPAN" "$BENCH_MAIL_DOMAINS")
	echo "bench: the daily e-mail of $BENCH_MAIL_LINES lines to $BENCH_MAIL_DOMAINS domains" >&2
	measure mail "$pftls" report --db :memory: --tz UTC --format email "$log"
	best mail
	kb=$(mb "$out/mail.out" 1024)
	{
		echo ""
		echo "### The daily e-mail"
		echo ""
		echo "| lines | recipient domains | message (text + HTML) KB | wall s | peak RSS MB |"
		echo "|---:|---:|---:|---:|---:|"
		echo "| $BENCH_MAIL_LINES | $BENCH_MAIL_DOMAINS | $kb | $wall | $rss_mb |"
	} >>"$report"
	echo "" >>"$targets"
	echo "The daily e-mail (issue 21):" >>"$targets"
	target "the e-mail of $BENCH_MAIL_LINES lines to $BENCH_MAIL_DOMAINS domains < 200 KB" "$(ok gt 199 "$kb")" "$kb KB"
	echo "  mail: $kb KB" >&2
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
memtotal=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
pflv="not installed"
if [ -n "$pflogsumm" ]; then pflv=$("$pflogsumm" --version 2>&1 | head -1); fi
section=$out/section.md
{
	echo "<!-- bench:begin (written by scripts/bench.sh --write-doc; edit outside the markers) -->"
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit $rev with \`scripts/bench.sh$([ $quick = 1 ] && echo " --quick") $sizes\` (parts: $BENCH_PARTS)."
	echo ""
	echo "Machine: $ncpu CPUs ($model), $memtotal RAM, $(uname -sr), $(go version | cut -d' ' -f3-), $pflv."
	echo "Load average before / after the run: $load_before / $load_after (on a shared machine wall times"
	echo "grow with the load; CPU times much less)."
	echo ""
	if awk -v a="${load_before%% *}" -v b="${load_after%% *}" -v n="$ncpu" 'BEGIN {exit !(a > n || b > n)}'; then
		echo "**The machine was busy (a load average above its $ncpu CPUs): wall times, and the ratios and targets"
		echo "that use them, are not to be trusted; compare CPU times, and measure again on a quiet machine.**"
		echo ""
	fi
	echo "Logs: \`pftls-loggen -mix MIX -seed $BENCH_SEED -hosts $BENCH_HOSTS -end $BENCH_END -span $BENCH_SPAN -lines N\`,"
	echo "read from the page cache; best of $BENCH_RUNS run(s) per contender, the contenders taking turns."
	echo "× pflogsumm: how many times faster than pflogsumm (wall time; the targets); × pflogsumm, CPU: how many times less CPU"
	echo "time (steadier on a shared machine; pftls uses more than one core, pflogsumm one); × barescan: how many times the"
	echo "Go read floor's wall time."
	cat "$report"
	echo ""
	echo "Targets (issue 19):"
	cat "$targets"
	echo "<!-- bench:end -->"
} >"$section"
echo
sed '1d;$d' "$section"

if [ "$write_doc" = 1 ]; then
	doc=$repo/docs/performance.md
	if [ -f "$doc" ] && grep -q '<!-- bench:begin' "$doc" && grep -q '<!-- bench:end -->' "$doc"; then
		awk -v sec="$section" '
			/<!-- bench:begin/ {while ((getline l < sec) > 0) print l; skip = 1; next}
			/<!-- bench:end -->/ {skip = 0; next}
			!skip {print}' "$doc" >"$out/performance.md"
		cp "$out/performance.md" "$doc"
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
