#!/usr/bin/env bash
# bench/history.sh REPO [RUNS]
#
# Full-history scan against the floor: builds rampart from this checkout,
# then alternates, RUNS times (default 5),
#   rampart scan --history --format json          (the thing measured)
#   git cat-file --batch-all-objects --batch --unordered >/dev/null   (the floor)
#   gitleaks git REPO   (if gitleaks is on PATH, or GITLEAKS=/path/to/gitleaks)
# on REPO, and prints the median wall time, CPU time (user+sys) and peak RSS
# of each, the ratio to the floor, and MB/s of unique blob bytes.
#
# If REPO.expected.json exists (written by bench/mkrepo), the first rampart
# report is checked against it: every planted credential found and
# attributed to its commit and path.
#
# Environment: GITLEAKS_RUNS limits how many of the runs include gitleaks
# (it is slow on large histories); RAMPART_FLAGS adds flags to the rampart command line (e.g.
# "--workers 2"); RAMPART_BIN uses a prebuilt binary instead of building.
set -euo pipefail

if [[ $# -lt 1 ]]; then
	echo "usage: bench/history.sh REPO [RUNS]" >&2
	exit 2
fi
repo=$(cd "$1" && pwd)
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
	echo "history.sh: $TIME is missing: apt-get install -y time" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -n ${RAMPART_BIN:-} ]]; then
	rampart=$RAMPART_BIN
else
	rampart=$work/bin/rampart
	mkdir -p "$work/bin"
	(cd "$root" && go build -o "$rampart" ./cmd/rampart)
fi
gitleaks=${GITLEAKS:-$(command -v gitleaks || true)}

# What there is to read: computed once, outside the timed loop.
read -r blobs blob_bytes objects < <(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' --unordered |
	awk '{n++} $1=="blob"{b++; s+=$2} END{printf "%d %d %d\n", b, s, n}')
commits=$(git -C "$repo" rev-list --all --count)
refs=$(git -C "$repo" for-each-ref | wc -l)
pack_mb=$(du -sm "$(git -C "$repo" rev-parse --absolute-git-dir)/objects" | cut -f1)

# measure NAME CMD...: one timed run, appended to $work/NAME as
# "wall user sys maxrss_kb". Exit status 1 (findings) is not a failure.
measure() {
	local name=$1
	shift
	local rc=0
	"$TIME" -f '%e %U %S %M' -o "$work/$name.one" "$@" >/dev/null 2>"$work/$name.err" || rc=$?
	if [[ $rc -gt 1 ]] || grep -q FTL "$work/$name.err"; then
		echo "history.sh: $name failed (exit $rc):" >&2
		cat "$work/$name.err" >&2
		exit 1
	fi
	tail -n1 "$work/$name.one" >>"$work/$name"
}

floor() {
	git -C "$repo" cat-file --batch-all-objects --batch --unordered >/dev/null
}
export -f floor 2>/dev/null || true

load=$(cut -d" " -f1-3 /proc/loadavg)
# One untimed warm-up of each so every timed run sees a warm page cache.
git -C "$repo" cat-file --batch-all-objects --batch --unordered >/dev/null
"$rampart" scan --history --format json --quiet -o "$work/findings.json" ${RAMPART_FLAGS:-} "$repo" >/dev/null 2>&1 || [[ $? -eq 1 ]]

for ((i = 1; i <= runs; i++)); do
	measure rampart "$rampart" scan --history --format json --quiet -o /dev/null ${RAMPART_FLAGS:-} "$repo"
	measure floor git -C "$repo" cat-file --batch-all-objects --batch --unordered
	if [[ -n $gitleaks && $i -le ${GITLEAKS_RUNS:-$runs} ]]; then
		if "$gitleaks" git --help >/dev/null 2>&1; then
			measure gitleaks "$gitleaks" git --no-banner --report-format json --report-path "$work/gitleaks.json" "$repo"
		else
			measure gitleaks "$gitleaks" detect --no-banner --report-format json --report-path "$work/gitleaks.json" --source "$repo"
		fi
	fi
	echo "run $i/$runs done" >&2
done

# median FILE COLUMN_EXPR: median of an awk expression over the runs.
# least FILE EXPR: the smallest value over the runs (the least disturbed run
# when other work shares the machine).
least() {
	awk "{print $2}" "$1" | sort -g | head -n1
}

median() {
	awk "{print $2}" "$1" | sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

blob_mb=$(awk -v b="$blob_bytes" 'BEGIN{printf "%.1f", b/1e6}')
echo
echo "repository  $repo"
echo "commits     $commits   refs $refs   objects $objects   blobs $blobs   unique blob bytes ${blob_mb} MB   objects dir ${pack_mb} MB"
echo "rampart     $("$rampart" version 2>/dev/null | head -n1) (${RAMPART_FLAGS:-default flags})   runs $runs   cores $(nproc)"
echo
printf '%-10s %8s %8s %8s %8s %8s %8s %8s %8s\n' command wall_s min_s cpu_s rss_MB MB/s ratio min_rat cpu_rat
floor_wall=$(median "$work/floor" '$1')
floor_min=$(least "$work/floor" '$1')
floor_cpu=$(median "$work/floor" '$2+$3')
for name in floor rampart gitleaks; do
	[[ -f $work/$name ]] || continue
	wall=$(median "$work/$name" '$1')
	min=$(least "$work/$name" '$1')
	cpu=$(median "$work/$name" '$2+$3')
	rss=$(median "$work/$name" '$4/1024')
	awk -v n="$name" -v w="$wall" -v m="$min" -v c="$cpu" -v r="$rss" -v b="$blob_bytes" -v f="$floor_wall" -v fm="$floor_min" -v fc="$floor_cpu" \
		'function d(x){return x>0?x:0.001} BEGIN{printf "%-10s %8.2f %8.2f %8.2f %8.0f %8.1f %8.2f %8.2f %8.2f\n", n, w, m, c, r, b/1e6/d(w), w/d(f), m/d(fm), c/d(fc)}'
done
echo
echo "(medians of $runs runs, min_s the fastest; cpu = user+sys of the process tree;"
echo " load average at the start: $load on $(nproc) cores: compare cpu_rat when the machine is shared; MB/s = unique blob bytes / wall; ratio = wall / floor wall)"

if [[ -f $repo.expected.json ]]; then
	echo
	echo "planted credentials ($repo.expected.json):"
	(cd "$root" && go run ./bench/mkrepo -verify "$repo.expected.json" -findings "$work/findings.json") || echo "history.sh: FINDINGS CHECK FAILED" >&2
fi
