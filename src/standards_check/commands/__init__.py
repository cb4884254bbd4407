"""One module per command: a function that takes explicit arguments and returns an exit code."""
