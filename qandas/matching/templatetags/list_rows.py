"""Uploaded lists' rows on other apps' pages: those that may name a person, on the
person's page; the row an event was recorded from, on the event's page.

The people and incidents apps sit below this one and never import it; their pages load
these tags, which ask the reader's lists and custody scope themselves.
"""

from __future__ import annotations

from typing import Any

from django import template

from qandas.incidents.models import Event
from qandas.matching import lists
from qandas.matching.list_views import PAGE_SIZE
from qandas.people.models import Person

register = template.Library()


def _user(context: dict[str, Any]) -> Any:
    """The signed-in user the page is for, or None."""
    user = getattr(context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("matching/_rows_naming.html", takes_context=True)
def person_list_rows(context: dict[str, Any], person: Person) -> dict[str, Any]:
    """The rows still to review that have ``person`` among their candidates, with a link
    to each on its list's page."""
    user = _user(context)
    if user is None:
        return {"namings": []}
    namings, total = lists.rows_naming(user, person, page_size=PAGE_SIZE)
    return {"namings": namings, "total": total, "person": person}


@register.inclusion_tag("matching/_event_list_row.html", takes_context=True)
def event_list_row(context: dict[str, Any], event: Event) -> dict[str, Any]:
    """The list row ``event`` was recorded from, if the reader may read that list: the
    event's source names only the kind of list, its date and line."""
    user = _user(context)
    if user is None:
        return {"row": None}
    row = lists.visible_rows(user).filter(event=event).select_related("upload").first()
    return {"row": row}
