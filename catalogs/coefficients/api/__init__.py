"""The coefficient tables in the API (catalogs/api/urls.py registers them)."""
