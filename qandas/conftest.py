"""Fixtures every test may use."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from qandas.test import Cast, build_cast


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every access-matrix module (``test_access*.py``) is marked ``access``: bin/test
    runs those on PostgreSQL, the production database, and not again on SQLite unless
    they are also marked ``engines``."""
    for item in items:
        if item.path.name.startswith("test_access"):
            item.add_marker(pytest.mark.access)


@pytest.fixture(scope="module")
def cast(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Cast]:
    """The named cast, built once per module inside a transaction rolled back after it.

    Tests using it run in their own nested transaction (a savepoint), as usual.
    """
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        built = build_cast()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="session", autouse=True)
def session_private_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files stored by module-scoped fixtures (the demo) stay out of the checkout too."""
    with override_settings(PRIVATE_FILES_DIR=tmp_path_factory.mktemp("private")):
        yield


@pytest.fixture(autouse=True)
def common_keys_forgotten() -> None:
    """No test sees which keys another found common (``search.postings`` keeps them)."""
    from qandas.matching import search

    search.forget_common()


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Every test stores uploaded files in its own temporary directory."""
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    return settings.PRIVATE_FILES_DIR


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright: started once per test process, at the
    first browser test (starting Playwright and Chromium takes about ten seconds on a
    small machine, longer than some of the tests)."""
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread from here on; the tests' own ORM
    # calls are synchronous and safe (Qandas has no async code), so tell Django not to
    # refuse them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        started = playwright.chromium.launch(
            executable_path=os.environ.get("QANDAS_CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield started
        started.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page in a fresh browser context: no cookies or storage from
    another test."""
    context = browser.new_context(locale="en-GB", viewport={"width": 400, "height": 800})
    yield context.new_page()
    context.close()
