"""``match_list``: one JSON line per data row, candidates best first, in any script."""

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qandas.people.models import Person
from qandas.test import GIVEN_NAMES, Cast

pytestmark = [pytest.mark.django_db, pytest.mark.engines]

PEOPLE = (
    "external_id,name,birth_year,city\n"
    "T-1,Dauren Sharifi,1990,karachi\n"
    "T-2,Bilal Qadiri,1985,quetta\n"
    ",Nurlan Tokhtarov,1979,karachi\n"
    "T-4,Kamal Hakimi,1992,karachi\n"
    "T-5,Dauren Sharipov,1961,karachi\n"
)
LIST = (
    "name,birth_year,city\n"
    "Даурен Шарифи,1990,karachi\n"  # Russian Cyrillic
    "بلال قادری,,\n"  # Persian/Urdu letters
    "Нұрлан Тоқтаров,,\n"  # Kazakh Cyrillic
    "Xyzzyq Vwvwvw,,\n"  # nobody
)
# LIST's rows as match_list reads them, and one more with a birth year.
LIST_ROWS = [*csv.DictReader(StringIO(LIST)), {"name": "Kamal Hakimi", "birth_year": "1992"}]


def match(cast: Cast, tmp_path: Path, text: str, *args: str) -> list[dict]:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "match_list", str(path), "--org", "test-network", *args, stdout=out, stderr=StringIO()
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def imported(tmp_path: Path, text: str, organisation: str = "test-network") -> None:
    """``text`` (a CSV with its header) imported into ``organisation``."""
    path = tmp_path / f"{organisation}.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import_people", str(path), "--org", organisation, stdout=StringIO())


@pytest.fixture
def people(cast: Cast, tmp_path: Path) -> dict[str, Person]:
    imported(tmp_path, PEOPLE)
    # Another organisation's namesake is never a candidate.
    imported(tmp_path, "name,city\nDauren Sharifi,karachi\n", "other-network")
    found = Person.objects.filter(organisation=cast.organisation).prefetch_related("names")
    return {p.names.all()[0].text: p for p in found}


def test_one_line_per_row_in_order_best_first_across_scripts(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    lines = match(cast, tmp_path, LIST, "--top", "3")
    assert [line["row"] for line in lines] == [1, 2, 3, 4]
    assert all(set(line) == {"row", "line", "candidates"} for line in lines)
    assert [line["line"] for line in lines] == [2, 3, 4, 5]
    for line in lines[:3]:
        candidates = line["candidates"]
        assert 1 <= len(candidates) <= 3
        assert all(set(c) == {"person", "external_id", "score", "name", "why"} for c in candidates)
        scores = [c["score"] for c in candidates]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 1 for s in scores)
    best = [line["candidates"][0] for line in lines[:3]]
    assert [c["person"] for c in best] == [
        str(people["Dauren Sharifi"].code),
        str(people["Bilal Qadiri"].code),
        str(people["Nurlan Tokhtarov"].code),
    ]
    assert [c["external_id"] for c in best] == ["T-1", "T-2", None]
    assert best[0]["name"] == "Dauren Sharifi" and "born 1990" in best[0]["why"]
    codes = {str(p.code) for p in people.values()}
    assert all(c["person"] in codes for line in lines for c in line["candidates"])
    assert lines[3]["candidates"] == [] or lines[3]["candidates"][0]["score"] < 0.6


