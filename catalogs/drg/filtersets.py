"""The filters of the DRG rule set list (config.lists); field names are the query parameters."""

from __future__ import annotations

from config.lists import IntegerFilter, ListFilters


class DrgRuleSetFilters(ListFilters):
    """DRG分组规则: year."""

    year = IntegerFilter(label="年度", min_value=2000, max_value=2100)
