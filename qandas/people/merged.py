"""Records merged into another (``matching.duplicates.merge``), as their users meet them:
a page or an API call naming a merged record's code."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from qandas.people.models import Person, scope_filter

if TYPE_CHECKING:
    from qandas.accounts.models import User


def merged_in_scope(user: User, code: UUID | str) -> Person | None:
    """The merged record with this code, if it is in the user's scope (their cities)
    and not redacted: one they could see before it was merged."""
    scope = scope_filter(user, city_field="current_city", people=True)
    return Person.objects.filter(
        scope, code=code, merged_into__isnull=False, redacted_at__isnull=True
    ).first()


def merged_survivor(user: User, code: UUID | str) -> Person | None:
    """The record a merged one now lives on, when the user could see both."""
    scope = scope_filter(user, city_field="current_city", people=True)
    person = Person.objects.filter(scope, code=code, merged_into__isnull=False).first()
    if person is None:
        return None
    kept = now_kept_as({person.pk})[person.pk]
    # Not at the end of its chain (one longer than ``now_kept_as`` follows): none.
    return Person.objects.visible_to(user).filter(pk=kept, merged_into__isnull=True).first()


def now_kept_as(ids: set[int]) -> dict[int, int]:
    """Each person id's record now: itself, or the one it was merged into (through a
    chain of merges, a few steps at most), one read per step for all the ids. A list's
    rows keep the candidates they were matched with; a candidate merged since is offered
    as the record that was kept, and comes back when the merge is undone."""
    current = {pk: pk for pk in ids}
    asked = set(ids)
    for _hop in range(10):
        into = dict(
            Person.objects.filter(pk__in=asked, merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        if not into:
            break
        for pk, at in current.items():
            current[pk] = into.get(at, at)
        asked = set(into.values())
    return current


def merged_here(person: Person) -> set[int]:
    """The ids of ``person`` and of every record merged into them (and into those, a few
    steps at most, as ``now_kept_as`` follows): what was said of any of them now
    concerns this record."""
    found, level = {person.pk}, [person.pk]
    for _hop in range(10):
        level = list(
            Person.objects.filter(merged_into__in=level)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        if not level:
            break
        found.update(level)
    return found


def follows_merge(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page about one person (``code``: an edit form, a new event or document) that
    a merge took away meanwhile: to the record kept, saying that nothing was saved. A
    form opened before the merge answered a bare 404, and what was typed was lost
    unsaid. A record the user may not follow there stays not found."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, code: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, code=code, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                raise
            survivor = merged_survivor(request.user, code)
            if survivor is None:
                raise
            said = _("That record was merged into this one.")
            if request.method == "POST":
                said += " " + _("Nothing was saved: do it again here.")
            messages.warning(request, said)
            return redirect("people:detail", code=survivor.code)

    return wrapper
