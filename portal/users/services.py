"""Account administration (账号管理) by the bureau admin: a user with a role in one step (a hospital user
bound to an institution, an expert with the expert-library profile), and hospital accounts in bulk.

New accounts get a random password shown once and must change it at the first login.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from accounts.passwords import password_generate
from accounts.regions import region_ids_for_user
from accounts.services import user_create
from catalogs.models import Institution, Region
from disputes.services import expert_register

ERR_INSTITUTION_OUTSIDE = "机构 {code} 不在您管理的统筹区内，不能为其开设账号。"


@dataclass(frozen=True)
class AccountRow:
    """One account of a bulk import, already checked (``portal.users.excel``)."""

    username: str
    display_name: str
    institution: Institution
    phone: str
    email: str


@transaction.atomic
def account_create(
    *,
    actor,
    username: str,
    display_name: str,
    role: str,
    institution: Institution | None = None,
    email: str = "",
    phone: str = "",
    specialty: str = "",
    expert_institution: Institution | None = None,
    title: str = "",
    regions: Iterable[Region] = (),
    province_wide: bool = False,
) -> tuple[User, str]:
    """Create the account and, for an expert, the expert-library entry; returns the user and the
    one-time password."""
    if role == Role.HOSPITAL and _outside(actor, institution):
        raise ValidationError(
            {"institution": ERR_INSTITUTION_OUTSIDE.format(code=institution.code)}
        )
    password = password_generate()
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        institution=institution if role == Role.HOSPITAL else None,
        email=email,
        phone=phone,
        must_change_password=True,
        regions=regions,
        province_wide=province_wide,
    )
    if role == Role.EXPERT:
        expert_register(
            actor=actor, user=user, specialty=specialty, institution=expert_institution, title=title
        )
    return user, password


@transaction.atomic
def hospital_accounts_import(*, actor, rows: Sequence[AccountRow]) -> list[tuple[User, str]]:
    """Create every hospital account of a checked file, all or none."""
    outside = [
        ERR_INSTITUTION_OUTSIDE.format(code=row.institution.code)
        for row in rows
        if _outside(actor, row.institution)
    ]
    if outside:
        raise ValidationError(outside)
    return [
        account_create(
            actor=actor,
            username=row.username,
            display_name=row.display_name,
            role=Role.HOSPITAL,
            institution=row.institution,
            email=row.email,
            phone=row.phone,
        )
        for row in rows
    ]


def _outside(actor, institution: Institution | None) -> bool:
    """An institution of a region the admin does not manage (a province-level admin manages all)."""
    ids = region_ids_for_user(actor) if actor is not None else None
    return institution is not None and ids is not None and institution.region_id not in ids
