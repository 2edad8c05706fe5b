"""The filters of the catalog version list (config.lists); field names are the page's query parameters."""

from __future__ import annotations

import django_filters

from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.register import selectors as register_selectors
from catalogs.versions import selectors
from config.lists import ListFilters


class VersionFilters(ListFilters):
    """病种目录版本: region and status (bureau only), kind, year (of the versions the user sees)."""

    region = django_filters.ChoiceFilter(
        label="统筹区", field_name="region__code", empty_label="全部统筹区"
    )
    kind = django_filters.ChoiceFilter(
        label="类别", choices=CatalogKind.choices, empty_label="全部类别"
    )
    year = django_filters.ChoiceFilter(label="年度", empty_label="全部年度")
    status = django_filters.ChoiceFilter(
        label="状态", choices=CatalogStatus.choices, empty_label="全部状态"
    )

    def filters_for(self, user) -> None:
        years = selectors.catalog_years(user)
        self.filters["year"].extra["choices"] = [(year, f"{year}年") for year in years]
        if not user.is_bureau:
            del self.filters["region"], self.filters["status"]
            return
        regions = register_selectors.region_list_for_user(user)
        self.filters["region"].extra["choices"] = [(r.code, r.name) for r in regions]
