"""``match_list`` over a long list matches in forked workers: each row must get what one
process gives it, in order. Committed data (the workers read it through their own
connections), so no module-wide cast here."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from qandas.accounts.models import City
from qandas.matching import batch
from qandas.test import forks_of

PEOPLE = (
    "external_id,name,birth_year,city\n"
    "A-1,Aigerim Bekova,1988,karachi\n"
    "A-2,Dauren Sharifi,1975,karachi\n"
    "A-3,Gulshan Omarova,1970,karachi\n"
    "A-4,Nizamuddin Qadiri,1990,karachi\n"
    "A-5,Aigerym Bekova,1961,karachi\n"
)
# Rows with and without a birth year: the parent reads the birth years and the
# romanised names once, before the fork, for the workers to share.
LIST = (
    "name,birth_year\n"
    "Айгерим Бекова,1988\nДаурен Шарифи,\nگلشن عمروا,\nNizam ud Din Qadiri,1990\n"
    "Aigerim Bekova,\nXyzzyq Vwvwvw,\n"
)


@pytest.mark.django_db(transaction=True)
def test_a_long_list_is_matched_on_several_cores_as_one_process_matches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    (tmp_path / "people.csv").write_text(PEOPLE, "utf-8")
    call_command(
        "import_people",
        str(tmp_path / "people.csv"),
        "--org",
        "bench",
        "--create-org",
        stdout=StringIO(),
    )
    (tmp_path / "list.csv").write_text(LIST, "utf-8")

    def match() -> list[dict]:
        out = StringIO()
        call_command(
            "match_list",
            str(tmp_path / "list.csv"),
            "--org",
            "bench",
            stdout=out,
            stderr=StringIO(),
        )
        return [json.loads(line) for line in out.getvalue().splitlines()]

    alone = match()  # one process: the list is short
    assert [line["row"] for line in alone] == [1, 2, 3, 4, 5, 6]
    assert [line["candidates"][0]["external_id"] for line in alone[:5]] == [
        "A-1",
        "A-2",
        "A-3",
        "A-4",
        "A-1",
    ]

    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    monkeypatch.setattr(batch, "CHUNK", 2)
    monkeypatch.setattr(batch, "cores", lambda: 2)
    forked = forks_of(monkeypatch)
    read: list[int] = []
    romanised = batch.Matcher.romanised

    def reading(matcher: batch.Matcher) -> dict[int, str]:
        read.append(1)
        return romanised(matcher)

    monkeypatch.setattr(batch.Matcher, "romanised", reading)
    assert match() == alone
    assert forked == ["fork"]
    assert read  # read in the parent, before the fork (a worker's reads are not seen here)
