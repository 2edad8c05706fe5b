from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from jobs.choices import JobStatus
from jobs.management.commands.job_start import key_default, param_parse
from jobs.models import ERR_DUPLICATE_ACTIVE, Job
from jobs.services import job_start
from tests.jobs.kinds import ERR_TEST_FAILURE

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("job_start", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps=3", ("steps", 3)),
        ("flag=true", ("flag", True)),
        ("name=甲医院", ("name", "甲医院")),
        ("ids=[1, 2]", ("ids", [1, 2])),
        ('code="001"', ("code", "001")),
        ("note=a=b", ("note", "a=b")),
    ],
)
def test_parameter_values_are_read_as_json_or_else_text(text, expected):
    assert param_parse(text) == expected


def test_a_parameter_without_a_name_is_an_error():
    with pytest.raises(CommandError):
        param_parse("=3")


def test_the_default_key_names_the_kind_and_its_parameters_in_any_order():
    assert (
        key_default("test_steps", {"b": 2, "a": 1})
        == key_default("test_steps", {"a": 1, "b": 2})
        == 'test_steps:{"a":1,"b":2}'
    )
    long_key = key_default("test_steps", {"text": "长" * 300})
    assert len(long_key) <= 200 and long_key.startswith("test_steps:sha256:")


def test_list_shows_each_kind_with_its_chinese_label():
    assert "test_steps\t测试任务（分步）" in run("--list").splitlines()


def test_it_runs_the_job_here_printing_progress_and_the_summary():
    out = run("test_steps", "--param", "steps=2")
    lines = out.splitlines()
    assert lines[:2] == [" 50% 第 1/2 步", "100% 第 2/2 步"]
    job = Job.objects.get()
    assert (job.status, job.idempotency_key, job.params) == (
        JobStatus.SUCCEEDED,
        'test_steps:{"steps":2}',
        {"steps": 2},
    )
    assert json.loads(out[out.index("{") : out.rindex("}") + 1]) == {
        "steps": 2,
        "total": 3,
        "说明": "完成",
    }
    assert f"任务 #{job.pk} 已完成。" in out
    assert AuditEvent.objects.get(action="job_start").actor_name == "命令行"


def test_a_failing_job_ends_the_command_with_its_error():
    with pytest.raises(CommandError, match=ERR_TEST_FAILURE):
        run("test_fail")
    assert Job.objects.get().status == JobStatus.FAILED


def test_it_is_refused_while_the_same_work_is_active():
    job_start(actor=None, kind="test_steps", key="nightly", params={})
    with pytest.raises(CommandError, match=ERR_DUPLICATE_ACTIVE):
        run("test_steps", "--key", "nightly")


def test_enqueue_hands_the_job_to_the_backend_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        out = run("test_steps", "--enqueue", "--key", "queued")
    job = Job.objects.get()
    assert out.strip() == f"任务 #{job.pk} 已提交（幂等键 queued）。"
    assert job.status == JobStatus.QUEUED and len(callbacks) == 1


@pytest.mark.parametrize("args", [(), ("no_such_kind",)])
def test_a_missing_or_unknown_kind_is_an_error(args):
    with pytest.raises(CommandError):
        run(*args)
    assert not Job.objects.exists()
