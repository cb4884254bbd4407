#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the scorecard browser test. Idempotent: does
# nothing when a chromium is already on PATH.
set -euo pipefail
for name in chromium chromium-browser; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "install-browser: $("$name" --version 2>/dev/null || echo "$name") already installed"
    exit 0
  fi
done
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation
chromium --version
