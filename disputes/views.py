"""Pages of special-case reviews and disputes: the hospital's filings and quota, the bureau's queues
and workflow forms, the expert's review tasks, the decision letter and the inbox."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view
from config.lists import ListPage
from config.spreadsheets import download_response
from disputes import domain, presenters, selectors, services
from disputes.batch import BatchFileError, batch_read, batch_template
from disputes.choices import ItemKind, ItemStatus, Reason
from disputes.filtersets import AssignmentFilters
from disputes.forms import (
    AttachmentForm,
    BatchForm,
    CommentForm,
    DashboardFilterForm,
    DecideForm,
    ItemCreateForm,
    PanelDrawForm,
    ReasonForm,
    ScreenForm,
    VoteForm,
)
from disputes.letter import decision_workbook
from disputes.models import DisputeItem
from disputes.tables import AssignmentTable

ERR_HOSPITAL_ONLY = "仅医疗机构用户可以提出申请。"
ERR_EXPERT_ONLY = "仅专家可以查看评审任务。"
ERR_LETTER_ROLE = "决定书仅向申请机构和经办机构提供。"
ERR_DASHBOARD_ROLE = "办理统计仅向经办机构用户提供。"
VIEW = "disputes.view_disputeitem"


def _detail(item: DisputeItem) -> HttpResponse:
    return redirect("disputes:item_detail", pk=item.pk)


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: under the field it names when the form has one, above the form otherwise."""
    fields = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in fields.items():
        form.add_error(
            field if field in form.fields else None,
            [message for e in errors for message in e.messages],
        )


def _period(request: HttpRequest, periods):
    chosen = request.GET.get("period", "")
    return next((p for p in periods if str(p.pk) == chosen), None) or (
        periods[0] if periods else None
    )


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    """我的申请 (hospital, with the period's quota) or the bureau's queues by stage (with overdue marks)."""
    user = request.user
    if user.is_expert:
        return redirect("disputes:review_list")
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in ItemKind.values else ""
    context: dict = {"kinds": ItemKind.choices, "kind": kind}
    if user.is_hospital:
        periods = list(selectors.period_list_for_region(user.institution.region_id))
        period = _period(request, periods)
        items = selectors.item_list_for_user(user, kind=kind)
        context.update(
            periods=periods,
            period=period,
            suggestions=selectors.review_suggestions(user),
            quota=selectors.quota_status(institution_id=user.institution_id, period=period)
            if period
            else None,
        )
    else:
        status = request.GET.get("status", ItemStatus.SUBMITTED)
        status = (
            status if status in ItemStatus.values or status == "overdue" else ItemStatus.SUBMITTED
        )
        items = selectors.item_list_for_user(
            user,
            kind=kind,
            status="" if status == "overdue" else status,
            overdue=status == "overdue",
        )
        context.update(status=status, statuses=ItemStatus.choices, queues=selectors.queue_counts())
    context["page"] = Paginator(selectors.with_last_step(items), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "disputes/item_list.html", context)


@login_required
def item_batch_template(request: HttpRequest) -> HttpResponse:
    """批量申报模板 (.xlsx), for hospital users."""
    if not request.user.is_hospital:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    return download_response(batch_template(), "special-case-batch-template.xlsx")


