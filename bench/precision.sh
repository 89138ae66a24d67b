#!/bin/sh
# Precision on real trees: build rampart from this checkout, scan each tree,
# print findings per rule, and write this run's listings (redacted; verdicts
# carried over from the reviewed listings in bench/precision/) to OUT.
#
#   bench/precision.sh [NAME=]PATH ...       (default: go=$(go env GOROOT)/src)
#   OUT=/tmp/precision bench/precision.sh go=/usr/local/go/src git=/tmp/git
#
# Review: diff OUT/NAME.tsv against bench/precision/NAME.tsv, judge every `?`
# line (tp or fp, in the first column), and copy the file back.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/rampart-precision}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/rampart" ./cmd/rampart
go build -o "$tmp/precision" ./bench/precision
if [ $# -eq 0 ]; then
	set -- "go=$(go env GOROOT)/src"
fi
"$tmp/precision" -rampart "$tmp/rampart" -reviewed "$root/bench/precision" -out "$out" "$@"
echo "listings: $out (diff against $root/bench/precision/)"
