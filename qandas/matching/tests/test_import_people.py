"""``import_people``: all rows or none, updates by external_id, and refusals that say why."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qandas.accounts.models import Organisation
from qandas.audit.models import AuditEvent
from qandas.documents.models import Document
from qandas.matching import importing
from qandas.matching.keys import name_keys
from qandas.matching.models import NameKey
from qandas.matching.search import find
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.engines]

HEADER = "external_id,name,other_names,sex,birth_year,father_name,city,phone,document_number\n"
GOOD = (
    "T-1,Dauren Sharifi,Даурен Шарифи;داورن شریفی,m,1990,Bolat,karachi,+92 300 1234567,"
    "AB123\n"
    ",Kamal Hakimi,,f,,,quetta,,\n"
)


def run(path: Path, *args: str, org: str = "test-network") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_people", str(path), "--org", org, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_good_file_creates_people_keys_documents_and_one_audit_event(
    cast: Cast, tmp_path: Path
) -> None:
    out, _err = run(write(tmp_path, HEADER + GOOD))
    assert "2 people created" in out
    person = Person.objects.get(organisation=cast.organisation, external_id="T-1")
    assert [n.text for n in person.names.all()] == [
        "Dauren Sharifi",
        "Даурен Шарифи",
        "داورن شریفی",
    ]
    assert [n.script for n in person.names.all()] == ["latin", "cyrillic", "arabic"]
    assert (person.sex, person.birth_date.year, person.birth_date_precision) == (  # type: ignore[union-attr]
        "male",
        1990,
        "year",
    )
    assert person.phones == ["+923001234567"] and person.current_city == cast.karachi
    assert Document.objects.get(person=person).number == "AB123"
    # One row per key of the person, the keys of all three names: (Latin and Cyrillic
    # share most of theirs).
    stored = list(NameKey.objects.filter(person=person).values_list("key", flat=True))
    expected = set().union(*(name_keys(n.text) for n in person.names.all()))
    assert sorted(stored) == sorted(expected)
    assert len(expected) < sum(len(name_keys(n.text)) for n in person.names.all())
    # Each key row holds the birth year, or nothing for someone without one.
    rows = NameKey.objects.filter(person__organisation=cast.organisation)
    assert set(rows.filter(person=person).values_list("born", flat=True)) == {1990}
    assert set(rows.exclude(person=person).values_list("born", flat=True)) == {None}
    # The names romanised, each once, as the search reads them with the access gate.
    assert person.romanised == "dauren sharifi\ndawrn shryfy"
    people = Person.objects.filter(organisation=cast.organisation)
    assert find(people, "Шарифи Даурен")[0].person == person
    event = AuditEvent.objects.get(organisation=cast.organisation, verb="create")
    assert event.actor is None and event.via == "command"
    assert "people_created=2" in event.fields
    assert not any("Sharifi" in field for field in event.fields)


def test_one_bad_row_writes_nothing_and_every_bad_row_is_named(cast: Cast, tmp_path: Path) -> None:
    bad = (
        HEADER
        + GOOD
        + "T-3,,,,,,karachi,,\n"  # line 4: no name, but a row
        + "T-4,Bilal Qadiri,,x,,,karachi,,\n"  # line 5: sex
        + "T-5,Bilal Qadiri,,,1850,,karachi,,\n"  # line 6: year
        + "T-6,Bilal Qadiri,,,,,Atlantis,,\n"  # line 7: city
        + "T-7,Bilal Qadiri,,,,,karachi,12,\n"  # line 8: phone
        + "T-1,Bilal Qadiri,,,,,karachi,,\n"  # line 9: repeated external_id
        + "T-8,Bilal Qadiri,,,,,,,\n"  # line 10: no city, and three in use
        + "T-9,12345,,,,,karachi,,\n"  # line 11: no letters
    )
    before, err = Person.objects.count(), StringIO()
    with pytest.raises(CommandError, match="8 of 10 rows refused; nothing imported"):
        call_command(
            "import_people", str(write(tmp_path, bad)), "--org", "test-network", stderr=err
        )
    assert err.getvalue().splitlines() == [
        "line 4: name is empty",
        "line 5: sex must be female, male or unknown (or f, m, u)",
        f"line 6: birth_year must be a year from 1900 to {timezone.localdate().year}",
        "line 7: unknown city “Atlantis”",
        "line 8: “12” is not a valid phone number. Check the digits and the country code.",
        "line 9: external_id T-1 is already on line 2",
        "line 10: city is empty, and the organisation works in several cities (or none)",
        "line 11: name has no letters",
    ]
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(organisation=cast.organisation).exists()


def test_a_name_holding_a_control_character_is_refused(cast: Cast, tmp_path: Path) -> None:
    """As the API refuses it: a quoted cell's line break made a name of two lines."""
    bad = (
        "name,other_names,father_name,city\n"
        '"Aibek\nSerikov",,,karachi\n'  # lines 2 and 3
        "Nurlan Tokhtarov,Nurlan\tTokhtar,,karachi\n"  # line 4
        "Dauren Sharifi,,Bolat\x7f,karachi\n"  # line 5
    )
    err = StringIO()
    with pytest.raises(CommandError, match="3 of 3 rows refused"):
        call_command(
            "import_people", str(write(tmp_path, bad)), "--org", "test-network", stderr=err
        )
    assert err.getvalue().splitlines() == [
        "line 2: name holds a control character (a line break or a tab)",
        "line 4: other_names holds a control character (a line break or a tab)",
        "line 5: father_name holds a control character (a line break or a tab)",
    ]
    assert not Person.objects.filter(organisation=cast.organisation).exists()


