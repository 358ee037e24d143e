"""Migrations of the key rows that change the schema: run outside a test's transaction."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, transaction

from qandas.accounts.models import City, Organisation
from qandas.matching.index import person_keys, romanised_names
from qandas.matching.migrations import __name__ as migrations
from qandas.matching.models import NameKey, PairsStale
from qandas.people.models import Person

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


def test_the_keys_of_names_with_a_piece_without_a_letter_are_rebuilt_alone() -> None:
    """Migration 0015 keys again, with their birth year, the people one of whose names
    has a piece without a letter (no longer keyed), and lists them for the duplicate
    review; nobody else's key rows are touched. (No cast here: it holds a transaction
    open for its module.)"""
    rekey = import_module(f"{migrations}.0015_rekey_letterless_pieces").rekey_letterless
    organisation = Organisation.objects.create(slug="rekey", name="Rekey")
    city, _created = City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    marked = Person.objects.create(
        organisation=organisation, current_city=city, birth_date=date(1980, 5, 1)
    )
    marked.set_names([{"text": "Kairat 2 Saparbekov"}, {"text": "Кайрат"}])
    plain = Person.objects.create(organisation=organisation, current_city=city)
    plain.set_names([{"text": "Aigul Bekova"}])
    for person in (marked, plain):  # what the code before keyed, and would keep
        NameKey.objects.create(
            organisation=organisation, person=person, key="n:2 kairat saparbekov"
        )
    PairsStale.objects.all().delete()
    with transaction.atomic():  # as a migration runs, on PostgreSQL
        rekey(apps, None)
    assert set(NameKey.objects.filter(person=marked).values_list("key", "born")) == {
        (key, 1980) for key in person_keys(["Kairat Saparbekov", "Кайрат"])
    }
    assert NameKey.objects.filter(person=plain, key="n:2 kairat saparbekov").exists()
    assert list(PairsStale.objects.values_list("person_id", flat=True)) == [marked.pk]


def test_the_romanised_names_are_filled_from_the_key_rows() -> None:
    """Migration matching.0016 fills ``Person.romanised`` from each person's ``n:`` key
    rows, as ``matching.index`` writes it: each name once, sorted as Python sorts (not
    as PostgreSQL's en_US, which passes over spaces), apart on lines; someone without
    key rows keeps none."""
    fill = import_module(f"{migrations}.0016_fill_person_romanised").fill_romanised
    organisation = Organisation.objects.create(slug="fill", name="Fill")
    city, _created = City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    two = Person.objects.create(organisation=organisation, current_city=city)
    two.set_names([{"text": "Alia Bek"}, {"text": "Ali Zed"}, {"text": "Али Зед"}])
    one = Person.objects.create(organisation=organisation, current_city=city)
    one.set_names([{"text": "Aigul Bekova"}])
    none = Person.objects.create(organisation=organisation, current_city=city)
    written = dict(Person.objects.values_list("pk", "romanised"))
    assert written[two.pk] == "ali zed\nalia bek"
    assert written[one.pk] == "aigul bekova" and written[none.pk] == ""
    Person.objects.update(romanised="")
    with connection.schema_editor() as editor:
        fill(apps, editor)
    assert dict(Person.objects.values_list("pk", "romanised")) == written


def test_the_keys_of_names_with_a_symbol_stuck_to_a_word_are_rebuilt_alone() -> None:
    """Migration 0017 keys again, with their romanised names, the people one of whose
    names has a symbol stuck to a word or the Arabic comma, and lists them for the
    duplicate review; nobody else's key rows or romanised names are touched."""
    rekey = import_module(f"{migrations}.0017_rekey_stray_symbols").rekey_stray
    organisation = Organisation.objects.create(slug="stray", name="Stray")
    city, _created = City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    marked = Person.objects.create(
        organisation=organisation, current_city=city, birth_date=date(1981, 2, 3)
    )
    marked.set_names([{"text": "Kairat😀 Saparbekov"}, {"text": "قیرات،ساپاربیکوف"}])
    plain = Person.objects.create(organisation=organisation, current_city=city)
    plain.set_names([{"text": "Aigul Bekova"}])
    for person in (marked, plain):  # what the code before keyed, and would keep
        NameKey.objects.create(organisation=organisation, person=person, key="n:kairat😀")
    Person.objects.update(romanised="stale")
    PairsStale.objects.all().delete()
    with transaction.atomic():  # as a migration runs, on PostgreSQL
        rekey(apps, None)
    meant = ["Kairat Saparbekov", "قیرات ساپاربیکوف"]
    assert set(NameKey.objects.filter(person=marked).values_list("key", "born")) == {
        (key, 1981) for key in person_keys(meant)
    }
    marked.refresh_from_db()
    assert marked.romanised == romanised_names(person_keys(meant))
    assert marked.romanised.split("\n")[0] == "kairat saparbekov"
    assert NameKey.objects.filter(person=plain, key="n:kairat😀").exists()
    assert Person.objects.get(pk=plain.pk).romanised == "stale"
    assert list(PairsStale.objects.values_list("person_id", flat=True)) == [marked.pk]


def test_the_keys_of_names_with_a_patronymic_written_apart_are_rebuilt_alone() -> None:
    """Migration 0019 keys again the people one of whose names writes a patronymic's
    ending apart (``Марат ұлы``, ``Marat-ovich``), and lists them for the duplicate
    review; nobody else's key rows or romanised names are touched."""
    rekey = import_module(f"{migrations}.0019_rekey_patronymics_apart").rekey_patronymics
    organisation = Organisation.objects.create(slug="apart", name="Apart")
    city, _created = City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    apart = Person.objects.create(organisation=organisation, current_city=city)
    apart.set_names([{"text": "Жандос Марат ұлы Қошқарбаев"}])
    hyphen = Person.objects.create(organisation=organisation, current_city=city)
    hyphen.set_names([{"text": "Ivan Petr-ovich Sidorov"}])
    plain = Person.objects.create(organisation=organisation, current_city=city)
    plain.set_names([{"text": "Zhandos Maratuly Qoshqarbayev"}, {"text": "Жандос Маратұлы"}])
    for person in (apart, hyphen, plain):  # what the code before keyed, and would keep
        NameKey.objects.create(organisation=organisation, person=person, key="n:marat")
    Person.objects.update(romanised="stale")
    PairsStale.objects.all().delete()
    with transaction.atomic():
        rekey(apps, None)
    assert not NameKey.objects.filter(person__in=[apart, hyphen], key="n:marat").exists()
    assert set(NameKey.objects.filter(person=apart).values_list("key", flat=True)) == set(
        person_keys(["Жандос Марат ұлы Қошқарбаев"])
    )
    apart.refresh_from_db()
    assert "maratuly" in apart.romanised.split("\n")[0]
    assert NameKey.objects.filter(person=plain, key="n:marat").exists()
    assert Person.objects.get(pk=plain.pk).romanised == "stale"
    assert sorted(PairsStale.objects.values_list("person_id", flat=True)) == [apart.pk, hyphen.pk]


def test_the_keys_of_names_joined_to_a_particle_are_rebuilt_alone() -> None:
    """Migration 0020 keys again the people one of whose names joins a particle to a name
    (``Abdul Latif``, ``عبداللطیف``), which is now keyed by itself too, and lists them for
    the duplicate review; nobody else's key rows are touched."""
    rekey = import_module(f"{migrations}.0020_key_name_parts").key_name_parts
    organisation = Organisation.objects.create(slug="after", name="After")
    city, _created = City.objects.get_or_create(slug="karachi", defaults={"name": "Karachi"})
    latin = Person.objects.create(organisation=organisation, current_city=city)
    latin.set_names([{"text": "Abdul Latif Nazari"}])
    arabic = Person.objects.create(organisation=organisation, current_city=city)
    arabic.set_names([{"text": "Aibek Sharifi"}, {"text": "عبداللطیف"}])
    plain = Person.objects.create(organisation=organisation, current_city=city)
    plain.set_names([{"text": "Abdullah Nazari"}])  # "lah": too short to be keyed alone
    # What the code before keyed: not the name after the particle.
    NameKey.objects.filter(key__in=["r:latif", "c:ltf", "r:ltyf"]).delete()
    NameKey.objects.create(organisation=organisation, person=plain, key="r:stale")
    PairsStale.objects.all().delete()
    with transaction.atomic():
        rekey(apps, None)
    for person, names in (
        (latin, ["Abdul Latif Nazari"]),
        (arabic, ["Aibek Sharifi", "عبداللطیف"]),
    ):
        keyed = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
        assert keyed == set(person_keys(names)) and "c:ltf" in keyed
    assert NameKey.objects.filter(person=plain, key="r:stale").exists()
    assert sorted(PairsStale.objects.values_list("person_id", flat=True)) == [latin.pk, arabic.pk]


def test_lists_uploaded_before_background_matching_count_as_matched() -> None:
    """Migration matching.0018: a list uploaded before was matched as it was uploaded,
    so it counts every row of it as matched (a list of none, none), moved when uploaded."""
    from qandas.accounts.models import User
    from qandas.matching.models import ListRow, ListUpload

    count_rows = import_module(f"{migrations}.0018_list_matching_in_background").all_matched
    organisation = Organisation.objects.create(slug="lists", name="Lists")
    by = User.objects.create(username="uploader")
    stored = {"content_type": "text/csv", "size": 1, "sha256": "0" * 64, "uploaded_by": by}
    three = ListUpload.objects.create(
        organisation=organisation, kind="police", storage_name="a.csv", **stored
    )
    empty = ListUpload.objects.create(
        organisation=organisation, kind="police", storage_name="b.csv", **stored
    )
    ListRow.objects.bulk_create(ListRow(upload=three, line=n) for n in (2, 3, 4))
    with transaction.atomic():
        count_rows(apps, None)
    three.refresh_from_db()
    empty.refresh_from_db()
    assert (three.matched_rows, three.match_moved_at) == (3, three.uploaded_at)
    assert (empty.matched_rows, empty.match_moved_at) == (0, empty.uploaded_at)
