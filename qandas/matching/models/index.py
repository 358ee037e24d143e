"""The search index: every name's keys, one row each, in the database.

Keeping the keys in a table (not in a process's memory) means every app process and
worker sees the same index, on SQLite and PostgreSQL alike (DESIGN section 5a).
"""

from __future__ import annotations

from django.db import models

from qandas.accounts.models import Organisation
from qandas.people.models import Name, Person


class NameKey(models.Model):
    """One search key of one name (``matching.keys``); rebuilt whenever the names change."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    name = models.ForeignKey(Name, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="namekey_key_person")]

    def __str__(self) -> str:
        return self.key
