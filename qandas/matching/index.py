"""Keeping ``NameKey`` rows in step with the names they key."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from django.db import transaction

from qandas.lib.bulk import insert_rows
from qandas.people.models import Name, Person

from . import keys
from .models import NameKey

# (organisation id, person id, key)
KeyRow = tuple[int, int, str]


def person_keys(texts: Iterable[str]) -> set[str]:
    """The keys of all of one person's names, each once."""
    found: set[str] = set()
    for text in texts:
        found |= keys.name_keys(text)
    return found


def key_rows(organisation_id: int, person_id: int, texts: Iterable[str]) -> list[KeyRow]:
    return [(organisation_id, person_id, key) for key in sorted(person_keys(texts))]


def insert_keys(rows: Iterable[KeyRow]) -> None:
    """Insert key rows with one prepared statement: ORM objects are too slow for millions.

    Rows go in sorted by key, so that the key index is written in order rather than
    all over its pages.
    """
    rows = sorted(rows, key=itemgetter(2))
    for start in range(0, len(rows), 50_000):
        insert_rows(
            NameKey._meta.db_table,
            ("organisation_id", "person_id", "key"),
            rows[start : start + 50_000],
        )


@transaction.atomic
def reindex(person: Person) -> None:
    """Replace a person's keys with those of their current names (none once redacted or
    merged into another record)."""
    NameKey.objects.filter(person=person).delete()
    if person.redacted_at is not None or person.merged_into_id is not None:
        return
    names = Name.objects.filter(person=person).values_list("text", flat=True)
    insert_keys(key_rows(person.organisation_id, person.pk, names))
