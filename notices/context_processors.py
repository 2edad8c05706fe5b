"""The unread-notices badge of the layout (hospital users)."""

from __future__ import annotations

from notices.selectors import unread_count


def unread_notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": unread_count(user)}
