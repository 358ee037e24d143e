"""Search ranking on a small fixed set with known answers in all three scripts."""

import random
from collections import Counter
from datetime import date
from functools import partial
from importlib import import_module
from io import StringIO
from typing import Any
from uuid import UUID

import pytest
from django.core.management import call_command
from django.test import Client

from qandas.accounts.models import Organisation
from qandas.documents.models import Document, DocumentKind
from qandas.lib.scripts import CYRILLIC
from qandas.matching.duplicates import GUARD_THRESHOLD
from qandas.matching.keys import analyse, name_keys, tokens_of
from qandas.matching.models import NameKey
from qandas.matching.rewrites import spellings
from qandas.matching.search import (
    COMMON,
    FACTS_FULL,
    KEY_WEIGHT,
    NAME_WEIGHT,
    SPELLINGS_LOOKED_UP,
    Facts,
    Gate,
    find,
    id_array,
    key_weight,
    most_shared,
    query_keys,
    rank_people,
    score_facts,
    score_names,
    tally,
    top_shared,
)
from qandas.people.models import Household, Person
from qandas.test import CAST, GIVEN_NAMES, Cast

pytestmark = [pytest.mark.django_db, pytest.mark.engines]

REGISTRY = {
    "sharifi": (["Aibek Sharifi"], "karachi", 1990),
    "sharipov": (["Aidos Sharipov"], "karachi", 1975),
    "tokhtarov": (["Nurlan Tokhtarov"], "karachi", 1988),
    "tokhtarov_other": (["Nurali Tokhtarov"], "karachi", 1992),
    "nizam": (["Nizamuddin Karimi"], "karachi", 1979),
    "abdulkarim": (["Abdulkarim Sadiqi"], "karachi", 1983),
    "muhammad": (["Muhammad Rahimi"], "karachi", 1991),
    "rahimov": (["Mukhtar Rakhimov"], "karachi", 1991),
    "erlan": (["Erlan Zhaksybekov"], "karachi", 1985),
    "quetta": (["Aibek Sharifi"], "quetta", 1960),
}


def register(cast: Cast, names: list[str], city: str, year: int | None) -> Person:
    person = Person.objects.create(
        organisation=cast.organisation,
        current_city=getattr(cast, city),
        birth_date=date(year, 1, 1) if year else None,
        birth_date_precision="year",
    )
    person.set_names([{"text": n} for n in names])
    return person


@pytest.fixture
def registry(cast: Cast) -> dict[str, Person]:
    return {key: register(cast, names, city, year) for key, (names, city, year) in REGISTRY.items()}


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("Шарифи", "sharifi"),  # Russian Cyrillic
        ("شریفی", "sharifi"),  # Persian/Urdu letters
        ("شريفي", "sharifi"),  # Arabic letters
        ("Shareefi Aibek", "sharifi"),  # another spelling, other order
        ("Тоқтаров Нұрлан", "tokhtarov"),  # Kazakh Cyrillic
        ("نورلان توختاروف", "tokhtarov"),
        ("نظام الدین کریمی", "nizam"),
        ("Nizam ud-Din Karimi", "nizam"),
        ("Abdul Karim Sadiqi", "abdulkarim"),
        ("محمد رحیمی", "muhammad"),
        ("Ерлан Жақсыбеков", "erlan"),
        ("Erlan Zhaksybekv", "erlan"),  # a typo
        ("Nurlan Tokhtarev", "tokhtarov"),  # a typo
    ],
)
def test_the_known_answer_ranks_first(
    registry: dict[str, Person], cast: Cast, query: str, answer: str
) -> None:
    people = Person.objects.visible_to(cast.coordinator)
    matches = find(people, query)
    assert matches, query
    assert matches[0].person == registry[answer], [(m.name, m.score) for m in matches]
    assert 0 < matches[0].score <= 1
    assert matches[0].why


