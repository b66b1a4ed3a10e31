"""Benchmarks: `make bench` (python -m bench) runs every bench_*.py module here and prints its numbers."""