def test_each_row_says_its_line_in_the_file_for_joining(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    """``row`` counts the rows matched, skipping empty ones, so a reader joining the
    output to the file by position drifted at the first empty row; ``line`` is the line
    the row starts on, as import_people's refusals and the list page say it."""
    text = 'name,birth_year\n\nDauren Sharifi,1990\n,\n"Bilal\nQadiri",\nKamal Hakimi,\n'
    lines = match(cast, tmp_path, text)
    assert [(line["row"], line["line"]) for line in lines] == [(1, 3), (2, 5), (3, 7)]
    assert lines[2]["candidates"][0]["external_id"] == "T-4"


def test_candidates_scoring_under_the_floor_are_not_printed(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    """As on the list page and in the search box: "Kamil Zzz" had Kamal Hakimi at 0.47,
    while the page said nobody matched the same row. A score of the floor itself counts."""
    from qandas.matching import search

    lines = match(cast, tmp_path, "name\nKamil Zzz\nSharif Xq\nDauren Qwerty\n", "--top", "10")
    assert lines[0]["candidates"] == [] and lines[1]["candidates"] == []
    assert {c["name"] for c in lines[2]["candidates"]} == {"Dauren Sharifi", "Dauren Sharipov"}
    assert all(search.reaches(c["score"], search.FLOOR) for c in lines[2]["candidates"])
    visible = Person.objects.filter(organisation=cast.organisation)
    assert not [m for m in search.find(visible, "Kamil Zzz") if search.reaches(m.score, 0.5)]


def test_missing_name_column_and_organisation_are_refused(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    with pytest.raises(CommandError, match="no “name” column"):
        match(cast, tmp_path, "city\nkarachi\n")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("match_list", str(tmp_path / "list.csv"), "--org", "nowhere")
    # A wrong command line, as argparse says it (exit 2 from the shell).
    for top in ("0", "x"):
        with pytest.raises(CommandError, match="argument --top"):
            match(cast, tmp_path, "name\nAibek\n", "--top", top)


def test_a_list_in_an_encoding_that_cannot_be_told_is_read_with_encoding(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    """UTF-16 without a byte-order mark is refused unless named: --encoding names it."""
    path = tmp_path / "list.csv"
    path.write_bytes("name,birth_year\nДаурен Шарифи,1990\n".encode("utf-16-le"))
    with pytest.raises(CommandError, match="looks like UTF-16"):
        call_command("match_list", str(path), "--org", "test-network", stdout=StringIO())
    out = StringIO()
    call_command(
        "match_list",
        str(path),
        "--org",
        "test-network",
        "--encoding",
        "utf_16",
        stdout=out,
        stderr=StringIO(),
    )
    line = json.loads(out.getvalue())
    assert line["candidates"][0]["person"] == str(people["Dauren Sharifi"].code)


def test_among_many_namesakes_the_one_born_that_year_is_a_candidate(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More people share a row's name keys than are scored: those born within a year of
    the row's birth year get two thirds of the places, whatever their ids."""
    from qandas.matching import batch

    monkeypatch.setattr(batch, "PER_ROW", 4)
    namesakes = "".join(f"N-{i},Aigerim Bekova,{1950 + i},karachi\n" for i in range(12))
    imported(tmp_path, "external_id,name,birth_year,city\n" + namesakes)
    # N-11 (born 1961) has the highest id of twelve people sharing every key.
    lines = match(cast, tmp_path, "name,birth_year\nАйгерим Бекова,1961\nAigerim Bekova,\n")
    assert lines[0]["candidates"][0]["external_id"] == "N-11"
    # Without a birth year, the lowest ids are the ones scored.
    assert {c["external_id"] for c in lines[1]["candidates"]} <= {f"N-{i}" for i in range(4)}


def test_places_no_one_born_near_takes_go_to_those_sharing_most_keys(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qandas.matching import batch

    monkeypatch.setattr(batch, "PER_ROW", 6)
    namesakes = "".join(f"N-{i},Aigerim Bekova,{1950 + i},karachi\n" for i in range(9))
    imported(tmp_path, "external_id,name,birth_year,city\n" + namesakes)
    # Of nine sharing every key, only N-8 (1958) is born within a year of 1959: she and
    # the five lowest ids are scored, six in all (two by keys, one born near, three more
    # by keys in the places no one else born near took).
    lines = match(cast, tmp_path, "name,birth_year\nAigerim Bekova,1959\n", "--top", "10")
    found = [c["external_id"] for c in lines[0]["candidates"]]
    assert len(found) == 6
    assert set(found) == {"N-8", *(f"N-{i}" for i in range(5))}


def test_the_one_born_that_year_is_found_behind_hundreds_sharing_more_keys(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list gives a name the registry does not hold for her (or spells it past
    recognition) and a family name 300 people share with the row's given name too. She
    shares fewer keys than all of them, and only she was born that year: blocking on a
    name key and the birth year finds her, as ranking by shared keys alone cannot."""
    from qandas.matching import batch

    monkeypatch.setattr(batch, "PER_ROW", 4)
    years = [year for year in range(1940, 2006) if abs(year - 1975) > 1]
    namesakes = "".join(
        f"N-{i},Aigerim Bekova,{years[i % len(years)]},karachi\n" for i in range(300)
    )
    imported(
        tmp_path,
        "external_id,name,birth_year,city\n" + namesakes + "S-1,Saule Bekova,1975,karachi\n",
    )
    lines = match(cast, tmp_path, "name,birth_year\nАйгерим Бекова,1975\nАйгерим Бекова,\n")
    assert "S-1" in {c["external_id"] for c in lines[0]["candidates"]}
    assert "S-1" not in {c["external_id"] for c in lines[1]["candidates"]}


def test_those_born_near_are_ranked_by_keys_shared_then_the_exact_year_then_higher_id() -> None:
    """``_born_near`` of its arrays: a person of unknown year, one born two years off, one
    already a candidate and one whose id is past the last with a year are never chosen."""
    import numpy as np

    from qandas.matching import search
    from qandas.matching.batch import Matcher

    born = np.zeros(10, np.int16)
    born[[1, 2, 3, 4, 5, 6, 7]] = [1990, 1991, 1989, 1992, 1990, 1989, 0]
    shared = search.Shared.of([(1, 2), (2, 3), (3, 2), (4, 9), (5, 9), (6, 2), (7, 9), (12, 9)])
    # 2: three keys; 1: two and the year exactly; 6 and 3: two, a year off, 6 the higher.
    assert Matcher._born_near(shared, born, 1990, {5}, 20) == [2, 1, 6, 3]
    assert Matcher._born_near(shared, born, 1990, {5}, 2) == [2, 1]
    assert Matcher._born_near(shared, born, 1950, set(), 20) == []


def test_a_row_given_only_a_name_gives_its_last_places_to_the_best_scoring(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S-1 and S-2 share most of the row's keys. Of the others, A-3 shares more keys
    than B-4, and B-4's name scores higher against the row: the last third of the places
    goes to the one whose name scores best."""
    from qandas.matching import batch

    monkeypatch.setattr(batch, "PER_ROW", 3)  # two places by shared keys, one by score
    imported(
        tmp_path,
        "external_id,name,city\n"
        "S-1,Aigerym Bekova,karachi\n"
        "S-2,Aigerym Bekova,karachi\n"
        "A-3,Ayhgerim Bekova,karachi\n"
        "B-4,Ajgerim Bekova,karachi\n",
    )
    lines = match(cast, tmp_path, "name\nАйгерим Бекова\n")
    assert {c["external_id"] for c in lines[0]["candidates"]} == {"S-1", "S-2", "B-4"}


def test_a_row_in_arabic_script_given_only_a_name_also_scores_the_others(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row in Arabic script, given only a name, also has the last third of its places
    chosen by how the other candidates' names score."""
    from qandas.matching import batch

    monkeypatch.setattr(batch, "PER_ROW", 3)
    asked: list[list[int]] = []
    closest_all = batch.Matcher.closest_all

    def spy(self: batch.Matcher, rows: list[Any], limit: int) -> list[list[int]]:
        asked.extend(ids for _tokens, ids in rows)
        return closest_all(self, rows, limit)

    monkeypatch.setattr(batch.Matcher, "closest_all", spy)
    imported(
        tmp_path,
        "external_id,name,city\n"
        + "".join(f"K-{i},Karim Rahimi,karachi\n" for i in range(3))
        + "R-1,Kareem Rahimi,karachi\n",
    )
    lines = match(cast, tmp_path, "name\nکریم رحیمی\n")
    # Two places go by keys shared, the third to the best scoring of the other two.
    assert [len(ids) for ids in asked] == [2]
    assert len(lines[0]["candidates"]) == 3


def test_spelling_is_compared_with_each_of_a_persons_names(cast: Cast, tmp_path: Path) -> None:
    """``Matcher.closest_all`` reads every name of the organisation's people once (their
    romanised ``n:`` keys, on both engines' collations) and ranks a person by the name
    scoring best against the row; another organisation's people are never read."""
    from qandas.matching import batch, keys

    imported(
        tmp_path,
        "external_id,name,other_names,city\n"
        "A-1,Aigerym Bekova,,karachi\n"
        "B-2,Saule Tokhtarova,Айгерим Бекова;Aigerim Bekova,karachi\n",
    )
    imported(tmp_path, "name,city\nAigerim Bekova,karachi\n", "other-network")
    ours = {p.external_id: p.pk for p in Person.objects.filter(organisation=cast.organisation)}
    matcher = batch.Matcher(cast.organisation)
    assert sorted(matcher.romanised()) == sorted(ours.values())
    assert sorted(matcher.romanised()[ours["B-2"]].split("\n")) == [
        "aigerim bekova",
        "saule tokhtarova",
    ]
    row = keys.analyse("Aigerim Bekova")
    assert matcher.closest_all([(row, [ours["A-1"], ours["B-2"]])], 1) == [[ours["B-2"]]]
    assert matcher.closest_all([(row, [ours["A-1"], ours["B-2"]])], 2) == [
        [ours["B-2"], ours["A-1"]]
    ]
    # Chosen by spelling, a person's each name counts, and an id not read (the other
    # organisation's) is passed over.
    unread = Person.objects.exclude(organisation=cast.organisation).get().pk
    assert matcher._spelt_alike(row, [unread, ours["A-1"], ours["B-2"]], 1) == [ours["B-2"]]
    assert matcher._spelt_alike(row, [ours["B-2"], unread, ours["A-1"]], 2) == [
        ours["B-2"],
        ours["A-1"],
    ]


def test_holders_remembered_across_chunks_give_what_each_row_alone_gets(
    cast: Cast, tmp_path: Path, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holders of rare keys are kept from chunk to chunk, up to ``HELD`` ids, and the
    candidates' facts up to ``KNOWN`` people: rows matched two at a time, with the oldest
    dropped as the stores fill, get the candidates each row gets from a matcher of its
    own, and the stores stay in bounds."""
    from qandas.matching import batch, search

    rows = [batch.Hints.from_row(row) for row in LIST_ROWS * 2]
    alone = [batch.Matcher(cast.organisation).match([row])[0] for row in rows]
    monkeypatch.setattr(batch, "CHUNK", 2)
    monkeypatch.setattr(batch, "HELD", 3)
    monkeypatch.setattr(batch, "KNOWN", 4)
    matcher = batch.Matcher(cast.organisation)
    together = list(matcher.match_all(rows))

    def codes(found: list[list[search.Scored]]) -> list[list[tuple[str, float]]]:
        return [[(m.facts.code, m.score) for m in row] for row in found]

    assert codes(together) == codes(alone)
    assert codes(together)[0][0][0] == str(people["Dauren Sharifi"].code)
    assert matcher.held and matcher.held_ids <= 3
    assert matcher.held_ids == sum(len(ids) for ids in matcher.held.values())
    assert 0 < len(matcher.known) <= 4


def test_the_tokens_of_names_chosen_by_score_are_kept_within_bounds(
    cast: Cast, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``closest_all`` keeps the tokens of the names it scored, at most ``KNOWN`` people's,
    and answers the same with them as after they were dropped."""
    from qandas.matching import batch, keys

    monkeypatch.setattr(batch, "KNOWN", 2)
    matcher = batch.Matcher(cast.organisation)
    ids = sorted(p.pk for p in people.values())
    rows = [(keys.analyse("Даурен Шарифи"), ids), (keys.analyse("Kamal Hakimi"), ids[::-1])]
    first = matcher.closest_all(rows, 3)
    assert first[0][0] == people["Dauren Sharifi"].pk
    assert first[1][0] == people["Kamal Hakimi"].pk
    assert 0 < len(matcher.spelt) <= 2
    assert matcher.closest_all(rows, 3) == first


def test_only_those_spelt_most_alike_are_scored_for_the_last_places(
    cast: Cast, people: dict[str, Person]
) -> None:
    """``_spelt_alike``: of many ids, the few whose romanised names are spelt most like
    the row's, in the ids' order; all of them when there are no more than asked."""
    from qandas.matching import batch, keys

    matcher = batch.Matcher(cast.organisation)
    ids = sorted((p.pk for p in people.values()), reverse=True)
    row = keys.analyse("Dauren Sharifi")
    alike = [people["Dauren Sharifi"].pk, people["Dauren Sharipov"].pk]
    assert matcher._spelt_alike(row, ids, 1) == [people["Dauren Sharifi"].pk]
    assert matcher._spelt_alike(row, ids, 2) == sorted(alike, reverse=True)
    assert matcher._spelt_alike(row, ids, 5) == ids


def test_a_rows_document_number_is_compared_with_the_candidates_documents(
    cast: Cast, tmp_path: Path
) -> None:
    """A row's document number agrees or disagrees with each candidate's documents as
    ``search`` compares them (letters and digits, case folded), and finds its holder
    under another name however it is written (``Document.number_key``). A holder whose
    name is nothing like the row's scored under the floor (0.45), and was no candidate;
    a row of a CNIC and "Unknown" then found nobody (found by exploratory testing, 14b).
    The holder now scores ``DOCUMENT_HELD``, under a likely match's 0.8."""
    imported(
        tmp_path,
        "external_id,name,city,document_number\n"
        "D-1,Kamal Hakimi,karachi,AB-123\n"
        "D-2,Kamal Hakimov,karachi,CD-456\n",
    )
    lines = match(
        cast,
        tmp_path,
        "name,document_number\nКамал Хакимов,ab123\nXyzzyq Vwvwvw,ab 123\n",
    )
    first = lines[0]["candidates"]
    assert first[0]["external_id"] == "D-1" and "same document number" in first[0]["why"]
    assert "other document" in next(c["why"] for c in first if c["external_id"] == "D-2")
    from qandas.matching import search

    (held,) = lines[1]["candidates"]
    assert held["external_id"] == "D-1" and held["score"] == search.DOCUMENT_HELD
    assert "same document number" in held["why"]
    # A number and no name at all finds its holder too; nobody else.
    alone = match(cast, tmp_path, "name,document_number\n,AB 123\n,ZZ 999\n")
    assert [c["external_id"] for c in alone[0]["candidates"]] == ["D-1"]
    assert alone[1]["candidates"] == []
    near = match(cast, tmp_path, "name,document_number\nKamil Hakimzai,ab 123\n")
    assert [c["external_id"] for c in near[0]["candidates"]][:1] == ["D-1"]
    assert "same document number" in near[0]["candidates"][0]["why"]


def test_the_cycle_collector_is_paused_while_rows_are_matched_and_resumed_after(
    cast: Cast, people: dict[str, Person]
) -> None:
    """``match_rows`` pauses Python's cycle collector for its rows, and resumes it when
    the rows are done or when its reader stops early; a collector already paused stays
    paused."""
    import gc

    from qandas.matching import batch

    rows = [batch.Hints.from_row(row) for row in LIST_ROWS]
    assert gc.isenabled()
    seen = []
    for found in batch.match_rows(cast.organisation, rows):
        seen.append((gc.isenabled(), bool(found)))
    assert seen == [(False, True), (False, True), (False, True), (False, False), (False, True)]
    assert gc.isenabled()

    reading = batch.match_rows(cast.organisation, rows)
    next(reading)
    assert not gc.isenabled()
    reading.close()
    assert gc.isenabled()

    gc.disable()
    try:
        list(batch.match_rows(cast.organisation, rows))
        assert not gc.isenabled()
    finally:
        gc.enable()


GIVEN = GIVEN_NAMES


@pytest.mark.parametrize("wider", [True, False], ids=["wider", "as wide as one token"])
def test_a_row_of_two_names_chooses_by_spelling_among_many_sharing_one(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wider: bool
) -> None:
    """Thirty-seven people share the family name with the one sought, Csilla, the last
    registered of them (of equals by keys, the first registered come first). The keys
    her given name shares with the row's (Чилла) are held by too many to choose anyone.
    A row of two names chooses the last third of its places by spelling among ``WIDER``
    people sharing most keys, a row of one among ``WIDE``."""
    from qandas.matching import batch

    monkeypatch.setattr(batch, "COMMON", len(GIVEN) + 1)  # as many as hold the family name
    monkeypatch.setattr(batch, "WIDE", 25)
    if not wider:
        monkeypatch.setattr(batch, "WIDER", 25)
    imported(
        tmp_path,
        "external_id,name,city\n"
        + "".join(f"N-{i},{given} Temirbekov,karachi\n" for i, given in enumerate(GIVEN))
        + "C-1,Csilla Temirbekov,karachi\n"
        + "".join(f"O-{i},Csilla {other}ova,karachi\n" for i, other in enumerate(GIVEN[:-2]))
        + "O-X,Csilla Aidarova,karachi\nO-Y,Csilla Bolatova,karachi\nO-Z,Csilla Dosova,karachi\n",
    )
    row = match(cast, tmp_path, "name\nЧилла Темирбеков\n", "--top", "10")[0]
    found = [c["external_id"] for c in row["candidates"]]
    assert ("C-1" in found) is wider
    assert not wider or found[0] == "C-1"


@pytest.mark.parametrize("spelt", [1, 0], ids=["by spelling", "by keys only"])
def test_of_many_born_near_the_one_spelt_most_alike_is_a_candidate(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelt: int
) -> None:
    """Twelve women born the year of the row share its family name's exact spelling and,
    in another name each holds, its given name's: they outrank by keys the one sought,
    whose names are both spelt another way. The last of the places for those born near
    goes to the one spelt most like the row."""
    from qandas.matching import batch

    monkeypatch.setattr(batch, "PER_ROW", 6)  # two by keys, four born near
    monkeypatch.setattr(batch, "NEAR_SPELT", spelt)
    imported(
        tmp_path,
        "external_id,name,other_names,birth_year,city\n"
        + "".join(
            f"N-{i},{given}a Bekova,Aigerim,1975,karachi\n" for i, given in enumerate(GIVEN[:12])
        )
        + "S-1,Aygerym Bekovna,,1975,karachi\n",
    )
    row = match(cast, tmp_path, "name,birth_year\nАйгерим Бекова,1975\n", "--top", "10")[0]
    found = [c["external_id"] for c in row["candidates"]]
    assert len(found) == 6
    assert ("S-1" in found) is bool(spelt)


def test_columns_that_rank_no_candidate_are_named_on_standard_error(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    """import_people's other columns but other_names, and unknown ones, rank nobody: said so."""
    path = tmp_path / "list.csv"
    path.write_text(
        "name,other_names,sex,phone,external_id,birth_year,station\n"
        "Даурен Шарифи,Dauren,m,+92 300 0000000,X-1,1990,North\n",
        encoding="utf-8",
    )
    err = StringIO()
    call_command("match_list", str(path), "--org", "test-network", stdout=StringIO(), stderr=err)
    said = err.getvalue().splitlines()[0]
    assert said == "Columns not used for matching: sex, phone, external_id, station."


def test_a_rows_other_names_find_their_people_too_each_once_at_their_best(
    cast: Cast, tmp_path: Path, people: dict[str, Person]
) -> None:
    """An alias the police wrote down finds its person as the name does; a person both
    find is listed once, with the better score; the row's facts rank both."""
    lines = match(
        cast,
        tmp_path,
        "name,other_names,birth_year\n"
        "Xyzzyq Vwvwvw,Даурен Шарифи; Билал Кадири,1990\n"
        "Dauren Sharifi,Дауренн Шарифи;;Dauren Sharifi,\n"
        "Xyzzyq Vwvwvw,,\n",
        "--top",
        "10",
    )
    assert [line["row"] for line in lines] == [1, 2, 3]
    first = [c["person"] for c in lines[0]["candidates"]]
    assert first[0] == str(people["Dauren Sharifi"].code)  # born 1990, as the row says
    assert str(people["Bilal Qadiri"].code) in first
    second = lines[1]["candidates"]
    codes = [c["person"] for c in second]
    assert len(codes) == len(set(codes))
    assert second[0]["person"] == str(people["Dauren Sharifi"].code)
    assert second[0]["score"] == 1.0  # the name's own, not the misspelt alias's
    # Which other name found a candidate is said; the name's own finds say nothing.
    assert lines[0]["candidates"][0]["by"] == "Даурен Шарифи"
    by = {c["person"]: c.get("by") for c in lines[0]["candidates"]}
    assert by[str(people["Bilal Qadiri"].code)] == "Билал Кадири"
    assert "by" not in second[0]
    assert [c["score"] for c in second] == sorted((c["score"] for c in second), reverse=True)
    assert lines[2]["candidates"] == []
