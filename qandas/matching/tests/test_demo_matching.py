"""The demo's lists (scenario step 9) and its duplicate pair, loaded once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from qandas.accounts.models import User
from qandas.applications.models import Application
from qandas.incidents.tests.test_demo_custody import ARTICLE_NAMES
from qandas.lib.scripts import ARABIC, CYRILLIC, detect_script
from qandas.matching import demo
from qandas.matching.duplicates import likely_duplicates
from qandas.matching.models import ListKind, ListRow, ListUpload
from qandas.people.models import Name, Person

# The demo is loaded by bin/run on SQLite; its tests run in that pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.once]


@dataclass
class Loaded:
    police: ListUpload
    embassy: ListUpload
    private: Path  # the demo's private store (each test gets its own, empty, one)
    first: dict[str, int]
    second: dict[str, int]


def counts() -> dict[str, int]:
    return {
        "uploads": ListUpload.objects.count(),
        "rows": ListRow.objects.count(),
        "people": Person.objects.count(),
        "names": Name.objects.count(),
    }


@pytest.fixture(scope="module")
def loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    """``demo`` run twice, once per module, in a transaction rolled back afterwards."""
    private = tmp_path_factory.mktemp("private")
    with (
        override_settings(PRIVATE_FILES_DIR=private),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("demo", stdout=StringIO())
        first = counts()
        call_command("demo", stdout=StringIO())
        yield Loaded(
            ListUpload.objects.get(code=demo.key(demo.POLICE_LIST)),
            ListUpload.objects.get(code=demo.key(demo.EMBASSY_LIST)),
            private,
            first,
            counts(),
        )
        transaction.set_rollback(True)


def best(row: ListRow) -> int | None:
    return row.candidates[0]["person"] if row.candidates else None


def test_both_lists_are_stored_and_matched_with_rows_to_review(loaded: Loaded) -> None:
    assert (loaded.police.kind, loaded.embassy.kind) == (ListKind.POLICE, ListKind.EMBASSY)
    assert loaded.police.place is not None and loaded.police.place.name == demo.STATION
    for upload in (loaded.police, loaded.embassy):
        assert (loaded.private / upload.storage_name).is_file()
        rows = list(upload.rows.all())
        assert len(rows) == 5
        assert {row.state for row in rows} == {"pending"}
    # Every police row but the local man's has candidates; his has none.
    assert [bool(row.candidates) for row in loaded.police.rows.all()] == [True] * 4 + [False]
    assert all(row.candidates for row in loaded.embassy.rows.all())


def test_the_urdu_and_cyrillic_rows_find_the_people_they_name(loaded: Loaded) -> None:
    urdu = [r for r in loaded.police.rows.all() if detect_script(r.cells["name"]) == ARABIC]
    assert len(urdu) == 2
    for row in urdu:
        person = Person.objects.get(pk=row.candidates[0]["person"])
        who = next(who for who, written, *_rest in demo.POLICE_ROWS if written == row.cells["name"])
        assert person.names.filter(text=who).exists(), (row.cells, row.candidates[0])
    cyrillic = list(loaded.embassy.rows.all())
    assert {detect_script(row.cells["name"]) for row in cyrillic} == {CYRILLIC}
    for row in cyrillic:
        application = Application.objects.get(reference=row.cells["reference"])
        household = application.household
        meant: set[int] = (
            {application.person.pk}
            if application.person is not None
            else set(household.members.values_list("pk", flat=True) if household else [])
        )
        assert best(row) in meant, (row.cells, row.candidates[0])


def test_the_karachi_coordinator_sees_the_second_record_as_a_likely_duplicate(
    loaded: Loaded,
) -> None:
    karachi = User.objects.get(username="karachi")
    second = Person.objects.get(code=demo.key(demo.DUPLICATE))
    first = Person.objects.get(names__text=demo.REGISTERED_TWICE)
    pairs = likely_duplicates(Person.objects.editable_by(karachi))
    assert (first.pk, second.pk) in {(p.first.pk, p.second.pk) for p in pairs}


def test_the_karachi_coordinator_reviews_both_lists(loaded: Loaded, client: Client) -> None:
    client.force_login(User.objects.get(username="karachi"))
    police = client.get(f"/lists/{loaded.police.code}/").content.decode()
    assert "عظمت سپربیکوف" in police and "Azamat Saparbekov" in police
    assert str(loaded.embassy.code) in client.get("/lists/").content.decode()


def test_a_second_demo_adds_nothing(loaded: Loaded) -> None:
    assert loaded.second == loaded.first


def test_no_name_from_the_news_report_appears(loaded: Loaded) -> None:
    pattern = re.compile("|".join(ARTICLE_NAMES), re.IGNORECASE)
    texts = [*Name.objects.values_list("text", flat=True)]
    for row in ListRow.objects.all():
        texts += row.cells.values()
    for upload in (loaded.police, loaded.embassy):
        texts += [
            upload.title,
            upload.display_name,
            (loaded.private / upload.storage_name).read_text("utf-8-sig"),
        ]
    assert [text for text in texts if pattern.search(text)] == []
