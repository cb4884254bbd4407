"""One function per CLI command; each takes explicit arguments and returns an exit code."""
