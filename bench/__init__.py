"""Benchmarks: figures printed by hand-run scripts, never asserted by tests."""
