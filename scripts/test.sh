#!/usr/bin/env bash
# The whole test suite, as README.md's test command runs it (after `npm ci`).
# npm puts node_modules/.bin first on PATH, so `node` here is the Node (26 LTS) from the `node` devDependency.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/check-node.ts
bash scripts/ensure-system-deps.sh
echo "== typecheck"; npx tsc -p tsconfig.json
echo "== lint"; npx biome lint --diagnostic-level=error .
echo "== web UI build"; npm run build --silent -w @sluice/web >/dev/null
# Outputs honour HTTP_PROXY/HTTPS_PROXY/NO_PROXY (as Fluent Bit does); the tests talk to servers on
# loopback and set those variables themselves where they test them, so a proxy of the machine is not used.
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy NO_PROXY no_proxy
echo "== tests"; node scripts/run-tests.ts "$@"
# The crash and outage suite (agent/server SIGKILLs, outages, rotation, disk full): ~4-5 minutes.
if [ $# -eq 0 ]; then echo "== chaos"; node scripts/run-tests.ts --chaos; fi
