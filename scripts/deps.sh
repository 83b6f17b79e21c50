#!/usr/bin/env bash
# Install the Debian packages jiesu needs to build and test, and the web
# pages' npm packages (pinned by web/package-lock.json). Idempotent: installs
# only what is missing; needs root (or sudo) only then. Node.js builds the
# pages and drives the browser tests; running jiesu never needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
      libsodium-dev libxlsxwriter-dev libgeos-dev libgoogle-perftools-dev libcmocka-dev libcurl4-openssl-dev sqlite3 curl wrk
      zlib1g-dev # the test harness unzips Excel replies for its privacy scan
      valgrind # make valgrind
      chromium chromium-l10n fonts-wqy-microhei
      clang libclang-rt-14-dev) # make fuzz: clang with libFuzzer and the sanitizers' runtimes
# Node.js and npm: Debian's, unless the machine already has them (e.g. a newer Node.js).
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The web pages' packages, from the npm registry, exactly as locked.
if [ -f web/package-lock.json ] && { [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; }; then
	echo "installing the web pages' npm packages (web/package-lock.json)"
	(cd web && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
fi
