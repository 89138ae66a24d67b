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
	rampart=$work/rampart
	(cd "$root" && go build -o "$rampart" ./cmd/rampart)
fi
gitleaks=${GITLEAKS:-$(command -v gitleaks || true)}

read -r files bytes < <(find "$dir" -type f -not -path '*/.git/*' -printf '%s\n' | awk '{n++; s+=$1} END{printf "%d %d\n", n, s}')

measure() {
	local name=$1
	shift
	local rc=0
	"$TIME" -f '%e %U %S %M' -o "$work/$name.one" "$@" >/dev/null 2>"$work/$name.err" || rc=$?
	if [[ $rc -gt 1 ]]; then
		echo "dir.sh: $name failed (exit $rc):" >&2
		cat "$work/$name.err" >&2
		exit 1
	fi
	tail -n1 "$work/$name.one" >>"$work/$name"
}

find "$dir" -type f -not -path '*/.git/*' -exec cat {} + >/dev/null # warm the page cache
for ((i = 1; i <= runs; i++)); do
	measure rampart "$rampart" scan --format json --quiet -o /dev/null ${RAMPART_FLAGS:-} "$dir"
	measure floor find "$dir" -type f -not -path '*/.git/*' -exec cat {} +
	if [[ -n $gitleaks ]]; then
		if "$gitleaks" dir --help >/dev/null 2>&1; then
			measure gitleaks "$gitleaks" dir --no-banner --report-path /dev/null "$dir"
		else
			measure gitleaks "$gitleaks" detect --no-git --no-banner --report-path /dev/null --source "$dir"
		fi
	fi
done

median() {
	awk "{print $2}" "$1" | sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

echo
echo "directory   $dir   files $files   bytes $(awk -v b="$bytes" 'BEGIN{printf "%.1f MB", b/1e6}')   runs $runs   cores $(nproc)"
echo
printf '%-10s %10s %10s %10s %10s %10s\n' command wall_s cpu_s rss_MB MB/s ratio
floor_wall=$(median "$work/floor" '$1')
for name in floor rampart gitleaks; do
	[[ -f $work/$name ]] || continue
	wall=$(median "$work/$name" '$1')
	cpu=$(median "$work/$name" '$2+$3')
	rss=$(median "$work/$name" '$4/1024')
	awk -v n="$name" -v w="$wall" -v c="$cpu" -v r="$rss" -v b="$bytes" -v f="$floor_wall" \
		'BEGIN{printf "%-10s %10.2f %10.2f %10.0f %10.1f %10.2f\n", n, w, c, r, b/1e6/(w>0?w:0.001), w/(f>0?f:0.001)}'
done
echo
echo "(medians of $runs runs; wall times under 0.1 s are at the resolution of /usr/bin/time)"
