"""Datasets and copies built from what the operations gather (never methods on models)."""
