"""Marshmallow schemas for the API, one module per area, named by role."""
