"""The password policy of a government system (密码策略), as Django password validators plus expiry.

Configured in settings (``PASSWORD_MIN_LENGTH``, ``PASSWORD_MIN_CLASSES``, ``PASSWORD_HISTORY``,
``PASSWORD_MAX_AGE_DAYS``; docs/operations.md); every place a password is set runs
``validate_password``, so the page, a reset and the bulk import obey the same rules.
"""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

CLASSES = {
    "大写字母": string.ascii_uppercase,
    "小写字母": string.ascii_lowercase,
    "数字": string.digits,
    "特殊字符": string.punctuation,
}
GENERATED_SYMBOLS = "!#$%*+-=?@^_"
ERR_CLASSES = "密码须至少包含以下{need}类字符：大写字母、小写字母、数字、特殊字符（当前{have}类）。"
ERR_REUSED = "新密码不能与最近{count}次使用过的密码相同。"


def classes_of(password: str) -> int:
    return sum(any(ch in chars for ch in password) for chars in CLASSES.values())


class CharacterClassesValidator:
    """At least ``min_classes`` of upper case, lower case, digits and symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        have = classes_of(password)
        if have < self.min_classes:
            raise ValidationError(
                ERR_CLASSES.format(need=self.min_classes, have=have), code="password_classes"
            )

    def get_help_text(self) -> str:
        return f"至少包含大写字母、小写字母、数字、特殊字符中的{self.min_classes}类。"


class PasswordHistoryValidator:
    """Not the current password, nor any of the last ``history`` ones."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.history <= 0:
            return
        earlier = [
            user.password,
            *user.password_history.values_list("password", flat=True)[: self.history],
        ]
        if any(encoded and check_password(password, encoded) for encoded in earlier):
            raise ValidationError(ERR_REUSED.format(count=self.history), code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近{self.history}次使用过的密码相同。"


def password_expired(user) -> bool:
    """The password is older than ``PASSWORD_MAX_AGE_DAYS`` (0: passwords do not expire)."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=days)


def password_generate(length: int = 14) -> str:
    """A random password that satisfies every class (for resets and new accounts; shown once). Its
    symbols are ones that read unambiguously aloud and need no escaping in a page."""
    alphabet = string.ascii_letters + string.digits + GENERATED_SYMBOLS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if classes_of(password) == len(CLASSES):
            return password
