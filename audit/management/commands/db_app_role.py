"""``manage.py db_app_role ROLE``: create or update the restricted role the portal connects as (docs/operations.md)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.db_roles import app_role_grant, app_role_problems

PASSWORD_VARIABLE = "DB_APP_ROLE_PASSWORD"


class Command(BaseCommand):
    help = "创建或更新应用连接数据库所用的受限角色（仅 PostgreSQL），并检查其权限。须以表的所有者运行，每次 migrate 之后再运行一次。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", help="角色名，如 portal_app")
        parser.add_argument("--check", action="store_true", help="只检查，不授予")

    def handle(self, *args, role: str, check: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("受限数据库角色仅适用于 PostgreSQL。")
        with transaction.atomic(), connection.cursor() as cursor:
            if not check:
                app_role_grant(
                    cursor=cursor, role=role, password=os.environ.get(PASSWORD_VARIABLE) or None
                )
            problems = app_role_problems(cursor=cursor, role=role)
        if problems:
            raise CommandError("角色权限不符合要求：" + "；".join(problems))
        self.stdout.write(f"角色 {role} 权限已检查：不拥有审计表，对审计表只能查询与追加。")
