"""Catalog versions and their groups in the API (read-only; catalogs/api/urls.py registers them)."""
