"""Benchmarks: what docs/architecture.md promises, measured side by side.

`make bench` runs them all; README, "Benchmarks", says what each one measures.
"""
