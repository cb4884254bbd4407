#!/usr/bin/env bash
# Installs the test suite's referees that are not Python packages, into .cache/ (idempotent):
# GitHub's official REST API description (npm @octokit/openapi), against which the tests check
# every request the GitHub client makes.
set -euo pipefail
cd "$(dirname "$0")/.."
OCTOKIT_OPENAPI_VERSION=23.0.2
target=.cache/npm/node_modules/@octokit/openapi
if [ -f "$target/generated/api.github.com.json" ] &&
   grep -q "\"version\": \"$OCTOKIT_OPENAPI_VERSION\"" "$target/package.json"; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-test-deps: npm is needed to install @octokit/openapi" >&2; exit 1; }
npm install --prefix .cache/npm --no-audit --no-fund --ignore-scripts --no-package-lock \
  "@octokit/openapi@$OCTOKIT_OPENAPI_VERSION" >&2
test -f "$target/generated/api.github.com.json"
