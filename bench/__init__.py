"""Benchmarks and quality measurements, run from the repository root (python -m bench.<name>)."""
