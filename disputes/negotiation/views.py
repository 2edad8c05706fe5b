"""Pages of negotiation meetings: the list, the record form, the meeting page with its participants,
coverage, agenda, positions, outcomes and links, and the minutes workbook. The bureau edits; a
hospital whose institution attended reads (another hospital gets 404)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.regions import region_fields_scope
from config.lists import ListPage
from config.spreadsheets import download_response
from disputes.choices import MeetingStatus
from disputes.negotiation import selectors, services
from disputes.negotiation.filtersets import MeetingFilters
from disputes.negotiation.forms import (
    AgendaForm,
    ConcludeForm,
    LinkForm,
    MeetingForm,
    ParticipantForm,
    PositionForm,
)
from disputes.negotiation.minutes import minutes_workbook
from disputes.negotiation.tables import MeetingTable
from disputes.presenters import actor_names

ERR_EXPERT = "专家不参与协商会议记录。"


def _detail(meeting) -> HttpResponse:
    return redirect("disputes:meeting_detail", pk=meeting.pk)


def _can_edit(user) -> bool:
    return user.is_bureau and user.has_perm(services.CHANGE)


class MeetingListView(ListPage):
    """协商谈判: the bureau's meetings of its regions; a hospital's, those it sent a representative to."""

    table_class = MeetingTable
    filterset_class = MeetingFilters
    template_name = "disputes/meeting_list.html"
    export_name = "协商会议"

    def get_queryset(self):
        if self.request.user.is_expert:
            raise PermissionDenied(ERR_EXPERT)
        return selectors.meeting_list_for_user(self.request.user)

    def get_context_data(self, **context) -> dict:
        return {**context, "can_edit": _can_edit(self.request.user)}


@login_required
def meeting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New meeting (no ``pk``) or the record of an existing one."""
    if not _can_edit(request.user):
        raise PermissionDenied(services.ERR_BUREAU_ONLY)
    meeting = selectors.meeting_get_for_user(request.user, pk) if pk else None
    initial = (
        {
            "title": meeting.title,
            "held_on": meeting.held_on,
            "status": meeting.status,
            "minutes": meeting.minutes,
        }
        if meeting
        else {}
    )
    form = region_fields_scope(
        MeetingForm(request.POST or None, initial=initial, editing=meeting is not None), request
    )
    if request.method == "POST" and form.is_valid():
        try:
            if meeting:
                meeting = services.meeting_update(
                    actor=request.user, meeting=meeting, **form.cleaned_data
                )
            else:
                meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "会议记录已保存。")
            return _detail(meeting)
    return render(request, "disputes/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(request.user, pk)
    editable = _can_edit(request.user) and meeting.status != MeetingStatus.CLOSED
    context = {
        # Participants as a list: the position form of every agenda item lists them again.
        "meeting": meeting,
        "participants": list(selectors.participant_list(meeting)),
        "agenda": selectors.agenda_list(meeting),
        "coverage": selectors.coverage_for(meeting),
        "editable": editable,
        "can_link": _can_edit(request.user),
        "names": actor_names(request.user),
    }
    if editable:
        context.update(
            participant_form=ParticipantForm(meeting=meeting),
            agenda_form=AgendaForm(meeting=meeting),
            position_form=PositionForm(meeting=meeting),
            conclude_form=ConcludeForm(meeting=meeting),
        )
    if context["can_link"]:
        context["link_form"] = LinkForm(meeting=meeting)
    return render(request, "disputes/meeting_detail.html", context)


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """会议纪要 (.xlsx) for whoever may read the meeting."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    body = minutes_workbook(
        meeting,
        participants=list(selectors.participant_list(meeting)),
        agenda=list(selectors.agenda_list(meeting)),
        coverage=selectors.coverage_for(meeting),
    )
    return download_response(body, f"meeting-{meeting.pk}-minutes.xlsx")


def _action(form_class: type, call: Callable, success: str, *, on_agenda: bool = False) -> Callable:
    """A POST-only action on a meeting the user may see (or on one of its agenda items)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
        meeting = selectors.meeting_get_for_user(request.user, pk)
        target = get_object_or_404(meeting.agenda, pk=item_pk) if on_agenda else meeting
        form = form_class(request.POST, meeting=meeting)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return _detail(meeting)
        try:
            call(request.user, target, form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
        return _detail(meeting)

    return view


participant_add = _action(
    ParticipantForm,
    lambda u, m, d: services.participant_add(actor=u, meeting=m, **d),
    "已添加参会人员。",
)
agenda_add = _action(
    AgendaForm, lambda u, m, d: services.agenda_item_add(actor=u, meeting=m, **d), "已添加议题。"
)
position_record = _action(
    PositionForm,
    lambda u, a, d: services.position_record(actor=u, agenda_item=a, **d),
    "已记录代表意见。",
    on_agenda=True,
)
agenda_conclude = _action(
    ConcludeForm,
    lambda u, a, d: services.agenda_item_conclude(actor=u, agenda_item=a, **d),
    "已保存议题结论。",
    on_agenda=True,
)
agenda_link = _action(
    LinkForm,
    lambda u, a, d: services.agenda_item_link(actor=u, agenda_item=a, **d),
    "已关联形成的版本。",
    on_agenda=True,
)


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(request.user, pk)
    participant = get_object_or_404(meeting.participants, pk=participant_pk)
    try:
        services.participant_remove(actor=request.user, participant=participant)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "已移除参会人员。")
    return _detail(meeting)
