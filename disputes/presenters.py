"""How the people who act on an item are named to the one who reads about them (办理人显示).

Hospitals never learn who reviewed them: to a hospital user the bureau's staff are 医保经办机构 and each
panel expert is 专家 1/2/3, numbered by seat (the order of the random draw), so the numbers are the same
on every page, response, letter and message of the item and say nothing of who sits in the seat. The
filing hospital's own users keep their names, and the bureau and the experts see everyone's names.
Pages, the API, the decision letter and the notifications all name actors through ``ActorNames``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from disputes.models import DisputeItem

BUREAU = "医保经办机构"
PANEL = "专家组"
SEAT = "专家 {number}"
SYSTEM = "系统"


def _sees_names(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated and (viewer.is_bureau or viewer.is_expert)


@dataclass(frozen=True)
class ActorNames:
    """Names the actors of one item (or of none: a meeting) for one viewer: ``names(user)``."""

    by_name: bool
    institution_id: int | None = None
    #: expert user id -> seat number (1, 2, 3 …) on the item's panel
    seats: Mapping[int, int] = field(default_factory=dict)
    do_not_call_in_templates = True  # templates pass it to the ``shown_as`` filter

    def __call__(self, user) -> str:
        if user is None:
            return SYSTEM
        if self.by_name or (user.is_hospital and user.institution_id == self.institution_id):
            return str(user)
        if user.pk in self.seats:
            return SEAT.format(number=self.seats[user.pk])
        return PANEL if user.is_expert else BUREAU

    def for_viewer(self, viewer) -> ActorNames:
        """The same item's actors as another viewer sees them (one seat query for many recipients)."""
        return replace(self, by_name=_sees_names(viewer))


def actor_names(viewer, item: DisputeItem | None = None) -> ActorNames:
    if item is None:
        return ActorNames(by_name=_sees_names(viewer))
    seats = item.panel.order_by("id").values_list("expert__user_id", flat=True)
    return ActorNames(
        _sees_names(viewer),
        item.institution_id,
        {user_id: n for n, user_id in enumerate(seats, start=1)},
    )
