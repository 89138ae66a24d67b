#!/usr/bin/env bash
# bench/history.sh [-n RUNS] REPO [REPO...]     (also: bench/history.sh REPO RUNS)
#
# Full-history scan against the floor, per repository. Builds rampart from
# this checkout (or uses RAMPART_BIN), then alternates RUNS times (default 5)
#   rampart scan --history --format json          (the thing measured)
#   git cat-file --batch-all-objects --batch --unordered >/dev/null   (the floor)
#   gitleaks git REPO   (only when GITLEAKS=/path/to/gitleaks is given)
# and prints, per repository and command, the median wall time, the fastest
# wall time, median CPU time (user+sys of the process and every child it
# waited for: rampart's git processes count), median peak anonymous memory
# of the whole process tree (rampart plus its git children, summed, sampled
# by bench/memwatch; mapped pack pages are not anonymous and do not count;
# the largest run's per-process split follows the table),
# the ratios to the floor in the same loop, and MB/s of unique blob bytes.
#
# If REPO.expected.json exists (written by bench/mkrepo), the first rampart
# report is checked against it: every planted credential found and
# attributed to its commit and path.
#
# Environment: GITLEAKS (a gitleaks binary; none is built here), GITLEAKS_RUNS
# (how many of the runs include gitleaks: it is slow on large histories),
# RAMPART_FLAGS (extra flags, e.g. "--workers 2"), RAMPART_BIN (a prebuilt
# binary), RAMPART_ENV (environment for rampart only, e.g.
# "RAMPART_HISTORY_READER=git"), KEEP=DIR (keep the raw per-run lines).
set -euo pipefail

