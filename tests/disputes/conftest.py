from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts.choices import Role
from accounts.services import user_create
from disputes import services
from disputes.choices import ItemKind, Reason, Specialty
from disputes.models import DisputeItem, Expert
from tests.world import PASSWORD, case_create

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "病历.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path, DISPUTES_SPECIAL_CASE_QUOTA_RATE="0.5"):
        yield tmp_path


@dataclass
class Panel:
    """Four surgeons: the world's expert (no institution), one from hospital A (must never judge A), two from B."""

    world_expert: Expert
    from_a: Expert
    from_b1: Expert
    from_b2: Expert


def expert_create(username: str, *, specialty: str = Specialty.SURGERY, institution=None) -> Expert:
    user = user_create(
        actor=None, username=username, password=PASSWORD, role=Role.EXPERT, display_name=username
    )
    return Expert.objects.create(user=user, specialty=specialty, institution=institution)


@pytest.fixture
def experts(world) -> Panel:
    return Panel(
        world_expert=Expert.objects.create(user=world.expert, specialty=Specialty.SURGERY),
        from_a=expert_create("exp_a", institution=world.hospital_a),
        from_b1=expert_create("exp_b1", institution=world.hospital_b),
        from_b2=expert_create("exp_b2", institution=world.hospital_b),
    )


@pytest.fixture
def cases(world):
    """Four inpatient cases of A and two of B in the period (quota at rate 0.5: 3 → A 2, B 1), one chronic outpatient case of A."""
    made = {
        f"A{n}": case_create(institution=world.hospital_a, period=world.period, setl_id=f"A{n}")
        for n in range(1, 5)
    }
    made.update(
        {
            f"B{n}": case_create(institution=world.hospital_b, period=world.period, setl_id=f"B{n}")
            for n in range(1, 3)
        }
    )
    made["A-chronic"] = case_create(
        institution=world.hospital_a, period=world.period, setl_id="A-chronic", med_type="14"
    )
    return made


@pytest.fixture
def special_case(world, cases):
    """``special_case(user, setl_id)``: a draft special case filed by that hospital user."""

    def file(user=None, setl_id: str = "A1") -> DisputeItem:
        return services.item_create(
            actor=user or world.user_a,
            kind=ItemKind.SPECIAL_CASE,
            setl_id=setl_id,
            reasons=[Reason.HIGH_COST, Reason.CRITICAL_CARE],
            statement="费用远超病种标准，ICU 救治 12 天。",
        )

    return file


@pytest.fixture
def reviewing(world, special_case, experts):
    """A special case of A submitted, accepted and passed to expert review, with a panel of 3 drawn (seed 7)."""
    item = special_case()
    services.item_submit(actor=world.user_a, item=item)
    services.item_accept(actor=world.officer, item=item)
    services.item_screen(actor=world.officer, item=item, passed=True, note="材料齐全")
    services.panel_draw(actor=world.officer, item=item, specialty=Specialty.SURGERY, size=3, seed=7)
    item.refresh_from_db()
    return item
