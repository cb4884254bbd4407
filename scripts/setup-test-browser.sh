#!/usr/bin/env bash
# Test referee for the scorecard's browser test (tests/test_scorecard.py): Debian's chromium.
exec bash "$(dirname "$0")/install-browser.sh"
