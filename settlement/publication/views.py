"""Publication pages. Bureau: publish a run (公示), the answers to it (who confirmed, who objected, who
let the window pass) with their workbook, and the holiday calendar. Hospital: confirm its statement or
object to it, from the statement page (``settlement:statement_detail``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import in_user_regions, region_check
from config.spreadsheets import download_response
from settlement.publication import excel, selectors, services
from settlement.publication.choices import ResponseState
from settlement.publication.forms import ConfirmForm, HolidayForm, ObjectionForm, PublishForm
from settlement.publication.models import Holiday, StatementPublication
from settlement.runs import selectors as run_selectors
from settlement.runs.models import RunInstitution, SettlementRun

VIEW, PUBLISH, HOLIDAYS = (
    "settlement.view_statementpublication",
    services.PUBLISH,
    "settlement.add_holiday",
)
MSG_PUBLISHED = "结算运行 #{pk} 已公示，医疗机构可在 {deadline}（含）前确认或提出异议。"
MSG_CONFIRMED = "已确认本机构结算单。"
MSG_OBJECTED = "已提出异议，争议申请 {number} 已提交经办机构。"
MSG_HOLIDAY = "已添加 {day} {name}。"
ERR_FORM = "请检查填写的内容：{errors}"


def _run(request: HttpRequest, pk: int) -> SettlementRun:
    try:
        run = run_selectors.run_get(pk)
    except SettlementRun.DoesNotExist:
        raise Http404 from None
    region_check(request.user, run.region_id)
    return run


def _form_errors(request: HttpRequest, form) -> None:
    messages.error(
        request,
        ERR_FORM.format(
            errors="；".join(
                f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items()
            )
        ),
    )


@require_POST
@bureau_view(PUBLISH)
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    run, form = _run(request, pk), PublishForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("settlement:run_detail", pk=run.pk)
    try:
        publication = services.run_publish(actor=request.user, run=run, **form.cleaned_data)
    except ValidationError as refused:
        error_messages(request, refused)
        return redirect("settlement:run_detail", pk=run.pk)
    messages.success(request, MSG_PUBLISHED.format(pk=run.pk, deadline=publication.deadline))
    return redirect("settlement:run_responses", pk=run.pk)


def _publication(request: HttpRequest, pk: int) -> StatementPublication:
    publications = StatementPublication.objects.select_related("run", "run__region", "published_by")
    return get_object_or_404(
        in_user_regions(publications, request.user, field="run__region"), run_id=pk
    )


@bureau_view(VIEW)
def run_responses(request: HttpRequest, pk: int) -> HttpResponse:
    overview = selectors.publication_overview(_publication(request, pk), today=timezone.localdate())
    labels = {state.value: state.label for state in ResponseState}
    context = {
        "overview": overview,
        "run": overview.publication.run,
        "counts": [(labels[k], k, n) for k, n in overview.counts.items()],
    }
    return render(request, "settlement/publication/run_responses.html", context)


@bureau_view(VIEW)
def run_responses_export(request: HttpRequest, pk: int) -> HttpResponse:
    overview = selectors.publication_overview(_publication(request, pk), today=timezone.localdate())
    return download_response(excel.overview_workbook(overview), f"statement-responses-{pk}.xlsx")


def _statement(request: HttpRequest, pk: int, code: str) -> RunInstitution:
    try:
        return run_selectors.statement_get_for_user(request.user, run_id=pk, institution_code=code)
    except RunInstitution.DoesNotExist:
        raise Http404 from None


def _answer(request: HttpRequest, pk: int, code: str, answer) -> HttpResponse:
    """Run one answer service on the user's own statement (another's is 404) and return to the statement."""
    statement = _statement(request, pk, code)
    try:
        message = answer(statement)
    except (ValidationError, PermissionDenied) as refused:
        for text in getattr(refused, "messages", None) or [str(refused)]:
            messages.error(request, text)
    else:
        messages.success(request, message)
    return redirect("settlement:statement_detail", pk=pk, code=code)


@require_POST
@login_required
def statement_confirm(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    form = ConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""

    def confirm(statement: RunInstitution) -> str:
        services.statement_confirm(actor=request.user, statement=statement, note=note)
        return MSG_CONFIRMED

    return _answer(request, pk, code, confirm)


@require_POST
@login_required
def statement_object(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    form = ObjectionForm(request.POST)

    def object_to(statement: RunInstitution) -> str:
        if not form.is_valid():
            raise ValidationError(
                [f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items()]
            )
        services.statement_object(actor=request.user, statement=statement, **form.cleaned_data)
        return MSG_OBJECTED.format(number=selectors.objection_of(statement).number)

    return _answer(request, pk, code, object_to)


@bureau_view(HOLIDAYS)
def holiday_list(request: HttpRequest) -> HttpResponse:
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holiday = services.holiday_add(actor=request.user, **form.cleaned_data)
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            messages.success(request, MSG_HOLIDAY.format(day=holiday.day, name=holiday.name))
            return redirect("settlement:holiday_list")
    return render(
        request,
        "settlement/publication/holiday_list.html",
        {"form": form, "holidays": selectors.holiday_list()},
    )


@require_POST
@bureau_view(HOLIDAYS)
def holiday_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.holiday_remove(actor=request.user, holiday=get_object_or_404(Holiday, pk=pk))
    return redirect("settlement:holiday_list")
