"""Org-wide sweeps: list repositories, fetch them cheaply, scan in parallel, store results."""
