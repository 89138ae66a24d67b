#!/usr/bin/env bash
# Deploys the orders service to the production cluster.
set -euo pipefail

@@ENTRIES@@

kubectl --context prod apply -f k8s/
echo "deployed $(git rev-parse --short HEAD)"
