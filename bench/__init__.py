"""Benchmarks (see bench/README.md). Not installed with the app: run from the project root."""
