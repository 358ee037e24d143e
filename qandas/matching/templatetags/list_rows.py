"""The uploaded lists' rows that may name a person, for the person's page.

The people app sits below this one and never imports it; its page loads this tag,
which asks ``lists.rows_naming`` (the reader's lists and custody scope) itself.
"""

from __future__ import annotations

from typing import Any

from django import template

from qandas.matching import lists
from qandas.matching.list_views import PAGE_SIZE
from qandas.people.models import Person

register = template.Library()


@register.inclusion_tag("matching/_rows_naming.html", takes_context=True)
def person_list_rows(context: dict[str, Any], person: Person) -> dict[str, Any]:
    """The rows still to review that have ``person`` among their candidates, with a link
    to each on its list's page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"namings": []}
    namings, total = lists.rows_naming(user, person, page_size=PAGE_SIZE)
    return {"namings": namings, "total": total, "person": person}
