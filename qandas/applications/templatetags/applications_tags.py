"""Application sections for the people app's pages, shown only to those who may read
applications (coordinators of the person's city, liaisons, admins; never lawyers).

The people app sits below this one and never imports it; its templates load these
tags, which check the reader's role and scope themselves.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from qandas.applications.models import READERS, WRITERS, Application
from qandas.applications.views import with_parties
from qandas.people.models import Household, Person, scope_filter

register = template.Library()


def _user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user


def _section(
    user: Any, *, person: Person | None, household: Household | None, condition: Q
) -> dict[str, Any]:
    applications = with_parties(Application.objects.visible_to(user).filter(condition)).order_by(
        "-created_at", "-pk"
    )
    return {
        "visible": True,
        "person": person,
        "household": household,
        "applications": applications,
    }


@register.inclusion_tag("applications/_for_party.html", takes_context=True)
def person_applications(context: dict[str, Any], person: Person) -> dict[str, Any]:
    """The person's applications and their household's, with a link for writers."""
    user = _user(context)
    if user is None or not user.has_role(*READERS):
        return {"visible": False}
    people = Person.objects.filter(pk=person.pk)
    if not people.filter(scope_filter(user, city_field="current_city", roles=READERS)).exists():
        return {"visible": False}
    condition = Q(person=person)
    if person.household_id:
        condition |= Q(household_id=person.household_id)
    section = _section(user, person=person, household=None, condition=condition)
    section["can_write"] = (
        not person.is_redacted
        and people.filter(scope_filter(user, city_field="current_city", roles=WRITERS)).exists()
    )
    return section


@register.inclusion_tag("applications/_for_party.html", takes_context=True)
def household_applications(context: dict[str, Any], household: Household) -> dict[str, Any]:
    """The household's applications and its members', with a link for writers."""
    user = _user(context)
    if user is None or not user.has_role(*READERS):
        return {"visible": False}
    households = Household.objects.filter(pk=household.pk)
    if not households.filter(scope_filter(user, city_field="city", roles=READERS)).exists():
        return {"visible": False}
    condition = Q(household=household) | Q(person__household=household)
    section = _section(user, person=None, household=household, condition=condition)
    section["can_write"] = households.filter(
        scope_filter(user, city_field="city", roles=WRITERS)
    ).exists()
    return section
