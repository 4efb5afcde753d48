"""Benchmarks: what docs/architecture.md promises, measured side by side.

`make bench` runs them all; docs/development.md, "Benchmarks", says what each one measures.
"""
