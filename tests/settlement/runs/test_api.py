"""/api/v1/runs/ (bureau only), /api/v1/statements/ (a hospital its own) and /api/v1/cases/{id}/points/:
401 without credentials, 403 for the wrong role, 404 for another institution's object; decimal strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from catalogs.models import Institution
from settlement.runs.models import RunCase, RunInstitution
from tests.settlement.runs.test_views import computed  # noqa: F401  (the module-scoped demo region with runs)

pytestmark = pytest.mark.django_db


def urls(c) -> dict[str, str]:
    return {
        "runs": reverse("api:run-list"),
        "run": reverse("api:run-detail", args=[c.monthly.pk]),
        "statements": reverse("api:statement-list"),
        "statement": reverse("api:statement-detail", args=[c.own.pk]),
        "points": reverse("api:case-points", args=[c.own_case.pk]),
    }


def test_every_endpoint_answers_401_without_credentials(computed, client):  # noqa: F811
    for name, url in urls(computed).items():
        response = client.get(url)
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Token"), (
            name
        )


def test_runs_are_the_bureaus_hospitals_and_experts_get_403(computed, client_for):  # noqa: F811
    for user in (computed.demo.hospital_user, computed.expert):
        client = client_for(user)
        assert client.get(urls(computed)["runs"]).status_code == 403
        assert client.get(urls(computed)["run"]).status_code == 403


def test_a_hospital_gets_404_for_another_institutions_statement_and_case_points(
    computed, client_for
):  # noqa: F811
    client = client_for(computed.demo.hospital_user)
    assert client.get(reverse("api:statement-detail", args=[computed.other.pk])).status_code == 404
    assert client.get(reverse("api:case-points", args=[computed.other_case.pk])).status_code == 404
    assert client.get(urls(computed)["statement"]).status_code == 200


def test_a_hospital_lists_only_its_own_statements_in_a_bounded_number_of_queries(
    computed, client_for, django_assert_max_num_queries
):  # noqa: F811
    client = client_for(computed.demo.hospital_user)
    with django_assert_max_num_queries(6):
        body = client.get(urls(computed)["statements"]).json()
    own = RunInstitution.objects.filter(institution=computed.own.institution)
    assert body["count"] == own.count() and {r["fixmedins_code"] for r in body["results"]} == {
        computed.own.institution.code
    }
    assert client.get(urls(computed)["statements"], {"year": "abc"}).status_code == 400


def test_a_statement_carries_the_stored_figures_as_decimal_strings(computed, client_for):  # noqa: F811
    row = computed.own
    body = client_for(computed.demo.hospital_user).get(urls(computed)["statement"]).json()
    for name in ("settlement", "fund_due", "deposit", "payment", "psn_part", "fund", "medfee"):
        assert body[name] == f"{getattr(row, name):.2f}", name
    assert (
        Decimal(body["points"]) == row.points
        and Decimal(body["point_value"]) == computed.monthly.point_value
    )
    assert body["breakdown"] == row.breakdown


def test_the_bureau_lists_runs_by_filter_and_reads_one_with_its_changes(
    computed, client_for, django_assert_max_num_queries
):  # noqa: F811
    client = client_for(computed.demo.officer)
    with django_assert_max_num_queries(6):
        listed = client.get(
            urls(computed)["runs"], {"run_type": "monthly", "status": "superseded"}
        ).json()
    assert [r["id"] for r in listed["results"]] == [computed.first.pk]
    assert client.get(urls(computed)["runs"], {"run_type": "weekly"}).status_code == 400
    run = client.get(urls(computed)["run"]).json()
    assert (run["result_hash"], run["case_hash"], run["supersedes"]) == (
        computed.monthly.result_hash,
        computed.monthly.case_hash,
        computed.first.pk,
    )
    assert (
        Decimal(run["point_value"]) == computed.monthly.point_value
        and run["total"] == f"{computed.monthly.total:.2f}"
    )
    assert [c["difference"] for c in run["summary"]["changes"]] == ["-95.00"]


def test_case_points_equal_the_run_case_rows(computed, client_for):  # noqa: F811
    body = client_for(computed.demo.hospital_user).get(urls(computed)["points"]).json()
    results = {r.run_id: r for r in RunCase.objects.filter(case=computed.own_case)}
    assert len(body) == len(results) >= 3
    for item in body:
        result = results[item["run"]]
        for name in (
            "score",
            "mean",
            "ratio",
            "factor",
            "aux_coef",
            "inst_coef",
            "points",
            "amount",
        ):
            assert Decimal(item[name]) == getattr(result, name), name
        assert (item["group_code"], item["deviation"], item["needs_review"]) == (
            result.group_code,
            result.deviation,
            result.needs_review,
        )
        assert item["trace_text"] and item["deviation_label"]


def test_a_member_hospital_reads_only_its_own_share_and_the_bureau_every_members_of_a_run(
    computed, client_for
):  # noqa: F811
    url, run = reverse("api:member-share-list"), computed.monthly
    member = computed.member_user.institution
    body = client_for(computed.member_user).get(url, {"run": run.pk}).json()
    cases = RunCase.objects.filter(run=run, institution=member)
    points = sum((c.points for c in cases), Decimal(0))
    amount = (points * run.point_value).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )  # one rounding of points × PV
    case_sum = sum((c.amount for c in cases), Decimal("0.00"))
    assert [(r["fixmedins_code"], r["run"]) for r in body] == [(member.code, run.pk)]
    assert (body[0]["points"], body[0]["amount"], body[0]["case_amounts"]) == (
        f"{points:.4f}",
        f"{amount:.2f}",
        f"{case_sum:.2f}",
    )
    assert (
        body[0]["rounding_difference"] == f"{case_sum - amount:.2f}"
        and body[0]["cases"] == cases.count()
    )
    mine = client_for(computed.member_user).get(url).json()
    assert {r["fixmedins_code"] for r in mine} == {member.code} and run.pk in {
        r["run"] for r in mine
    }
    for user in (
        computed.demo.hospital_user,
        computed.other_user,
    ):  # not members: no share of anyone's
        assert client_for(user).get(url, {"run": run.pk}).json() == []
    officer = client_for(computed.demo.officer)
    assert officer.get(url).status_code == 400 and "run" in officer.get(url).json()["errors"]
    every = officer.get(url, {"run": run.pk}).json()
    members = (
        RunInstitution.objects.filter(run=run).exclude(members=[]).values_list("members", flat=True)
    )
    assert sorted(r["fixmedins_code"] for r in every) == sorted(
        Institution.objects.filter(pk__in=[m for ms in members for m in ms]).values_list(
            "code", flat=True
        )
    )
    assert client_for(computed.member_user).get(url, {"run": "abc"}).status_code == 400