@login_required
def item_batch(request: HttpRequest) -> HttpResponse:
    """批量申报: upload the filled template; every row is filed as a draft, or none with the row errors."""
    user = request.user
    if not user.is_hospital:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    form = BatchForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows, row_errors = batch_read(form.cleaned_data["file"])
            items = services.item_batch_file(actor=user, rows=rows, errors=row_errors)
        except BatchFileError as error:
            errors = [str(error)]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, f"已批量保存 {len(items)} 份特病单议申请草稿，请逐份核对后提交。"
            )
            return redirect("disputes:item_list")
    return render(request, "disputes/item_batch.html", {"form": form, "errors": errors})


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_hospital:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    periods = selectors.period_list_for_region(user.institution.region_id)
    form = ItemCreateForm(
        request.POST or None,
        request.FILES or None,
        periods=periods,
        runs=selectors.run_list_for_filing(user),
        versions=selectors.catalog_version_list_for_filing(user),
        initial=_suggested(request, periods),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                actor=user,
                kind=data["kind"],
                statement=data["statement"],
                reasons=data["reasons"],
                setl_id=data["setl_id"],
                subject=data["subject"],
                subject_ref=data["subject_ref"],
                period=data["period"],
                run=data["run"],
                group=services.group_for_filing(
                    user,
                    version_id=getattr(data["catalog_version"], "pk", None),
                    code=data["group_code"],
                ),
            )
            if data["attachment"]:
                services.attachment_add(actor=user, item=item, upload=data["attachment"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "申请草稿已保存，请核对后提交。")
            return _detail(item)
    return render(request, "disputes/item_form.html", {"form": form})


def _suggested(request: HttpRequest, periods) -> dict:
    """A filing started from a settlement suggestion: its case, period and reason filled in."""
    if request.method != "GET" or "setl_id" not in request.GET:
        return {}
    period = next((p for p in periods if str(p.pk) == request.GET.get("period")), None)
    reasons = [r for r in request.GET.getlist("reasons") if r in Reason.values]
    return {
        "kind": ItemKind.SPECIAL_CASE,
        "setl_id": request.GET["setl_id"][:64],
        "period": period,
        "reasons": reasons,
    }


def _forms_for(user, item: DisputeItem) -> dict:
    side = domain.HOSPITAL if user.is_hospital else domain.BUREAU if user.is_bureau else ""
    actions = domain.actions_allowed(status=item.status, actor=side) if side else []
    seat = selectors.assignment_for(user, item) if user.is_expert else None
    can_draw = (
        user.is_bureau and item.status == ItemStatus.EXPERT_REVIEW and not item.panel.exists()
    )
    return {
        "actions": actions,
        "seat": seat,
        "reason_form": ReasonForm(),
        "screen_form": ScreenForm() if "screen_pass" in actions else None,
        "decide_form": DecideForm() if "decide" in actions else None,
        "draw_form": PanelDrawForm() if can_draw else None,
        "vote_form": VoteForm(initial={"vote": seat.vote, "opinion": seat.opinion})
        if seat and item.status == ItemStatus.EXPERT_REVIEW
        else None,
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm()
        if item.status in ItemStatus.open() and (user.is_hospital or user.is_bureau)
        else None,
        "can_letter": item.status in (ItemStatus.DECIDED, ItemStatus.APPLIED)
        and not user.is_expert,
    }


def _link_urls(user, item: DisputeItem) -> dict:
    """Where the user can read the linked run and group: the filing institution's statement of the run (a
    consortium member: its share of the lead's; the bureau: the run when there is no statement of its own),
    and the catalog group's page when its version is readable to the user."""
    run_url = ""
    if item.run_id and not user.is_expert:
        if selectors.run_statement_for_user(user, item) is not None:
            run_url = reverse(
                "settlement:statement_detail", args=[item.run_id, item.institution.code]
            )
        else:
            run_url = reverse(
                "settlement:member_statement" if user.is_hospital else "settlement:run_detail",
                args=[item.run_id],
            )
    group_url = (
        reverse("catalogs:group_detail", args=[item.group_id])
        if selectors.group_visible_to(user, item)
        else ""
    )
    return {"run_url": run_url, "group_url": group_url}


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.item_get_for_user(user, pk)
    context = {
        "item": item,
        "timeline": selectors.timeline_for_user(user, item),
        "comments": selectors.comment_list_for_user(user, item),
        "attachments": selectors.attachment_list_for_user(user, item),
        "votes": selectors.vote_summary(item),
        # Individual experts and their votes are for the bureau; the hospital sees the tally.
        "panel": selectors.panel_for_user(user, item) if user.is_bureau else None,
        "names": presenters.actor_names(user, item),
        **_link_urls(user, item),
        **_forms_for(user, item),
    }
    return render(request, "disputes/item_detail.html", context)


def _post_action(form_class: type | None, call: Callable, success: str) -> Callable:
    """A POST-only page action: parse the form, call the service for the item the user may see, report back."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        item = selectors.item_get_for_user(request.user, pk)
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return _detail(item)
        try:
            call(request.user, item, form.cleaned_data if form else {})
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, success)
        return _detail(item)

    return view


item_submit = _post_action(
    ReasonForm,
    lambda u, i, d: services.item_submit(actor=u, item=i, note=d["note"]),
    "已提交，等待经办机构受理。",
)
item_withdraw = _post_action(
    ReasonForm,
    lambda u, i, d: services.item_withdraw(actor=u, item=i, reason=d["note"]),
    "已撤回申请。",
)
item_accept = _post_action(
    None, lambda u, i, d: services.item_accept(actor=u, item=i), "已受理，进入初审。"
)
item_screen = _post_action(
    ScreenForm, lambda u, i, d: services.item_screen(actor=u, item=i, **d), "已保存初审结论。"
)
panel_draw = _post_action(
    PanelDrawForm,
    lambda u, i, d: services.panel_draw(actor=u, item=i, **d),
    "已抽取评审专家并通知。",
)
expert_vote = _post_action(
    VoteForm, lambda u, i, d: services.expert_vote(actor=u, item=i, **d), "已提交表决。"
)
item_decide = _post_action(
    DecideForm,
    lambda u, i, d: services.item_decide(actor=u, item=i, **d),
    "已作出处理决定并通知申请机构。",
)
comment_add = _post_action(
    CommentForm,
    lambda u, i, d: services.comment_add(actor=u, item=i, body=d["body"]),
    "已发表意见。",
)
attachment_add = _post_action(
    AttachmentForm,
    lambda u, i, d: services.attachment_add(actor=u, item=i, upload=d["file"]),
    "已上传附件。",
)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(request.user, pk)
    return download_response(
        attachment.file.open("rb"), attachment.original_name, content_type=attachment.content_type
    )


@login_required
def item_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """决定书 (.xlsx) of a decided item: the filing hospital's own, or any for the bureau."""
    if request.user.is_expert:
        raise PermissionDenied(ERR_LETTER_ROLE)
    item = selectors.item_get_for_user(request.user, pk)
    if item.status not in (ItemStatus.DECIDED, ItemStatus.APPLIED):
        raise Http404("该申请尚未作出决定。")
    letter = decision_workbook(
        item, votes=selectors.vote_summary(item), names=presenters.actor_names(request.user, item)
    )
    return download_response(letter, f"decision-{item.number}.xlsx")


@bureau_view(VIEW, message=ERR_DASHBOARD_ROLE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """特病单议与争议办理统计: per kind and stage, how many passed through it, how long they took, how many are in it now."""
    form = DashboardFilterForm(
        request.GET or None, periods=selectors.period_list_for_user(request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    blocks = selectors.handling_dashboard(
        request.user, year=filters.get("year"), period=filters.get("period")
    )
    return render(request, "disputes/dashboard.html", {"form": form, "blocks": blocks})


class ReviewListView(ListPage):
    """我的评审任务: the expert's own seats (experts only)."""

    table_class = AssignmentTable
    filterset_class = AssignmentFilters
    template_name = "disputes/review_list.html"
    export_name = "我的评审任务"

    def get_queryset(self):
        if not self.request.user.is_expert:
            raise PermissionDenied(ERR_EXPERT_ONLY)
        return selectors.assignment_list_for_expert(self.request.user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """通知: the user's messages; POST marks one (``pk``) or all as read."""
    if request.method == "POST":
        pk = request.POST.get("pk", "")
        services.notification_mark_read(user=request.user, pk=int(pk) if pk.isdigit() else None)
        return redirect("disputes:inbox")
    page = Paginator(selectors.notification_list(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "disputes/inbox.html", {"page": page})
