"""Datasets for statisticians and regulators, written from the diary's records."""
