"""Fixtures every test may use."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Every test stores uploaded files in its own temporary directory."""
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    return settings.PRIVATE_FILES_DIR
