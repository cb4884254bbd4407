"""CLI commands, one module each; cli.py wires them into the `standards-check` group."""
