"""Records merged into another (``matching.duplicates.merge``), as their users meet them:
a page or an API call naming a merged record's code."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

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
    for _hop in range(10):  # a chain of merges, followed a few steps at most
        if person is None or person.merged_into_id is None:
            break
        person = Person.objects.filter(pk=person.merged_into_id).first()
    if person is None or person.merged_into_id is not None:
        return None
    return Person.objects.visible_to(user).filter(pk=person.pk).first()
