from django import template

from disputes import selectors

register = template.Library()


@register.simple_tag
def unread_count(user) -> int:
    """未读通知数 of the user's inbox."""
    return selectors.unread_count(user)


@register.filter
def shown_as(user, names) -> str:
    """The actor as the viewer may see them: ``{{ entry.actor|shown_as:names }}`` (``disputes.presenters``)."""
    return names(user)
