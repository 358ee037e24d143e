"""Keeping ``NameKey`` rows in step with the names they key."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from qandas.people.models import Name, Person

from . import keys
from .models import NameKey


def rows_for(names: Iterable[Name]) -> list[NameKey]:
    """The key rows of some names (their people must be loaded or their ids set)."""
    return [
        NameKey(
            organisation_id=name.person.organisation_id,
            person_id=name.person_id,
            name_id=name.pk,
            key=key,
        )
        for name in names
        for key in sorted(keys.name_keys(name.text))
    ]


@transaction.atomic
def reindex(person: Person) -> None:
    """Replace a person's keys with those of their current names (none once redacted or
    merged into another record)."""
    NameKey.objects.filter(person=person).delete()
    if person.redacted_at is not None or person.merged_into_id is not None:
        return
    names = list(Name.objects.filter(person=person).select_related("person"))
    NameKey.objects.bulk_create(rows_for(names), batch_size=2000)
