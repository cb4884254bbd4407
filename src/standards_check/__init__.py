"""standards-check: executable engineering standards."""

__version__ = "0.1.0"
