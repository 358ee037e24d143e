"""After ``demo``, every main page opens for the users the README names, with real data."""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from qandas.accounts.models import User
from qandas.applications.models import Authority, Batch
from qandas.correspondence.models import Promise
from qandas.incidents.models import Custody, Episode
from qandas.matching.models import ListUpload

pytestmark = [pytest.mark.django_db, pytest.mark.once]


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    private: Path = tmp_path_factory.mktemp("private")  # the demo's lists are stored files
    with (
        override_settings(PRIVATE_FILES_DIR=private),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def pages() -> list[str]:
    detained = Custody.objects.filter(state="detained_unlocated").first()
    assert detained is not None
    episode = Episode.objects.filter(person=detained.person).first()
    assert episode is not None
    authority = Authority.objects.filter(kind="ministry").first()
    assert authority is not None
    return [
        "/",
        "/people/",
        f"/people/{detained.person.code}/",
        f"/households/{detained.person.household.code}/" if detained.person.household else "/",
        "/custody/",
        f"/episodes/{episode.code}/",
        "/custody/rota/",
        "/places/",
        "/applications/",
        "/batches/",
        f"/batches/{Batch.objects.get().code}/",
        "/authorities/",
        f"/authorities/{authority.code}/",
        f"/authorities/{authority.code}/timeline/",
        "/letters/",
        "/promises/",
        f"/promises/{Promise.objects.first().code}/",  # type: ignore[union-attr]
        "/lists/",
        f"/lists/{ListUpload.objects.filter(kind='police').get().code}/",
        "/duplicates/",
    ]


# Which of the pages above each demo user may open (the rest answer 403).
MAY_OPEN = {
    "karachi": None,  # everything (the detained person is in Karachi)
    "admin": None,
    "lawyer": {
        "/",
        "/people/",
        "people",
        "households",
        "/custody/",
        "episodes",
        "/custody/rota/",
        "/places/",
        "/lists/",
        "lists",
    },
    "liaison": {
        "/",
        "/people/",
        "people",
        "households",
        "/applications/",
        "/batches/",
        "batches",
        "/authorities/",
        "authorities",
        "/letters/",
        "/promises/",
        "promises",
    },
}


@pytest.mark.parametrize("username", sorted(MAY_OPEN))
def test_the_main_pages_open_with_demo_data(demo: None, client: Client, username: str) -> None:
    client.force_login(User.objects.get(username=username))
    allowed = MAY_OPEN[username]
    for url in pages():
        response = client.get(url)
        key = url if url in (allowed or set()) else url.strip("/").split("/")[0]
        expected = 200 if allowed is None or key in allowed or url in allowed else 403
        assert response.status_code == expected, (username, url, response.status_code)


def test_the_broken_promise_and_the_alarms_show_right_after_demo(
    demo: None, client: Client
) -> None:
    client.force_login(User.objects.get(username="liaison"))
    promises = client.get("/promises/").content.decode()
    assert "Broken" in promises
    client.force_login(User.objects.get(username="admin"))
    board = client.get("/custody/").content.decode()
    for kind in (
        "Not located",
        "Not produced before a magistrate",
        "Out of contact",
        "Court hearing",
    ):
        assert kind in board, kind
