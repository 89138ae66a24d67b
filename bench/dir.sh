#!/usr/bin/env bash
# bench/dir.sh DIR [RUNS]
#
# Working-tree scan against the floor: builds rampart from this checkout,
# then alternates, RUNS times (default 5),
#   rampart scan DIR --format json                  (the thing measured)
#   find DIR -type f -not -path '*/.git/*' -exec cat {} + >/dev/null   (the floor)
#   gitleaks dir DIR                                 (only if gitleaks is on PATH)
# and prints the median wall time, CPU time and peak RSS of each, the ratio
# to the floor and MB/s of file bytes. The issue's target is ratio ≤ 3.
set -euo pipefail

if [[ $# -lt 1 ]]; then
	echo "usage: bench/dir.sh DIR [RUNS]" >&2
	exit 2
fi
dir=$(cd "$1" && pwd)
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
	echo "dir.sh: $TIME is missing: apt-get install -y time" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -n ${RAMPART_BIN:-} ]]; then
	rampart=$RAMPART_BIN
else
	rampart=$work/bin/rampart
	mkdir -p "$work/bin"
	# Built as the releases are (.goreleaser.yaml: CGO_ENABLED=0): a cgo
	# build is dynamically linked and starts 3-6 ms of CPU slower.
	(cd "$root" && CGO_ENABLED=0 go build -o "$rampart" ./cmd/rampart)
fi
gitleaks=${GITLEAKS:-$(command -v gitleaks || true)}

read -r files bytes < <(find "$dir" -type f -not -path '*/.git/*' -printf '%s\n' | awk '{n++; s+=$1} END{printf "%d %d\n", n, s}')

measure() {
	local name=$1
	shift
	local rc=0
	"$TIME" -f '%e %U %S %M' -o "$work/$name.one" "$@" >/dev/null 2>"$work/$name.err" || rc=$?
	if [[ $rc -gt 1 ]] || grep -q FTL "$work/$name.err"; then
		echo "dir.sh: $name failed (exit $rc):" >&2
		cat "$work/$name.err" >&2
		exit 1
	fi
	tail -n1 "$work/$name.one" >>"$work/$name"
}

load=$(cut -d" " -f1-3 /proc/loadavg)
find "$dir" -type f -not -path '*/.git/*' -exec cat {} + >/dev/null # warm the page cache
for ((i = 1; i <= runs; i++)); do
	measure rampart "$rampart" scan --format json --quiet -o /dev/null ${RAMPART_FLAGS:-} "$dir"
	measure floor find "$dir" -type f -not -path '*/.git/*' -exec cat {} +
	if [[ -n $gitleaks && $i -le ${GITLEAKS_RUNS:-$runs} ]]; then
		if "$gitleaks" dir --help >/dev/null 2>&1; then
			measure gitleaks "$gitleaks" dir --no-banner --report-format json --report-path "$work/gitleaks.json" "$dir"
		else
			measure gitleaks "$gitleaks" detect --no-git --no-banner --report-format json --report-path "$work/gitleaks.json" --source "$dir"
		fi
	fi
done

# least FILE EXPR: the smallest value over the runs (the least disturbed run
# when other work shares the machine).
least() {
	awk "{print $2}" "$1" | sort -g | head -n1
}

median() {
	awk "{print $2}" "$1" | sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

echo
echo "directory   $dir   files $files   bytes $(awk -v b="$bytes" 'BEGIN{printf "%.1f MB", b/1e6}')   runs $runs   cores $(nproc)"
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
	awk -v n="$name" -v w="$wall" -v m="$min" -v c="$cpu" -v r="$rss" -v b="$bytes" -v f="$floor_wall" -v fm="$floor_min" -v fc="$floor_cpu" \
		'function d(x){return x>0?x:0.001} BEGIN{printf "%-10s %8.2f %8.2f %8.2f %8.0f %8.1f %8.2f %8.2f %8.2f\n", n, w, m, c, r, b/1e6/d(w), w/d(f), m/d(fm), c/d(fc)}'
done
echo
echo "(medians of $runs runs, min_s the fastest; cpu = user+sys of the process tree;"
echo " load average at the start: $load on $(nproc) cores: compare cpu_rat when the machine is shared; wall times under 0.1 s are at the resolution of /usr/bin/time)"
