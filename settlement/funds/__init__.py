"""Revolving funds (周转金): money advanced to an institution for a year, offset at year-end clearing.

The clearing run reads them through ``settlement.runs.selectors.revolving_funds``; this package is how a
bureau officer records them (page, services), closed years refused.
"""
