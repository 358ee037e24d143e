"""The search index: every person's name keys, one row each, in the database.

Keeping the keys in a table (not in a process's memory) means every app process and
worker sees the same index, on SQLite and PostgreSQL alike (DESIGN section 5a).
"""

from __future__ import annotations

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from qandas.accounts.models import Organisation
from qandas.people.models import Person


class RowId(models.BigAutoField):
    """A row's id that SQLite hands out without ``AUTOINCREMENT``: with it, SQLite
    updates its sequence table for every row inserted, a fifth of the time an import
    takes to insert millions of key rows. Without it, the id of a last row deleted may
    be given again; nothing refers to a key row by its id."""

    def db_type_suffix(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)  # type: ignore[misc]  # not in django-stubs


class NameKey(models.Model):
    """One search key (``matching.keys``) of one or more of a person's names.

    Rebuilt whenever the names change (``matching.index``). A key that several of the
    person's names share is one row: candidates are people, and which name matched is
    worked out again when scoring. Only what finding candidates reads is indexed: the
    key first, then the organisation (``match_list`` keeps to one) and the person, so
    that no lookup has to visit the table (their birth year last, for the same reason);
    and the person then the key, to replace a person's keys and to read the romanised
    names of a search's candidates (their ``n:`` keys) without visiting the table: a
    person's keys lie all over it, and reading 1,000 people's through an index of the
    person alone took 52 ms on SQLite with the pages cached, 7 ms through this one. Every
    index costs each of the millions of inserts an import makes.
    """

    id = RowId(primary_key=True)
    # No foreign-key constraints in the database: checking two parents for each of the
    # millions of rows an import inserts took a third of its time. The keys are derived
    # data, written only by ``matching.index`` and the import, for people they have just
    # read or written; deleting a person still deletes their keys (Django's collector
    # cascades, not the database), and ``reindex_names`` rebuilds them all.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    key = models.CharField(max_length=64)
    # The person's birth year, copied here (``matching.receivers`` keeps it in step): a
    # search given a birth year asks who of everyone sharing a key was born near it, and
    # reads the answer from the key index alone, never thousands of people's rows.
    born = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["key", "organisation", "person", "born"],
                name="namekey_key_org_person_born",
            ),
            models.Index(fields=["person", "key"], name="namekey_person_key"),
        ]

    def __str__(self) -> str:
        return self.key
