"""Tenancy: the one place that decides which institution-owned rows a user may read.

Every page, API view, export and report reads institution-owned data through ``for_user(user)``.
A hospital user sees the rows of their own institution only; asking for any other row by id then
finds nothing, which the views turn into 404. Bureau users see the rows of the regions bound to their
account (``accounts.regions.regions_for_user``; a province-level user or a superuser sees all); experts
see nothing here unless a model says which rows are assigned to them (``for_expert``).
"""

from __future__ import annotations

from django.db import models

from accounts.choices import Role
from accounts.regions import region_filter_for_user


class TenantQuerySet(models.QuerySet):
    #: Lookup path from this model to its owning institution's primary key ("institution", "case__institution").
    tenant_field: str = "institution"
    #: Lookup path to the owning region; by default the region of the owning institution.
    region_field: str = ""
    #: Rows without an owning institution (a bureau's regional import) stay visible to every bureau user.
    unowned_visible: bool = False

    def for_user(self, user) -> TenantQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in Role.bureau():
            return self.in_regions(user)
        if user.role == Role.HOSPITAL:
            if user.institution_id is None:
                return self.none()
            return self.filter(**{self.tenant_field: user.institution_id})
        if user.role == Role.EXPERT:
            return self.for_expert(user)
        return self.none()

    def in_regions(self, user) -> TenantQuerySet:
        """The rows of the regions the user may see."""
        ids = region_filter_for_user(user)
        if ids is None:
            return self
        field = self.region_field or (
            "region" if self.tenant_field == "pk" else f"{self.tenant_field}__region"
        )
        scope = models.Q(**{f"{field}__in": ids})
        return self.filter(
            scope | models.Q(**{f"{self.tenant_field}__isnull": True})
            if self.unowned_visible
            else scope
        )

    def for_expert(self, user) -> TenantQuerySet:
        """Experts see only what is assigned to them; models with assignments override this."""
        return self.none()
