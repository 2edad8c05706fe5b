"""The shared workflow panel and status badge (templates/workflow/) as a series page includes them."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string

URLS = {"submit_url": "/s/", "approve_url": "/a/", "return_url": "/r/"}


def panel(status: str, **context) -> str:
    record = SimpleNamespace(status=status)
    return render_to_string(
        "workflow/_panel.html",
        {
            "record": record,
            "testid": "x-actions",
            "actions": "budgets/_workflow_actions.html",
            **URLS,
            **context,
        },
    )


def test_a_submitted_version_offers_approve_and_return_to_an_approver_only():
    html = panel("submitted", can_approve=True)
    assert (
        'data-testid="x-actions"' in html
        and 'action="/a/"' in html
        and 'action="/r/"' in html
        and "审批通过" in html
    )
    assert 'name="reason"' in html and "待审批" not in html
    waiting = panel("submitted", can_approve=False)
    assert 'action="/a/"' not in waiting and "待审批：须由提交人以外的经办人员审批。" in waiting


def test_a_published_series_speaks_of_review_and_publishing():
    html = panel("submitted", can_approve=True, publish=True)
    assert "审核发布" in html and "审批通过" not in html
    assert "待审核：须由提交人以外的经办人员审核发布。" in panel(
        "submitted", can_approve=False, publish=True
    )


def test_a_draft_offers_submit_only_to_who_may_change_it():
    record = SimpleNamespace(status="draft", pk=1)
    html = render_to_string(
        "workflow/_panel.html",
        {
            "record": record,
            "budget": record,
            "testid": "x",
            "can_change": False,
            "actions": "budgets/_workflow_actions.html",
            **URLS,
        },
    )
    assert 'action="/s/"' not in html and "提交审批" not in html


def test_the_status_badge_colours_by_status_and_keeps_the_series_test_id():
    badge = render_to_string(
        "workflow/_status.html",
        {"status": "in_force", "label": "执行中", "testid": "budget-status"},
    )
    assert (
        "text-bg-success" in badge and 'data-testid="budget-status"' in badge and "执行中" in badge
    )
    assert 'data-testid="status"' in render_to_string(
        "workflow/_status.html", {"status": "retired", "label": "已停用"}
    )
    assert "text-bg-secondary" in render_to_string(
        "workflow/_status.html", {"status": "retired", "label": "已停用"}
    )
