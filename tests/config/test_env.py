from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_str

VAR = "PORTAL_TEST_SETTING"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("yes", True),
        ("on", True),
        (" TRUE ", True),
        ("Yes", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("OFF", False),
    ],
)
def test_env_bool_accepts_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "y-e-s", "enabled"])
def test_env_bool_rejects_a_typo_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_bool(VAR, False)


def test_env_bool_falls_back_to_the_default_only_when_unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, True) is True


def test_env_int_parses_and_rejects_non_integers(monkeypatch):
    monkeypatch.setenv(VAR, " 28800 ")
    assert env_int(VAR, 1) == 28800
    monkeypatch.setenv(VAR, "abc")
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_int(VAR, 1)


def test_env_int_refuses_a_value_below_its_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "2")
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}='2' is below its minimum 3"):
        env_int(VAR, 60, minimum=3)
    monkeypatch.setenv(VAR, "3")
    assert env_int(VAR, 60, minimum=3) == 3


def test_env_str_requires_a_value_without_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_str(VAR)
    assert env_str(VAR, "fallback") == "fallback"


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(VAR, "a.example.cn, b.example.cn,,")
    assert env_list(VAR, []) == ["a.example.cn", "b.example.cn"]


def test_env_database_parses_sqlite(monkeypatch):
    monkeypatch.setenv(VAR, "sqlite:////srv/portal/portal.sqlite3")
    config = env_database(VAR, "")
    assert (
        config["ENGINE"] == "django.db.backends.sqlite3"
        and config["NAME"] == "/srv/portal/portal.sqlite3"
    )


def test_env_database_parses_postgres(monkeypatch):
    monkeypatch.setenv(VAR, "postgres://portal:secret@db.example.cn:5433/portal")
    config = env_database(VAR, "")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "portal",
        "portal",
        "secret",
        "db.example.cn",
        5433,
    )


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/portal", "oracle://u:p@host/db", "nonsense://x"]
)
def test_env_database_rejects_other_databases_naming_the_variable(monkeypatch, url):
    monkeypatch.setenv(VAR, url)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_database(VAR, "")
