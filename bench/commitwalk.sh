#!/usr/bin/env bash
# bench/commitwalk.sh REPO [RUNS]
#
# Where the git side of a history scan spends its time. Times, RUNS times
# each (default 3), the passes rampart's History source is made of and the
# alternatives to them:
#   log-raw      git log --reverse --topo-order --raw -c ... --all  (the single-
#                process commit walk rampart used before: every commit with
#                the blobs it introduced)
#   difftree-2   what rampart runs now: git rev-list --topo-order --all, its
#                commits split in blocks of 256 between two concurrent
#                git diff-tree --stdin -r --raw -c --always processes
#   log-raw-fast the same without --reverse --topo-order and with --format=%H
#   rev-list     git rev-list --objects --all (blob enumeration by tree walk)
#   batch-log    git cat-file --batch fed the unique blob IDs in log order (the first blob reader)
#   batch-pack   git cat-file --batch fed the same blobs in pack order
#   unordered    git cat-file --batch-all-objects --batch --unordered (the floor:
#                every object, pack order)
#   check-only   git cat-file --batch-all-objects --batch-check --unordered (headers only)
# and prints the median wall time, CPU time and peak RSS of each.
set -euo pipefail
if [[ $# -lt 1 ]]; then
	echo "usage: bench/commitwalk.sh REPO [RUNS]" >&2
	exit 2
fi
repo=$(cd "$1" && pwd)
runs=${2:-3}
TIME=/usr/bin/time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g() { git -C "$repo" -c core.quotePath=true "$@"; }

fmt='--format=%x00%H%x00%an%x00%ae%x00%aI%x00%B%x00'
# The unique new blobs in the order pass 1 meets them (what rampart feeds
# cat-file at first), and the same set in pack order.
g log --reverse --topo-order --raw --no-renames --no-abbrev -c --root --format= --all -- |
	awk '/^:/ { n = match($0, /[^:]/) - 1; split($0, f, /[ \t]+/); mode = f[n + 1]; id = f[2 * n + 2];
		if (mode == "160000" || mode == "120000" || mode == "000000" || id ~ /^0+$/ || seen[id]++) next; print id }' >"$work/ids-log"
g cat-file --batch-all-objects --unordered --batch-check='%(objectname) %(objecttype)' |
	awk 'NR == FNR { want[$1] = 1; next } $2 == "blob" && want[$1] { print $1 }' "$work/ids-log" - >"$work/ids-pack"
g rev-list --topo-order --all -- | awk -v d="$work" '{ print > (d "/commits." (int((NR - 1) / 256) % 2)) }'
touch "$work/commits.0" "$work/commits.1"
difftree="git -C '$repo' diff-tree --stdin -r --raw -c --root --always --no-renames --no-abbrev --ignore-submodules=none '$fmt'"

measure() {
	local name=$1
	shift
	"$TIME" -f '%e %U %S %M' -a -o "$work/$name" bash -c "$*" >/dev/null
}
for ((i = 1; i <= runs; i++)); do
	measure log-raw "git -C '$repo' log --reverse --topo-order --raw --no-renames --no-abbrev -c --root '$fmt' --ignore-submodules=none --all -- >/dev/null"
	measure difftree-2 "git -C '$repo' rev-list --topo-order --all -- >/dev/null; $difftree <'$work/commits.0' >/dev/null & $difftree <'$work/commits.1' >/dev/null; wait"
	measure log-raw-fast "git -C '$repo' log --raw --no-renames --no-abbrev -c --root --format=%H --all -- >/dev/null"
	measure rev-list "git -C '$repo' rev-list --objects --all >/dev/null"
	measure batch-log "git -C '$repo' cat-file --batch <'$work/ids-log' >/dev/null"
	measure batch-pack "git -C '$repo' cat-file --batch <'$work/ids-pack' >/dev/null"
	measure unordered "git -C '$repo' cat-file --batch-all-objects --batch --unordered >/dev/null"
	measure check-only "git -C '$repo' cat-file --batch-all-objects --batch-check --unordered >/dev/null"
	echo "run $i/$runs done" >&2
done
median() {
	grep -v '^Command' "$1" | awk "{print $2}" | sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}
echo
echo "repository $repo   commits $(g rev-list --all --count)   unique blobs in pass 1: $(wc -l <"$work/ids-log")"
printf '%-13s %8s %8s %8s\n' pass wall_s cpu_s rss_MB
for name in log-raw difftree-2 log-raw-fast rev-list batch-log batch-pack unordered check-only; do
	printf '%-13s %8.2f %8.2f %8.0f\n' "$name" "$(median "$work/$name" '$1')" "$(median "$work/$name" '$2+$3')" "$(median "$work/$name" '$4/1024')"
done