def test_a_known_external_id_updates_the_person_and_their_keys(cast: Cast, tmp_path: Path) -> None:
    run(write(tmp_path, HEADER + GOOD))
    person = Person.objects.get(organisation=cast.organisation, external_id="T-1")
    out, _err = run(write(tmp_path, HEADER + "T-1,Nurlan Tokhtarov,,,,Serik,,,\n"))
    assert "1 updated" in out
    person.refresh_from_db()
    born = NameKey.objects.filter(person=person).values_list("born", flat=True)
    assert set(born) == {1990}  # no year given: the one the person has is kept
    run(write(tmp_path, HEADER + "T-1,Nurlan Tokhtarov,,,1991,Serik,,,\n"))
    assert set(born.all()) == {1991}
    assert [n.text for n in person.names.all()] == ["Nurlan Tokhtarov"]
    assert person.father_name == "Serik" and person.romanised == "nurlan tokhtarov"
    assert person.birth_date.year == 1990 and person.current_city == cast.karachi  # type: ignore[union-attr]
    assert Person.objects.filter(organisation=cast.organisation, external_id="T-1").count() == 1
    people = Person.objects.filter(organisation=cast.organisation)
    assert find(people, "Токтаров")[0].person == person
    assert not any(m.person == person for m in find(people, "Sharifi"))


def test_a_number_held_already_however_written_is_not_added_again(
    cast: Cast, tmp_path: Path
) -> None:
    """An update giving a number the person holds, written another way ("ab-123" for
    "AB123"), adds no second document; another number does, kept as numbers are
    compared."""
    run(write(tmp_path, HEADER + GOOD))
    person = Person.objects.get(organisation=cast.organisation, external_id="T-1")
    run(write(tmp_path, HEADER + "T-1,Nurlan Tokhtarov,,,,,,,ab-123\n"))
    assert list(Document.objects.filter(person=person).values_list("number", flat=True)) == [
        "AB123"
    ]
    run(write(tmp_path, HEADER + "T-1,Nurlan Tokhtarov,,,,,,,CD 9\n"))
    numbers = Document.objects.filter(person=person).values_list("number", "number_key")
    assert set(numbers) == {("AB123", "ab123"), ("CD 9", "cd9")}


def test_dry_run_checks_and_writes_nothing(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nor does it open a transaction: on SQLite one takes the write lock as it begins,
    and a long file's dry run held every sign-in off (they failed after five seconds)."""
    opened = []
    real = importing.transaction.atomic

    def atomic() -> Any:
        opened.append(1)
        return real()

    monkeypatch.setattr(importing.transaction, "atomic", atomic)
    out, err = run(write(tmp_path, HEADER + GOOD), "--dry-run")
    assert "Dry run: 2 rows are fine" in out and "2 rows in" in err  # and the rate
    assert not Person.objects.filter(organisation=cast.organisation).exists()
    assert opened == []
    run(write(tmp_path, HEADER + GOOD))
    assert opened == [1]


def test_an_organisation_to_create_needs_a_valid_slug(cast: Cast, tmp_path: Path) -> None:
    for slug in ("Bad Slug/../ <b>x</b>", "x" * 51):
        with pytest.raises(CommandError, match="--org"):
            run(write(tmp_path, HEADER + GOOD), "--create-org", org=slug)
    assert (
        not Organisation.objects.exclude(pk__in=[cast.organisation.pk])
        .filter(slug__startswith="x")
        .exists()
    )


def test_create_org_and_a_missing_org_is_refused(cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + GOOD)
    with pytest.raises(CommandError, match="--create-org"):
        run(path, org="new-network")
    run(path, "--create-org", org="new-network")
    organisation = Organisation.objects.get(slug="new-network")
    assert Person.objects.filter(organisation=organisation).count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,nickname\nKamal Hakimi,Kami\n", "Unknown columns: nickname"),
        ("name,Адрес\nKamal Hakimi,Saddar\n", "Unknown columns: адрес"),
        ("external_id,city\nT-1,karachi\n", "no “name” column"),
        ("name,city\n=HYPERLINK(1),karachi\n", "formula"),
        ("name,city\n-2+3+cmd|' /C calc'!A0,karachi\n", "Line 2, column name looks like a"),
    ],
)
def test_bad_files_are_refused_whole(cast: Cast, tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, text))
    assert not Person.objects.filter(organisation=cast.organisation).exists()


