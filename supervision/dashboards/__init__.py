"""Supervision dashboards (监管看板) with ECharts: the bureau's region and a hospital's own figures against the region."""
