#!/usr/bin/env bash
# Build the web workbench (web/) into web/dist with the npm packages pinned by
# web/package-lock.json. Installs them first when web/node_modules is missing
# or older than the lockfile. Node is needed only here, never to run jiesu.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
	echo "web-build: npm is missing (scripts/deps.sh installs Node.js and npm)" >&2
	exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules
fi
npm run --silent build