def test_a_name_without_its_particle_finds_the_name_joined_to_it(
    registry: dict[str, Person], cast: Cast
) -> None:
    # "Abdul Latif" is one token, abdullatif: "Latif" alone shared no key with it.
    latif = register(cast, ["Abdul Latif Nazari"], "karachi", 1970)
    people = Person.objects.visible_to(cast.coordinator)
    for query in ("Latif", "Латиф", "لطیف"):
        matches = find(people, query)
        assert [m.person for m in matches] == [latif], (query, [(m.name, m.score) for m in matches])
        assert "≈ abdullatif (without the particle joined to it)" in matches[0].why
        assert 0.6 < matches[0].score < 0.8  # under the duplicate guard's threshold
    assert find(people, "Latif Nazari")[0].score == pytest.approx(0.85)
    # The part after the particle is looked up, and the whole name scored: "Karim" is
    # nearer "Karimi" than "Abdulkarim", and finds both.
    found = [m.person for m in find(people, "Karim")]
    assert found[:2] == [registry["nizam"], registry["abdulkarim"]]
    # A particle joined after the name: "Nizam" finds "Nizamuddin Karimi", in any script,
    # under the guard's threshold (by their shared start it scored 0.82, and the guard
    # asked).
    for query in ("Nizam", "Низам", "نظام"):
        matches = find(people, query)
        assert [m.person for m in matches][:1] == [registry["nizam"]], query
        assert "≈ nizamuddin (without the particle joined to it)" in matches[0].why
        assert matches[0].score < 0.8
    # Abdu-Rashid: the r is the name's. "Rashid" is him without the particle, "Ashid" no.
    rashid = register(cast, ["Абдурашид Сапаров"], "karachi", 1980)
    assert find(people, "Рашид Сапаров")[0].person == rashid
    assert find(people, "Рашид Сапаров")[0].score == pytest.approx(0.85)
    assert all(m.score < 0.8 for m in find(people, "Ашид Сапаров"))
    # A typo of the whole name is still scored as the whole name.
    assert find(people, "Nizamudin Karimi")[0].score > 0.95


def test_why_names_the_tokens_and_how_they_matched(registry: dict[str, Person], cast: Cast) -> None:
    best = find(Person.objects.visible_to(cast.coordinator), "Шарифи")[0]
    assert best.name == "Aibek Sharifi"
    assert best.why == "шарифи ≈ sharifi (same in Latin letters)"


def test_a_name_spelt_as_its_latin_owner_writes_it_ranks_above_a_closer_string(
    cast: Cast,
) -> None:
    # Уинтерли romanises as uinterli; the learned rewrites spell it Winterley (ui: w,
    # final i: ey), which ranks above Uinterlo, the closer string letter by letter.
    winterley = register(cast, ["Winterley Sarsenbay"], "karachi", None)
    register(cast, ["Uinterlo Sarsenbay"], "karachi", None)
    matches = find(Person.objects.visible_to(cast.coordinator), "Уинтерли Сарсенбай")
    assert matches[0].person == winterley, [(m.name, m.score) for m in matches]
    assert "уинтерли ≈ winterley (a usual Latin spelling of it)" in matches[0].why


def test_birth_year_and_document_number_rank_between_namesakes(
    registry: dict[str, Person], cast: Cast
) -> None:
    people = Person.objects.visible_to(cast.admin)
    by_year = find(people, "Aibek Sharifi", birth_year=1960)
    assert by_year[0].person == registry["quetta"]
    assert "born 1960" in by_year[0].why and "not" not in by_year[0].why
    near = find(people, "Aibek Sharifi", birth_year=1961)  # a year out: both are said
    assert near[0].person == registry["quetta"] and "born 1960 (given: 1961)" in near[0].why
    Document.objects.create(
        organisation=cast.organisation,
        person=registry["sharifi"],
        kind=DocumentKind.PASSPORT,
        number="AB 123456",
    )
    by_document = find(people, "Aibek Sharifi", birth_year=1960, document_number="ab123456")
    assert by_document[0].person == registry["sharifi"]
    assert "same document number" in by_document[0].why
    # The namesake holding no document is ranked lower for it, and told so.
    unchecked = next(m for m in by_document if m.person == registry["quetta"])
    assert "no document on record" in unchecked.why
    # Its holder under a name the query does not share, the number written another way.
    elsewhere = find(people, "Zzyzx Qwqw", document_number="ab/123-456")
    assert [m.person for m in elsewhere] == [registry["sharifi"]]
    assert "same document number" in elsewhere[0].why


def test_the_access_gate_comes_first(registry: dict[str, Person], cast: Cast) -> None:
    mine = find(Person.objects.visible_to(cast.coordinator), "Aibek Sharifi")
    assert registry["quetta"] not in [m.person for m in mine]
    assert find(Person.objects.visible_to(cast.outsider), "Aibek Sharifi") == []
    assert find(Person.objects.visible_to(cast.analyst), "Aibek Sharifi") == []