def test_legacy_encoding_and_unusual_scripts_are_kept(cast: Cast, tmp_path: Path) -> None:
    text = (
        "name,city\nДаурен Шарифи,karachi\nНурлан Токтаров,quetta\n"
        "Бекзат Жумабаев,karachi\nКамал Хакими,karachi\n"
    )
    run(write(tmp_path, text, "cp1251"))
    assert set(
        Person.objects.filter(organisation=cast.organisation).values_list("names__text", flat=True)
    ) == {"Даурен Шарифи", "Нурлан Токтаров", "Бекзат Жумабаев", "Камал Хакими"}
    run(write(tmp_path, "name,city\nგიორგი ბერიძე,karachi\n王伟 Sharifi,karachi\n"))
    people = Person.objects.filter(organisation=cast.organisation)
    assert people.count() == 6
    assert people.filter(names__text="გიორგი ბერიძე", names__script="other").exists()


def test_an_encoding_that_cannot_be_told_is_named_with_encoding(cast: Cast, tmp_path: Path) -> None:
    """A short Windows Arabic file cannot be told from a Cyrillic one; the refusal says to
    name its encoding, which --encoding does."""
    path = write(tmp_path, "name,city\nعلي حسن,karachi\n", "cp1256")
    with pytest.raises(CommandError, match="name its encoding"):
        run(path)
    out, _err = run(path, "--encoding", "cp1256")
    assert "1 people created" in out
    assert Person.objects.filter(
        organisation=cast.organisation, names__text="علي حسن", names__script="arabic"
    ).exists()
    with pytest.raises(CommandError, match="unknown encoding “koi9”"):
        run(path, "--encoding", "koi9")


@pytest.mark.once
def test_a_long_list_is_parsed_and_keyed_the_same_on_several_cores(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long list is parsed and keyed in forked workers, a chunk each; the rows, their
    keys and their refusals must be what this process makes of them, in order."""
    monkeypatch.setattr(importing, "PARALLEL_FROM", 2)
    monkeypatch.setattr(importing, "CHUNK", 3)
    names = ["Dauren Sharifi", "Даурен Шарифи", "داورن شریفی", "Nizam ud Din", "", "Әбдіқадыр"]
    names += ["Abdul Latif", "Γιώργος", "12345"]
    rows = [(line, {"name": name, "city": "karachi"}) for line, name in enumerate(names, 2)]
    cities = importing.cities_by_word()

    def flat(workers: int) -> list[object]:
        chunks = list(importing.parsed_chunks(rows, cities, workers=workers))
        assert [len(c) for c in chunks] == [3, 3, 3]
        return [
            item if isinstance(item, tuple) else (item.line, item.names, item.keys)
            for chunk in chunks
            for item in chunk
        ]

    parallel = flat(2)
    assert parallel == flat(0)
    assert parallel[4] == (6, "name is empty") and parallel[8] == (10, "name has no letters")
    assert parallel[1] == (3, ["Даурен Шарифи"], name_keys("Даурен Шарифи"))


@pytest.mark.once
def test_sqlite_gets_a_roomy_page_cache_for_the_import_only(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a list is written, SQLite keeps up to ``CACHE_KIB`` of pages in memory (the
    key index's pages were written out and read back again and again); afterwards the
    connection has its own size again. Key rows take ids without ``AUTOINCREMENT``,
    which made SQLite write its sequence table for every row."""
    from django.db import connection

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    before = cache_size()
    during = []
    add = importing.Writer.add

    def add_and_look(writer: importing.Writer, rows: list[importing.PersonRow]) -> None:
        during.append(cache_size())
        add(writer, rows)

    monkeypatch.setattr(importing.Writer, "add", add_and_look)
    run(write(tmp_path, HEADER + GOOD))
    assert during == [-importing.CACHE_KIB] != [before]
    assert cache_size() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [NameKey._meta.db_table])
        assert "AUTOINCREMENT" not in cursor.fetchone()[0]
    assert NameKey.objects.filter(person__organisation=cast.organisation).count() > 10
