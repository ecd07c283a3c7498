"""Benchmarks of the Nekpijn-assistent: `python -m bench` measures, prints a table and rewrites
docs/benchmarks.md. Figures, not pass/fail tests: a slow machine never fails CI here."""
