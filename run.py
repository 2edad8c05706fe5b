#!/usr/bin/env python3
"""Set-up and run commands that need nothing but Python 3.11 and access to PyPI.

    python3 run.py demo   install everything, seed a demo region on SQLite, start the portal
    python3 run.py test   install everything, run the whole test suite (SQLite, then PostgreSQL)

The virtual environment is built from uv.lock (exact versions); uv itself is installed from PyPI
into a small tools environment of its own, so the project environment holds only the lock's packages.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
VENV = ROOT / ".venv"
UV_VERSION = "0.13.9"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal"
REPLICA_URL = "postgres://postgres@127.0.0.1:5433/portal"
DEMO_USERS = [
    ("经办机构管理员", "admin", "demo-admin-2024"),
    ("经办人员", "officer", "demo-officer-2024"),
    ("专家", "expert", "demo-expert-2024"),
    ("医疗机构用户（三级甲等医院）", "hospital", "demo-hospital-2024"),
]


def sh(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, env={**os.environ, **(env or {})}, check=True)


def install(*, dev: bool) -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"需要 Python 3.11（当前 {sys.version.split()[0]}）。 Python 3.11 is required.")
    uv = TOOLS / "bin" / "uv"
    if not uv.exists():
        venv.create(TOOLS, with_pip=True)
        sh(TOOLS / "bin" / "python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}")
    args = [uv, "sync", "--frozen", "--python", sys.executable]
    if not dev:
        args.append("--no-dev")
    sh(*args, env={"UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": str(VENV)})


def python(*args: str, env: dict | None = None) -> None:
    sh(VENV / "bin" / "python", *args, env=env)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def demo(args: argparse.Namespace) -> None:
    install(dev=False)
    (ROOT / "var").mkdir(exist_ok=True)
    python("manage.py", "migrate", "--noinput")
    # The national coding dictionaries first (idempotent): the demo's own few codes are added beside them.
    python("manage.py", "dictionary_load_national")
    python(
        "manage.py",
        "demo_generate",
        "--if-empty",
        "--years",
        str(args.years),
        "--cases-per-year",
        str(args.cases_per_year),
    )
    print("\n演示登录账号 / demo logins:")
    for role, username, password in DEMO_USERS:
        print(f"  {role:<24} 用户名 {username:<10} 密码 {password}")
    print(
        f"\n打开 http://127.0.0.1:{args.port}/ 登录。 Open http://127.0.0.1:{args.port}/ and log in.\n",
        flush=True,
    )
    python("manage.py", "runserver", f"127.0.0.1:{args.port}")


def test(args: argparse.Namespace) -> None:
    install(dev=True)
    ci = bool(os.environ.get("CI"))
    prod_env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "check-deploy-" + "x" * 50,
    }
    python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=prod_env)
    python(
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        env={"DATABASE_URL": "sqlite:///:memory:"},
    )
    # The code's shape (docs/architecture.md, "Code style" and "Layers"): formatted, linted, layered.
    sh(VENV / "bin" / "ruff", "format", "--check", ".")
    sh(VENV / "bin" / "ruff", "check", ".")
    sh(VENV / "bin" / "lint-imports", "--no-logo")
    extra = args.pytest_args
    print("\n== 测试 / tests on SQLite ==", flush=True)
    python(
        "-m",
        "pytest",
        "-m",
        "not celery and not browser and not postgres",
        *extra,
        env={"DATABASE_URL": "sqlite:///var/test.sqlite3"},
    )
    database_url = os.environ.get("TEST_DATABASE_URL", POSTGRES_URL)
    if not reachable("127.0.0.1", 5432) and "127.0.0.1:5432" in database_url:
        if ci:
            sys.exit("CI: PostgreSQL at 127.0.0.1:5432 is not reachable; .ci/run starts it.")
        print(
            "\n!! PostgreSQL 不可达，跳过 PostgreSQL、Celery 与浏览器测试。 PostgreSQL unreachable: skipped that pass."
        )
        return
    print(
        "\n== 测试 / tests on PostgreSQL, with a real Celery worker and headless Chromium ==",
        flush=True,
    )
    env = {"DATABASE_URL": database_url, **_replica(ci)}
    python("-m", "pytest", *extra, env=env)


def _replica(ci: bool) -> dict:
    """The hot standby .ci/run starts on 5433 (tests/config/test_replica.py routes reads to it)."""
    if os.environ.get("DATABASE_REPLICA_URL"):
        return {}
    if reachable("127.0.0.1", 5433):
        return {"DATABASE_REPLICA_URL": REPLICA_URL}
    if ci:
        sys.exit(
            "CI: the PostgreSQL standby at 127.0.0.1:5433 is not reachable; .ci/standby starts it."
        )
    print(
        "\n!! PostgreSQL 只读副本不可达，跳过副本路由测试。 No standby on 5433: the replica test is skipped."
    )
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="install, seed the demo region, start the portal")
    p_demo.add_argument("--port", type=int, default=8000)
    p_demo.add_argument("--years", type=int, default=3)
    p_demo.add_argument("--cases-per-year", type=int, default=30000)
    p_demo.set_defaults(func=demo)
    p_test = sub.add_parser("test", help="install and run the whole test suite")
    p_test.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    p_test.set_defaults(func=test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