runs=5
repos=()
while [[ $# -gt 0 ]]; do
	case $1 in
	-n) runs=$2; shift 2 ;;
	-h | --help) sed -n '2,25p' "$0"; exit 0 ;;
	*)
		if [[ $1 =~ ^[0-9]+$ && ${#repos[@]} -gt 0 ]]; then runs=$1; else repos+=("$(cd "$1" && pwd)"); fi
		shift
		;;
	esac
done
if [[ ${#repos[@]} -eq 0 ]]; then
	echo "usage: bench/history.sh [-n RUNS] REPO [REPO...]" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $(uname -s) != Linux ]]; then
	echo "history.sh: memory is sampled from /proc: Linux only" >&2
	exit 2
fi
(cd "$root" && go build -o "$work/memwatch" ./bench/memwatch)
if [[ -n ${RAMPART_BIN:-} ]]; then
	rampart=$RAMPART_BIN
else
	rampart=$work/rampart
	# Built as the releases are (.goreleaser.yaml: CGO_ENABLED=0): a cgo
	# build is dynamically linked and starts 3-6 ms of CPU slower.
	(cd "$root" && CGO_ENABLED=0 go build -o "$rampart" ./cmd/rampart)
fi
gitleaks=${GITLEAKS:-}
if [[ -n $gitleaks && ! -x $gitleaks ]]; then
	echo "history.sh: GITLEAKS=$gitleaks is not an executable; running without it" >&2
	gitleaks=
fi

# measure OUT CMD...: one run under memwatch, appending
# "wall_s cpu_s anon_peak_MB rss_peak_MB exit" to OUT. Exit status 1
# (findings) is not a failure.
measure() {
	local out=$1
	shift
	local rc=0
	"$work/memwatch" -o "$out" -split "$out.split" -- "$@" >/dev/null 2>"$out.err" || rc=$?
	if [[ $rc -gt 1 ]]; then
		echo "history.sh: $* failed (exit $rc):" >&2
		tail -n 20 "$out.err" >&2
		exit 1
	fi
}

# median FILE EXPR / least FILE EXPR: over the runs recorded in FILE.
median() {
	awk "{print $2}" "$1" | sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}
least() {
	awk "{print $2}" "$1" | sort -g | head -n1
}

echo "rampart $("$rampart" version 2>/dev/null | head -n1) (${RAMPART_FLAGS:-default flags}${RAMPART_ENV:+, $RAMPART_ENV})   runs $runs   cores $(nproc)   $(date -u +%Y-%m-%dT%H:%MZ)"
for repo in "${repos[@]}"; do
	name=$(basename "$repo")
	[[ $name == repo ]] && name=$(basename "$(dirname "$repo")")
	d=$work/$name
	mkdir -p "$d"
	# What there is to read: computed once, outside the timed loop.
	read -r blobs blob_bytes objects < <(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' --unordered |
		awk '{n++} $1=="blob"{b++; s+=$2} END{printf "%d %d %d\n", b, s, n}')
	commits=$(git -C "$repo" rev-list --all --count)
	refs=$(git -C "$repo" for-each-ref | wc -l)
	pack_mb=$(du -sm "$(git -C "$repo" rev-parse --absolute-git-dir)/objects" | cut -f1)

	load_start=$(cut -d" " -f1-3 /proc/loadavg)
	# One untimed run of each, so every timed run sees a warm page cache.
	git -C "$repo" cat-file --batch-all-objects --batch --unordered >/dev/null
	env ${RAMPART_ENV:-} "$rampart" scan --history --format json --quiet -o "$d/findings.json" ${RAMPART_FLAGS:-} "$repo" >/dev/null 2>&1 || [[ $? -eq 1 ]]
	for ((i = 1; i <= runs; i++)); do
		measure "$d/rampart" env ${RAMPART_ENV:-} "$rampart" scan --history --format json --quiet -o /dev/null ${RAMPART_FLAGS:-} "$repo"
		measure "$d/floor" git -C "$repo" cat-file --batch-all-objects --batch --unordered
		if [[ -n $gitleaks && $i -le ${GITLEAKS_RUNS:-$runs} ]]; then
			if "$gitleaks" git --help >/dev/null 2>&1; then
				measure "$d/gitleaks" "$gitleaks" git --no-banner --report-format json --report-path "$d/gitleaks.json" "$repo"
			else
				measure "$d/gitleaks" "$gitleaks" detect --no-banner --report-format json --report-path "$d/gitleaks.json" --source "$repo"
			fi
		fi
		echo "$name: run $i/$runs done" >&2
	done
	load_end=$(cut -d" " -f1-3 /proc/loadavg)

	echo
	echo "repository  $repo"
	echo "commits $commits   refs $refs   objects $objects   blobs $blobs   unique blob bytes $(awk -v b="$blob_bytes" 'BEGIN{printf "%.1f", b/1e6}') MB   objects dir ${pack_mb} MB"
	echo "findings    $(grep -o '"rule":' "$d/findings.json" | wc -l)   load average $load_start (start), $load_end (end)"
	printf '%-9s %8s %8s %8s %8s %8s %7s %7s %7s %7s\n' command wall_s min_s cpu_s anon_MB rss_MB MB/s ratio min_rat cpu_rat
	fw=$(median "$d/floor" '$1')
	fm=$(least "$d/floor" '$1')
	fc=$(median "$d/floor" '$2')
	for cmd in floor rampart gitleaks; do
		[[ -f $d/$cmd ]] || continue
		awk -v n="$cmd" -v w="$(median "$d/$cmd" '$1')" -v m="$(least "$d/$cmd" '$1')" -v c="$(median "$d/$cmd" '$2')" \
			-v a="$(median "$d/$cmd" '$3')" -v r="$(median "$d/$cmd" '$4')" -v b="$blob_bytes" -v fw="$fw" -v fm="$fm" -v fc="$fc" \
			'function d(x){return x>0?x:0.001} BEGIN{printf "%-9s %8.2f %8.2f %8.2f %8.0f %8.0f %7.0f %7.2f %7.2f %7.2f\n", n, w, m, c, a, r, b/1e6/d(w), w/d(fw), m/d(fm), c/d(fc)}'
	done
	# What rampart's largest peak was made of: each process's share at that
	# moment, and its own peak over the run (git children by command).
	awk '/^summed peak/ { n++; v[n] = $3 } { b[n] = b[n] $0 "\n" }
		END { m = 1; for (i = 1; i <= n; i++) if (v[i] > v[m]) m = i; printf "%s", b[m] }' "$d/rampart.split" |
		awk 'NR <= 2 || $2 >= 1 || $3 >= 1' | sed 's/^/  /' | sed '1s/^  /rampart run with the largest /'
	if [[ -n ${KEEP:-} ]]; then
		mkdir -p "$KEEP/$name"
		cp "$d"/floor "$d"/rampart "$KEEP/$name/"
		[[ -f $d/gitleaks ]] && cp "$d/gitleaks" "$KEEP/$name/"
		cp "$d/findings.json" "$KEEP/$name/"
	fi
	if [[ -f $repo.expected.json ]]; then
		echo "planted credentials ($repo.expected.json):"
		(cd "$root" && go run ./bench/mkrepo -verify "$repo.expected.json" -findings "$d/findings.json") || echo "history.sh: FINDINGS CHECK FAILED" >&2
	fi
done
echo
echo "(medians of $runs alternated runs; min_s the fastest; cpu_s = user+sys of the process tree; anon_MB = peak summed"
echo " anonymous memory of the process tree; rss_MB = peak RSS of its largest process; MB/s = unique blob bytes / wall;"
echo " ratio = wall / floor wall in the same loop. On a shared machine compare ratios, and cpu_rat.)"
