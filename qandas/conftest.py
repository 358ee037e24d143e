"""Fixtures every test may use."""

from collections.abc import Iterator

import pytest
from django.db import transaction

from qandas.test import Cast, build_cast


@pytest.fixture(scope="module")
def cast(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Cast]:
    """The named cast, built once per module inside a transaction rolled back after it.

    Tests using it run in their own nested transaction (a savepoint), as usual.
    """
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        built = build_cast()
        yield built
        transaction.set_rollback(True)
