#!/bin/sh
# Installs piscina, tinypool and poolifier into bench/pools/node_modules (gitignored by
# the root .gitignore's node_modules rule).
set -e
cd "$(dirname "$0")"
npm install --no-audit --no-fund --no-package-lock
