"""Keeping ``NameKey`` rows in step with the names they key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from operator import itemgetter

from django.db import connection, transaction

from qandas.lib.bulk import insert_rows
from qandas.people.models import Name, Person

from . import keys
from .models import NameKey

# (organisation id, person id, key, the person's birth year or None)
KeyRow = tuple[int, int, str, int | None]


def person_keys(texts: Iterable[str]) -> set[str]:
    """The keys of all of one person's names, each once."""
    found: set[str] = set()
    for text in texts:
        found |= keys.name_keys(text)
    return found


def key_rows(
    organisation_id: int, person_id: int, found: Iterable[str], born: int | None
) -> list[KeyRow]:
    """The key rows of one person's keys (``person_keys``)."""
    return [(organisation_id, person_id, key, born) for key in sorted(found)]


def romanised_names(found: Iterable[str]) -> str:
    """What ``Person.romanised`` holds of a person with these keys (``person_keys``):
    their names romanised, as the ``n:`` keys hold them, sorted, apart on lines."""
    cut = len(keys.ROMANISED)
    return "\n".join(sorted(key[cut:] for key in found if key.startswith(keys.ROMANISED)))


def year_of(born: date | None) -> int | None:
    """What a person's key rows hold of their birth date: its year."""
    return born.year if born else None


def insert_keys(rows: Iterable[KeyRow]) -> None:
    """Insert key rows with one prepared statement: ORM objects are too slow for millions.

    Rows go in sorted by key, so that the key index is written in order rather than
    all over its pages.
    """
    rows = sorted(rows, key=itemgetter(2))
    for start in range(0, len(rows), 50_000):
        insert_rows(
            NameKey._meta.db_table,
            ("organisation_id", "person_id", "key", "born"),
            rows[start : start + 50_000],
        )


def keep_romanised(romanised: dict[int, str]) -> None:
    """Write people's romanised names (``Person.romanised``), by id, with one prepared
    statement."""
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        # Only the table's name is formatted in; every value is a parameter.
        cursor.executemany(
            f"UPDATE {table} SET romanised = %s WHERE id = %s",  # noqa: S608
            [(text, pk) for pk, text in romanised.items()],
        )


@transaction.atomic
def reindex(person: Person) -> None:
    """Replace a person's keys and romanised names (``Person.romanised``) with those of
    their current names (none once redacted or merged into another record)."""
    NameKey.objects.filter(person=person).delete()
    found: set[str] = set()
    if person.redacted_at is None and person.merged_into_id is None:
        found = person_keys(Name.objects.filter(person=person).values_list("text", flat=True))
        insert_keys(key_rows(person.organisation_id, person.pk, found, year_of(person.birth_date)))
    person.romanised = romanised_names(found)
    Person.objects.filter(pk=person.pk).update(romanised=person.romanised)


def keep_birth_year(person: Person) -> bool:
    """Make a person's key rows hold their birth year as it is now (after a save): one
    indexed statement, writing only rows that differ. Whether any did: the year
    changed."""
    year = year_of(person.birth_date)
    return bool(NameKey.objects.filter(person_id=person.pk).exclude(born=year).update(born=year))