def test_the_gate_is_passed_a_window_at_a_time_until_enough_are_visible(
    registry: dict[str, Person], cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People the user may not see can share more keys than those they may: the gate
    goes on down the ranking instead of answering with nobody."""
    from qandas.matching import search

    monkeypatch.setattr(search, "GATE_WINDOW", 1)
    for _ in range(3):  # more Quetta namesakes, ranked with or above the Karachi one
        register(cast, ["Aibek Sharifi"], "quetta", 1960)
    mine = search.candidates(
        Person.objects.visible_to(cast.coordinator), analyse("Aibek Sharifi"), limit=2
    )
    assert mine[0] == registry["sharifi"].pk and len(mine) == 2
    assert Person.objects.filter(pk__in=mine, current_city=cast.quetta).count() == 0


def test_the_gate_hiding_the_whole_window_chosen_among_by_spelling_is_passed_too(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search given only a name asks the gate of the window it chooses among by
    spelling, and whose names they are, in one statement. When the gate hides everyone in
    it, the search goes on down the ranking: the people the user may see are found, and
    nobody else."""
    from qandas.matching import search

    monkeypatch.setattr(search, "WIDER", 1)  # a window of the two by keys and one more
    hidden = [register(cast, ["Aibek Sharifi"], "quetta", None) for _ in range(4)]
    mine = [register(cast, ["Aibek Sharifi"], "karachi", None) for _ in range(3)]
    people = Person.objects.visible_to(cast.coordinator)
    found = search.candidates(people, analyse("Aibek Sharifi"), limit=3)
    assert found == [person.pk for person in mine]
    assert not {person.pk for person in hidden} & set(found)


def test_the_gate_asked_in_plain_sql_lets_through_whom_the_orm_does(
    registry: dict[str, Person], cast: Cast
) -> None:
    Person.objects.create(organisation=cast.other_organisation, current_city=cast.karachi)
    everyone = list(Person.objects.values_list("pk", flat=True))
    for name in CAST:
        people = Person.objects.visible_to(getattr(cast, name))
        gate = Gate(people)
        assert gate.visible(everyone) == set(people.values_list("pk", flat=True)), name
        orgs = sorted(set(people.values_list("organisation_id", flat=True)))
        assert gate.organisations() == orgs, name


def test_an_api_search_sees_only_what_the_tokens_membership_may(
    registry: dict[str, Person], cast: Cast, client: Client
) -> None:
    def found(name: str) -> list[str]:
        token = cast.token(name)
        answer = client.get(
            "/api/v1/people", {"q": "Aibek Sharifi"}, headers={"Authorization": f"Bearer {token}"}
        )
        results = answer.json()["results"]
        return [r["city"] for r in results if r["names"][0]["text"] == "Aibek Sharifi"]

    assert found("coordinator") == ["karachi"]
    assert found("quetta_coordinator") == ["quetta"]
    assert sorted(found("admin")) == ["karachi", "quetta"]
    assert found("outsider") == []


def test_a_name_of_only_common_keys_is_found_on_its_most_telling_ones(
    registry: dict[str, Person], cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every key is held by too many people to pick candidates, the whole name run
    together and its romanised tokens still find the person."""
    from qandas.matching import search

    monkeypatch.setattr(search, "COMMON", 0)
    people = Person.objects.visible_to(cast.coordinator)
    assert find(people, "Nurlan Tokhtarov")[0].person == registry["tokhtarov"]
    assert registry["quetta"] not in [m.person for m in find(people, "Aibek Sharifi")]


def test_keys_follow_every_change_of_names(registry: dict[str, Person], cast: Cast) -> None:
    person = registry["erlan"]
    loaded_before = Person.objects.get(pk=person.pk)
    person.set_names([{"text": "Бауыржан Сейітов"}, {"text": "Bauyrzhan Seitov"}])
    assert not NameKey.objects.filter(person=person, key="r:erlan").exists()
    stored = list(NameKey.objects.filter(person=person).values_list("key", flat=True))
    assert sorted(stored) == sorted(name_keys("Бауыржан Сейітов") | name_keys("Bauyrzhan Seitov"))
    # The romanised names follow too, and a save of the person loaded before keeps them.
    assert loaded_before.romanised == "erlan zhaksybekov"
    loaded_before.father_name = "Serik"
    loaded_before.save()
    person.refresh_from_db()
    assert person.father_name == "Serik"
    assert person.romanised == "bauyrzhan seiitov\nbauyrzhan seitov"  # Сейітов romanised
    people = Person.objects.visible_to(cast.coordinator)
    assert find(people, "Bauyrzhan Seitov")[0].person == person
    person.redact(by=cast.admin)
    assert not NameKey.objects.filter(person=person).exists()
    assert Person.objects.get(pk=person.pk).romanised == ""
    assert person not in [m.person for m in find(people, "Bauyrzhan Seitov")]


def test_a_name_of_no_letters_finds_nobody(registry: dict[str, Person], cast: Cast) -> None:
    assert find(Person.objects.visible_to(cast.admin), " - ") == []


def test_the_people_list_and_the_api_rank_with_why(
    registry: dict[str, Person], cast: Cast, client: Client
) -> None:
    client.force_login(cast.coordinator)
    page = client.post("/people/", {"q": "شریفی"}).content.decode()
    assert "Aibek Sharifi" in page and "<bdi>شریفی</bdi> ≈ <bdi>sharifi</bdi>" in page
    assert "Nurlan Tokhtarov" not in page
    token = cast.token("coordinator")
    body: Any = client.get(
        "/api/v1/people", {"q": "Тоқтаров Нұрлан"}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert body["results"][0]["names"][0]["text"] == "Nurlan Tokhtarov"
    assert body["results"][0]["why"]
    assert all(0 < r["score"] <= 1 for r in body["results"])
    assert body["results"] == sorted(body["results"], key=lambda r: -r["score"])


def test_a_name_split_elsewhere_scores_as_written_together() -> None:
    query = tokens_of("Abdulrahim Karimov")
    names = ["Abdul Rahim Karimov", "Abdu Lrahimkarimov", "Rahim Karimov", "Karimov Abdulrahim"]
    named = score_names(query, [tokens_of(name) for name in names])
    # Alike token by token: never compared run together (it would score at most 0.9).
    assert named.scores[0] == 1.0 and not named.together[0]
    assert named.scores[3] == 1.0 and not named.together[3]
    # Split elsewhere: its tokens are not alike, run together they are.
    assert named.together[1] and named.scores[1] == pytest.approx(0.9)
    assert "written together" in str(named.why(1))
    # One of two without the particle joined to it: its tokens, not run together.
    assert not named.together[2] and named.scores[2] == pytest.approx(0.85)
    assert "abdulrahim ≈ rahim (without the particle joined to it)" in str(named.why(2))
    # As many tokens, one the same: not split elsewhere, but another given name beside
    # the same family name, which run together outweighed (0.90, another woman).
    other = score_names(tokens_of("Asel Kenzhebayeva"), [tokens_of("Saule Kenzhebayeva")])
    assert not other.together[0] and other.scores[0] < 0.75
    # A family name's woman's form holds the man's whole, which is no shortened name:
    # run together, her brother scored 0.80 (the duplicate guard's threshold).
    brother = score_names(tokens_of("Dina Myrzakhmetova"), [tokens_of("Aidos Myrzakhmetov")])
    assert not brother.together[0] and brother.scores[0] < 0.6


def test_a_rarer_key_weighs_more() -> None:
    assert key_weight(COMMON) == KEY_WEIGHT
    assert key_weight(COMMON * 10) == KEY_WEIGHT  # never less than a common key's
    assert KEY_WEIGHT < key_weight(100) < key_weight(3) < key_weight(1) == key_weight(0)
    # Person 1 shares one key held by three people; person 2 shares two held by a
    # thousand each, and everyone else one of them: person 1 comes first.
    crowd = list(range(10, 1008))
    held = {"r:rare": [1, 3, 4], "c:one": [2, *crowd], "k:two": [2, *crowd[::-1]]}
    shared = tally(held)
    assert shared.counts()[1] == key_weight(3)
    assert shared.counts()[2] == 2 * key_weight(1000)
    assert [pk for pk, _w in top_shared(shared, 3)] == [1, 3, 4]


def test_dictionary_groups_count_as_the_rarest_one_shared() -> None:
    held = {"g:1": [1, 3], "g:2": [1, 3, 5, 6], "g:3": [1], "r:su": [2], "c:s": [2, 3]}
    shared = tally(held).counts()
    # Person 1 shares three groups of one common token: they count as the rarest one.
    assert shared[1] == key_weight(1)
    assert shared[2] == key_weight(1) + key_weight(2)
    assert shared[3] == key_weight(2) + key_weight(2)
    assert shared[5] == key_weight(4)
    assert tally(held, ["r:su"]).counts() == {2: key_weight(1)}
    # Ids as large as ranking allows keep their weights (packed together to sort).
    large = (1 << 40) - 1
    assert tally({"r:a": [large, 5], "g:1": [large]}).counts() == {
        5: key_weight(2),
        large: key_weight(2) + key_weight(1),
    }


def test_the_people_sharing_most_weight_come_first_then_the_lowest_ids() -> None:
    """``tally``, ``top_shared`` and ``most_shared`` weigh and order as a ``Counter``
    of each key's weight, sorted by weight shared, then id, would: checked on random
    holders."""
    rnd = random.Random(6)
    held = {f"r:{k}": rnd.sample(range(1, 400), rnd.randint(1, 120)) for k in range(30)}
    counted: Counter[int] = Counter()
    for ids in held.values():
        counted.update(dict.fromkeys(ids, key_weight(len(ids))))
    order = sorted(counted, key=lambda pk: (-counted[pk], pk))
    shared = tally(held)
    assert shared.counts() == counted
    assert most_shared(shared) == order
    assert top_shared(shared, 25) == [(pk, counted[pk]) for pk in order[:25]]
    assert top_shared(shared, 10_000) == [(pk, counted[pk]) for pk in order]
    assert top_shared(tally({}), 5) == most_shared(tally({})) == []


def test_a_tokens_learned_spellings_are_looked_up() -> None:
    # Zhilson shares no spelling with Gilson; Gilson is its likeliest learned spelling.
    learned = spellings("zhilson", CYRILLIC)
    assert learned[0] == "gilson"
    assert "r:gilson" in query_keys(analyse("Жильсон")) & name_keys("Gilson")
    wanted = query_keys(analyse("Жильсон"))
    assert {f"r:{spelt}" for spelt in learned[:SPELLINGS_LOOKED_UP]} <= wanted
    assert not {f"r:{spelt}" for spelt in learned[SPELLINGS_LOOKED_UP:]} & wanted


def test_the_holders_ids_are_read_from_either_engines_form() -> None:
    assert id_array("7,42,1000000").tolist() == id_array([7, 42, 1000000]).tolist()
    assert id_array("7,42,1000000").tolist() == [7, 42, 1000000]


def test_a_name_written_apart_is_looked_up_as_one_token_too() -> None:
    # Eunhwan is stored as one token: its spelling and skeleton, not only its ``j:`` key.
    stored = name_keys("Eunhwan")
    wanted = query_keys(analyse("Eun-hwan"))
    assert {"r:eunhwan", "c:nhn", "j:nhn"} <= stored & wanted


def test_a_namesake_sharing_only_the_family_name_and_year_is_no_match(
    registry: dict[str, Person], cast: Cast
) -> None:
    people = Person.objects.visible_to(cast.coordinator)
    # Baurzhan is not Nurali: the family name and birth year agree, the given name is
    # another. Nurlan, spelt another way, still scores as a match.
    matches = {m.person: m for m in find(people, "Бауыржан Тохтаров", birth_year=1992)}
    other = matches[registry["tokhtarov_other"]]
    assert other.score < GUARD_THRESHOLD, other.why
    him = find(people, "Нурлан Тохтаров", birth_year=1988)[0]
    assert him.person == registry["tokhtarov"]
    assert him.score >= GUARD_THRESHOLD


def test_a_birth_year_finds_the_one_among_many_namesakes(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qandas.matching import search

    monkeypatch.setattr(search, "CANDIDATES", 4)
    namesakes = [register(cast, ["Aigerim Bekova"], "karachi", 1950 + i) for i in range(12)]
    people = Person.objects.visible_to(cast.coordinator)
    # Twelve people share every key; only four are scored. The last one registered is
    # found by the year she was born, and ranked first by it.
    assert namesakes[-1] not in [m.person for m in find(people, "Айгерим Бекова")]
    assert find(people, "Айгерим Бекова", birth_year=1961)[0].person == namesakes[-1]


GIVEN = GIVEN_NAMES[:24]


@pytest.mark.parametrize("wider", [True, False], ids=["wider", "as wide as one token"])
def test_a_name_alone_finds_her_by_spelling_behind_many_sharing_the_family_name(
    cast: Cast, client: Client, monkeypatch: pytest.MonkeyPatch, wider: bool
) -> None:
    """Twenty-four men share the family name with the one sought, Csilla, registered
    after them (of equals by keys, the first registered come first); the keys her given
    name shares with the query's (Чилла) are held by too many to choose anyone. The last
    third of a search's places go to those spelt most like the query among the next
    ``WIDER`` sharing most keys (``WIDE`` for a name of one token), among the people the
    searcher may see only: her twin in Quetta is never chosen."""
    from qandas.matching import search

    monkeypatch.setattr(search, "CANDIDATES", 6)  # four by keys, two by spelling
    # A key held by more than hold the family name picks no candidates.
    common = partial(search.postings, common=len(GIVEN) + 2)
    monkeypatch.setattr(search, "postings", common)
    monkeypatch.setattr(search, "WIDE", 10)
    if not wider:
        monkeypatch.setattr(search, "WIDER", 10)
    for given in GIVEN:
        register(cast, [f"{given} Temirbekov"], "karachi", None)
    hidden = register(cast, ["Csilla Temirbekov"], "quetta", None)
    her = register(cast, ["Csilla Temirbekov"], "karachi", None)
    for other in [*GIVEN, "Aidar", "Bolat"]:  # more than hold the family name
        register(cast, [f"Csilla {other}ova"], "karachi", None)
    headers = {"Authorization": f"Bearer {cast.token('coordinator')}"}
    answer = client.get("/api/v1/people", {"q": "Чилла Темирбеков"}, headers=headers)
    assert answer.status_code == 200, answer.content
    codes = [r["code"] for r in answer.json()["results"]]
    assert str(hidden.code) not in codes
    assert (str(her.code) in codes) is wider
    assert not wider or codes[0] == str(her.code)
    assert len(codes) == 6


def test_a_birth_year_finds_her_among_everyone_sharing_a_key_as_her_record_now_says(
    cast: Cast, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Those born near are chosen among everyone sharing a rare key, not only among those
    sharing most: from the key rows, which follow an edit of the birth date. Nobody the
    searcher may not see is chosen."""
    from qandas.matching import search

    monkeypatch.setattr(search, "CANDIDATES", 3)  # one place by keys, two born near
    for i in range(8):  # each shares more of the name than she does
        register(cast, ["Aigerim Bekova"], "karachi", 1950 + i)
    her = register(cast, ["Aigul Bekova"], "karachi", 1930)
    hidden = register(cast, ["Aigul Bekova"], "quetta", 1975)
    headers = {"Authorization": f"Bearer {cast.token('coordinator')}"}

    def found() -> list[str]:
        answer = client.get(
            "/api/v1/people", {"q": "Айгерим Бекова", "birth_year": "1975"}, headers=headers
        )
        assert answer.status_code == 200, answer.content
        return [r["code"] for r in answer.json()["results"]]

    assert str(her.code) not in found()
    edited = client.patch(
        f"/api/v1/people/{her.code}",
        {"birth_date": "1975-03-01"},
        content_type="application/json",
        headers=headers,
    )
    assert edited.status_code == 200, edited.content
    assert set(NameKey.objects.filter(person=her).values_list("born", flat=True)) == {1975}
    codes = found()
    assert str(her.code) in codes and str(hidden.code) not in codes
    assert len(codes) == 3


def test_key_rows_hold_the_birth_year_through_every_change(cast: Cast) -> None:
    from django.apps import apps

    from qandas.matching.migrations import __name__ as migrations

    person = register(cast, ["Aigerim Bekova"], "karachi", 1961)
    other = register(cast, ["Dana Serikova"], "karachi", None)

    def born(who: Person) -> set[int | None]:
        return set(NameKey.objects.filter(person=who).values_list("born", flat=True))

    assert born(person) == {1961} and born(other) == {None}
    person.birth_date = date(1963, 5, 1)
    person.save()
    assert born(person) == {1963}
    person.father_name = "Serik"
    person.birth_date = date(1990, 1, 1)
    person.save(update_fields=["father_name"])  # the date not written: nor are the keys
    assert born(person) == {1963}
    person.birth_date = None
    person.save(update_fields=["birth_date"])
    assert born(person) == {None}
    person.birth_date = date(1964, 1, 1)
    person.save()
    person.set_names([{"text": "Aigerim Bekova"}, {"text": "Айгерим Бекова"}])
    assert born(person) == {1964}
    # Key rows written before they held a year take it from the migration.
    NameKey.objects.update(born=None)
    import_module(f"{migrations}.0013_key_rows_hold_birth_year").copy_birth_years(apps, None)
    assert born(person) == {1964} and born(other) == {None}


def test_reindex_names_rebuilds_every_key_row_with_its_birth_year(
    registry: dict[str, Person], cast: Cast
) -> None:
    NameKey.objects.all().delete()
    out = StringIO()
    call_command("reindex_names", stdout=out)
    assert f"Keyed the names of {len(REGISTRY)} people" in out.getvalue()
    sharifi = registry["sharifi"]
    rows = NameKey.objects.filter(person=sharifi)
    assert sorted(rows.values_list("key", flat=True)) == sorted(name_keys("Aibek Sharifi"))
    assert set(rows.values_list("born", flat=True)) == {1990}
    assert find(Person.objects.visible_to(cast.coordinator), "Шарифи")[0].person == sharifi
    # The romanised names are written again too, and cleared for the redacted.
    Person.objects.update(romanised="")
    redacted = registry["erlan"]
    redacted.redact(by=cast.admin)
    Person.objects.filter(pk=redacted.pk).update(romanised="stale")
    call_command("reindex_names", stdout=StringIO())
    romanised = dict(Person.objects.values_list("pk", "romanised"))
    assert romanised[sharifi.pk] == "aibek sharifi" and romanised[redacted.pk] == ""


def test_a_birth_year_lifts_a_weak_name_in_proportion_and_a_document_fully() -> None:
    """A stranger sharing one name and the birth year is no match: a name scoring under
    ``FACTS_FULL`` is lifted by the facts many people share only in proportion. A
    document number lifts any name fully, and a name from ``FACTS_FULL`` on is lifted
    fully by the year."""
    query = "Asel Kenzhebayeva"
    stranger = Facts(1, ["Saule Kenzhebayeva"], 1995)  # a given name alike, not the same
    name = score_facts([stranger], query)[0].score
    assert 0.5 < name < FACTS_FULL
    [with_year] = score_facts([stranger], query, birth_year=1995)
    lifted = NAME_WEIGHT * name + (1 - NAME_WEIGHT) * name / FACTS_FULL
    assert with_year.score == pytest.approx(lifted, abs=1e-4)
    assert name < with_year.score < 0.8 < NAME_WEIGHT * name + (1 - NAME_WEIGHT)
    [proven] = score_facts([stranger], query, document_number="AB 123", documents={1: {"ab123"}})
    assert proven.score == pytest.approx(NAME_WEIGHT * name + (1 - NAME_WEIGHT), abs=1e-4)
    [both] = score_facts(
        [stranger], query, birth_year=1995, document_number="AB 123", documents={1: {"ab123"}}
    )
    assert both.score == pytest.approx(
        NAME_WEIGHT * name + (1 - NAME_WEIGHT) * (name / FACTS_FULL + 3) / 4, abs=1e-4
    )
    spelt = Facts(2, ["Asel Kenzhebaeva"], 1995)
    near = score_facts([spelt], query)[0].score
    assert near >= FACTS_FULL
    [strong] = score_facts([spelt], query, birth_year=1995)
    assert strong.score == pytest.approx(NAME_WEIGHT * near + (1 - NAME_WEIGHT), abs=1e-4)


def test_a_search_loads_only_the_people_of_the_page_shown(
    registry: dict[str, Person], cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qandas.matching import search

    monkeypatch.setattr(search, "FLOOR", 0.0)  # the weaker results too, to page through
    people = Person.objects.visible_to(cast.coordinator)
    ranked = search.rank_people(people, "Aibek Sharifi")
    loaded: list[int] = []
    real = search._shown

    def spy(scored: list[search.Scored]) -> dict[int, Person]:
        loaded.append(len(scored))
        return real(scored)

    monkeypatch.setattr(search, "_shown", spy)
    assert len(ranked) >= 2 and not loaded  # ranked and counted, nobody loaded yet
    first: Any = ranked[0:1][0]
    assert loaded == [1]
    assert first == registry["sharifi"] and first.score > 0 and first.why
    second: Any = ranked[1]
    assert second.score <= first.score


def test_a_search_shows_nobody_scoring_under_the_floor(
    registry: dict[str, Person], cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gibberish listed people down to 3%: the search, the list and the API show only
    those from ``FLOOR``, as a list's rows do."""
    from qandas.matching import search

    people = Person.objects.visible_to(cast.coordinator)
    shown = search.rank_people(people, "Aibek Sharifi")
    assert shown[0].pk == registry["sharifi"].pk
    assert all(s.score >= search.FLOOR for s in shown.scored)
    monkeypatch.setattr(search, "FLOOR", 0.0)
    every = search.rank_people(people, "Aibek Sharifi")
    assert len(every) > len(shown)  # the floor hid someone
    assert min(s.score for s in every.scored) < 0.5


def test_postings_count_every_key_and_read_only_the_rare_keys_holders(
    registry: dict[str, Person], cast: Cast
) -> None:
    """Each key's holders are counted up to ``common + 1``; only keys held by at most
    ``common`` people have their holders read, and only the organisations asked for
    count (one statement on PostgreSQL, two on SQLite)."""
    from qandas.matching import search

    other = Organisation.objects.create(slug="elsewhere", name="Elsewhere")
    stranger = Person.objects.create(organisation=other, current_city=cast.karachi)
    stranger.set_names([{"text": "Nurlan Tokhtarov"}])
    wanted = ["r:sharifi", "r:tokhtarov", "r:nurlan", "r:nobody"]
    counts, held = search.postings(wanted, [cast.organisation.pk], common=1)
    assert counts == {"r:sharifi": 2, "r:tokhtarov": 2, "r:nurlan": 1}
    assert held == {"r:nurlan": [registry["tokhtarov"].pk]}
    counts, held = search.postings(wanted, [cast.organisation.pk, other.pk], common=3)
    assert counts == {"r:sharifi": 2, "r:tokhtarov": 3, "r:nurlan": 2}
    assert sorted(held["r:tokhtarov"]) == sorted(
        [registry["tokhtarov"].pk, registry["tokhtarov_other"].pk, stranger.pk]
    )
    assert set(held) == {"r:sharifi", "r:tokhtarov", "r:nurlan"}


def test_a_key_found_common_is_not_counted_again_for_a_while(
    registry: dict[str, Person],
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    """A key held by more than ``common`` people is taken as common, without counting it
    again, for ``COMMON_KEPT`` seconds; a rare key is counted every time."""
    from qandas.matching import search

    orgs = [cast.organisation.pk]
    counts, _held = search.postings(["r:sharifi", "r:nurlan"], orgs, common=1)
    assert counts == {"r:sharifi": 2, "r:nurlan": 1}
    NameKey.objects.filter(key__in=["r:sharifi", "r:nurlan"]).delete()
    with django_assert_num_queries(0):
        counts, held = search.postings(["r:sharifi"], orgs, common=1)
    assert (counts, held) == ({"r:sharifi": 2}, {})
    counts, _held = search.postings(["r:sharifi", "r:nurlan"], orgs, common=1)
    assert counts == {"r:sharifi": 2}  # the rare key counted again: held by none now
    # Only for the organisations and the limit it was found common for.
    assert search.postings(["r:sharifi"], orgs, common=5)[0] == {}
    # Past its time, counted again.
    later = search._clock() + search.COMMON_KEPT + 1
    monkeypatch.setattr(search, "_clock", lambda: later)
    assert search.postings(["r:sharifi"], orgs, common=1)[0] == {}


def test_a_page_of_results_comes_with_city_household_and_names_in_two_statements(
    registry: dict[str, Person],
    cast: Cast,
    client: Client,
    django_assert_num_queries: Any,
) -> None:
    household = Household.objects.create(organisation=cast.organisation, city=cast.karachi)
    tokhtarov = registry["tokhtarov"]
    tokhtarov.household, tokhtarov.relationship = household, "head"
    tokhtarov.save()
    ranked = rank_people(Person.objects.visible_to(cast.admin), "Tokhtarov")
    with django_assert_num_queries(2):  # the people, then their names
        page = ranked[0:10]
        shown = [
            (
                p,
                p.current_city.name,
                p.household and p.household.code,
                [n.text for n in p.names.all()],
            )
            for p in page
        ]
    him = next(row for row in shown if row[0] == tokhtarov)
    assert him[1:] == ("Karachi", household.code, ["Nurlan Tokhtarov"])
    assert isinstance(him[2], UUID)
    assert all(row[2] is None for row in shown if row[0] != tokhtarov)
    # The rest of a household is read when asked for, never taken as empty.
    assert him[0].household is not None and him[0].household.city == cast.karachi
    client.force_login(cast.coordinator)
    page_html = client.post("/people/", {"q": "Tokhtarov"}).content.decode()
    assert f"/households/{household.code}/" in page_html


def test_of_candidates_scoring_alike_the_one_given_first_ranks_first() -> None:
    """Candidates come sharing most keys first: of two that score the same, the earlier
    ranks first, not the lower id (an id says nothing of a name)."""
    low, high = Facts(2, ["Aigerim Bekova"]), Facts(9, ["Aigerim Bekova"])
    found = score_facts([high, low], "Aigerim Bekova")
    assert [f.facts.pk for f in found] == [9, 2]
    assert found[0].score == found[1].score
    assert [f.facts.pk for f in score_facts([low, high], "Aigerim Bekova")] == [2, 9]
