"""``refresh_duplicates`` over a long list compares in forked workers: the pairs it
stores must be the ones one process finds. Committed data (the workers read it through
their own connections), so no module-wide cast here."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from qandas.accounts.models import City
from qandas.matching import duplicates
from qandas.matching.models import LikelyPair, PairsStale
from qandas.people.models import Person
from qandas.test import forks_of


@pytest.mark.django_db(transaction=True)
def test_a_long_stale_list_is_compared_on_several_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    listing = tmp_path / "list.csv"
    listing.write_text(
        "external_id,name,birth_year,city\n"
        "A-1,Aigerim Bekova,1988,karachi\nA-2,Айгерим Бекова,1988,karachi\n"
        "A-3,Dauren Sharifi,1975,karachi\nA-4,داورن شریفی,1975,karachi\n"
        "A-5,Gulshan Omarova,1970,karachi\nA-6,Nizam ud Din,1990,karachi\n"
        "A-7,Nizamuddin,1990,karachi\n",
        "utf-8",
    )
    call_command("import_people", str(listing), "--org", "bench", "--create-org", stdout=StringIO())
    assert PairsStale.objects.count() == 7
    # Candidates chosen as for a list's rows (``batch.Matcher``), as the workers do.
    monkeypatch.setattr(duplicates, "MATCHED_FROM", 2)
    duplicates.refresh_stale()  # one process: the list is short
    alone = set(LikelyPair.objects.values_list("first", "second", "score"))
    assert len(alone) == 3

    LikelyPair.objects.all().delete()
    duplicates.mark_all_stale()
    monkeypatch.setattr(duplicates, "PARALLEL_FROM", 2)
    monkeypatch.setattr(duplicates, "REFRESH_CHUNK", 2)
    monkeypatch.setattr(duplicates, "cores", lambda: 2)
    forked = forks_of(monkeypatch)
    assert duplicates.refresh_stale() == 7
    assert forked == ["fork"]
    assert set(LikelyPair.objects.values_list("first", "second", "score")) == alone
    assert not PairsStale.objects.exists()
    by_id = dict(Person.objects.values_list("pk", "external_id"))
    assert {(by_id[a], by_id[b]) for a, b, _s in alone} == {
        ("A-1", "A-2"),
        ("A-3", "A-4"),
        ("A-6", "A-7"),
    }
