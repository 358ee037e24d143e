"""Custody sections for pages of the people app, shown only to those who may see custody.

The people app sits below this one and never imports it; its templates load these
tags, which check the reader's role and scope themselves.
"""

from __future__ import annotations

from typing import Any

from django import template

from qandas.incidents.models import Custody, CustodyState, Event, custody_people
from qandas.incidents.models.custody import Episode
from qandas.people.models import Person

register = template.Library()


def _may_see(context: dict[str, Any], person: Person) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cache = context.setdefault("_custody_people", {})
    if person.pk not in cache:
        cache[person.pk] = custody_people(user).filter(pk=person.pk).exists()
    return bool(cache[person.pk])


@register.inclusion_tag("incidents/_person_custody.html", takes_context=True)
def person_custody(context: dict[str, Any], person: Person) -> dict[str, Any]:
    """The person's custody state, current episode and full timeline."""
    if not _may_see(context, person):
        return {"visible": False}
    user = context["request"].user
    custody = Custody.objects.filter(person=person).select_related("episode__place").first()
    events = (
        Event.objects.filter(involvements__person=person)
        .select_related("place")
        .order_by("-occurred_at", "-pk")
    )
    return {
        "visible": True,
        "person": person,
        "custody": custody,
        "state_label": (custody.get_state_display() if custody else CustodyState.FREE.label),
        "episode": custody.episode if custody else None,
        "events": events,
        "episodes": Episode.objects.filter(person=person),
        "can_record": custody_people(user, write=True).filter(pk=person.pk).exists(),
    }


@register.simple_tag(takes_context=True)
def custody_state(context: dict[str, Any], person: Person) -> str:
    """The person's custody state in words, or nothing for readers who may not know it."""
    if not _may_see(context, person):
        return ""
    custody = Custody.objects.filter(person=person).first()
    return str(custody.get_state_display() if custody else CustodyState.FREE.label)


@register.simple_tag(takes_context=True)
def may_log_arrest(context: dict[str, Any], household: Any) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return custody_people(user, write=True).filter(household=household).exists()
