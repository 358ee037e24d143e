"""Migrations of the key rows that change the schema: run outside a test's transaction."""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from qandas.matching.migrations import __name__ as migrations
from qandas.matching.models import NameKey

# A schema editor on SQLite cannot run inside a transaction (its foreign-key checks).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engines]


def test_the_key_rows_index_by_person_alone_is_dropped_and_made_again_in_place() -> None:
    """Migration 0014 drops the index of the key rows by person alone, found by its
    column, without copying the table; going back makes it again. The index by person
    and key, which a search reads names through, is there."""
    swap = import_module(f"{migrations}.0014_namekey_person_key_index")

    def indexed() -> list[list[str]]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, NameKey._meta.db_table)
        return sorted(about["columns"] for about in found.values() if about["index"])

    assert ["person_id", "key"] in indexed() and ["person_id"] not in indexed()
    with connection.schema_editor() as editor:
        swap.create_person_index(apps, editor)
        swap.create_person_index(apps, editor)  # once only
    assert indexed().count(["person_id"]) == 1
    with connection.schema_editor() as editor:
        swap.drop_person_index(apps, editor)
    assert ["person_id"] not in indexed() and ["person_id", "key"] in indexed()
