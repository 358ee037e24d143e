"""The learned rewrites: training, spelling a name the likeliest ways, the shipped model."""

from pathlib import Path

import pytest

from qandas.lib.scripts import ARABIC, CYRILLIC, LATIN
from qandas.matching import rewrites, search
from qandas.matching.duplicates import GUARD_THRESHOLD
from qandas.matching.keys import analyse
from qandas.matching.management.commands.build_variants import wikidata_pairs
from qandas.matching.search import name_match

pytestmark = pytest.mark.once

# Invented spellings: a Cyrillic -li is an English -ley, and kh at the start an h.
PAIRS = [
    ("bakli", "bakley"),
    ("tenli", "tenley"),
    ("morli", "morley"),
    ("khart", "hart"),
    ("khanter", "hanter"),
    ("khorn", "horn"),
    ("ali", "ali"),
    ("soli", "soli"),
]


def test_a_rewrite_is_kept_with_how_often_its_piece_was_rewritten() -> None:
    model = rewrites.train(PAIRS)
    # "li$" ended five sources and became "ley$" in three.
    assert ("ley$", pytest.approx(-0.511, abs=0.001)) in model["li$"]
    # With its letter of context and without: k was dropped in three of its four.
    assert model["^kh"] == [("^h", 0.0)]
    assert ("", pytest.approx(-0.288, abs=0.001)) in model["k"]
    # Made fewer than three times: dropped.
    assert all(into != "^" for into, _share in model.get("^k", ()))


def test_a_name_is_spelt_the_likeliest_ways_up_to_three_rewrites() -> None:
    model = rewrites.train(PAIRS)
    found = rewrites.rewrite(model, "khantli")
    spelt = [s for s, _share in found]
    assert "hantley" in spelt  # two rewrites
    assert spelt.index("hantli") < spelt.index("hantley")  # one is likelier than two
    assert "khantli" not in spelt  # never the spelling itself
    shares = [share for _s, share in found]
    assert shares == sorted(shares, reverse=True)
    assert len(rewrites.rewrite(model, "khantli", limit=2)) == 2


def test_no_spelling_is_shorter_than_three_letters() -> None:
    model = rewrites.train([("aly", "ly")] * 5 + [("aly", "ali")] * 5)
    assert [s for s, _share in rewrites.rewrite(model, "aly")] == ["ali"]
    # علي is Ali, never the surname Ly.
    assert name_match(analyse("علي"), analyse("Ly"))[0] < 0.5
    assert name_match(analyse("علي"), analyse("Ali"))[0] >= 0.95


def test_a_token_only_somewhat_like_a_learned_spelling_is_no_usual_spelling_of_it() -> None:
    """``даурен`` is spelt ``auran`` (its first letter dropped), which is 0.88 like
    ``arman``: no reason to call Arman a usual spelling of Dauren, nor to propose
    ``Arman Kuanyshev`` as ``Даурен Мукашев`` above the duplicate guard's threshold."""
    assert "auran" in rewrites.spellings("dauren", CYRILLIC)
    score, why = name_match(analyse("Даурен Мукашев"), analyse("Arman Kuanyshev"))
    assert score < GUARD_THRESHOLD
    assert all(pair.reason != "usual" for pair in why.pairs)
    # A spelling it is learned to have still is one.
    score, why = name_match(analyse("Уинтерли"), analyse("Winterley"))
    assert score >= 0.95 and why.pairs[0].reason == "usual"


def test_names_sharing_a_stem_are_no_usual_spellings_of_each_other() -> None:
    """Found by exploratory testing (11b): Kanat was "a usual Latin spelling" of Kairat
    (0.91 like its learned spelling ``kaat``), Kenzhebayev of Kenzhegaliyev, Zhandos of
    Zhanar, and a coordinator told so could merge two brothers' records. Still alike in
    spelling, said as such; a spelling learned stays one."""
    for ours, theirs in (
        ("Kanat Omarov", "Kairat Omarov"),
        ("Nurlan Kenzhebayev", "Nurlan Kenzhegaliyev"),
        ("Zhandos Omarov", "Zhanar Omarova"),
        ("Asylkhan Kassymov", "Asylbek Kassymov"),
    ):
        _score, why = name_match(analyse(ours), analyse(theirs))
        assert all(pair.reason != "usual" for pair in why.pairs), (ours, theirs)
    score, why = name_match(analyse("Latifi"), analyse("Lateefi"))
    assert score >= 0.95 and why.pairs[0].reason == "usual"


def test_the_model_is_written_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = {CYRILLIC: rewrites.train(PAIRS), LATIN: {"^w": [("^v", -0.693)]}}
    path = tmp_path / "rewrites.tsv.gz"
    assert rewrites.write(written, path) == sum(
        len(v) for m in written.values() for v in m.values()
    )
    monkeypatch.setattr(rewrites, "PATH", path)
    rewrites.models.cache_clear()
    try:
        assert rewrites.models() == written
    finally:
        rewrites.models.cache_clear()


def test_the_shipped_model_spells_each_script_in_latin_letters() -> None:
    assert set(rewrites.models()) == {CYRILLIC, ARABIC, LATIN}
    # Invented names, not in the dictionary: Уинтерли is uinterli romanised.
    assert "winterley" in rewrites.spellings("uinterli", CYRILLIC)
    assert "vinter" in rewrites.spellings("winter", LATIN)
    assert rewrites.spellings("uinterli", "other") == ()


def test_pairs_are_one_word_spellings_of_one_group_in_a_script_and_in_latin() -> None:
    text = "\n".join(
        [
            "Уинтерли, Winterley, Winterly, Ann Winterley => Q1",
            "شریفی, Sharifi => Q2",
            "Кохан, Kohan => Q3",  # skipped, as held-out groups are
            "Aidos, Aydos => Q4",
            "Айдар => Q5",  # no Latin spelling
        ]
    )
    pairs = wikidata_pairs(text, lambda group, aliases: group == "Q3")
    assert sorted(pairs[CYRILLIC]) == [("uinterli", "winterley"), ("uinterli", "winterly")]
    assert pairs[ARABIC] == [("shryfy", "sharifi")]
    # Latin to Latin: both ways, never a spelling to itself.
    assert sorted(pairs[LATIN]) == [
        ("aidos", "aydos"),
        ("aydos", "aidos"),
        ("winterley", "winterly"),
        ("winterly", "winterley"),
    ]


def test_an_initial_counts_for_the_names_it_begins() -> None:
    """Found by exploratory testing (11b): by spelling alone "k" was like "kanat", but
    "a" like nothing (its consonants none), so "A. Omarov" scored Aigerim and Kanat
    Omarov alike. An initial now scores against the names it begins, vowel or not, and
    stays under the duplicate guard with the family name."""
    aigerim = name_match(analyse("A. Omarov"), analyse("Aigerim Omarova"))
    kanat = name_match(analyse("A. Omarov"), analyse("Kanat Omarov"))
    assert aigerim[0] > kanat[0] + 0.1 and aigerim[0] < GUARD_THRESHOLD
    assert "a ≈ aigerim (its initial)" in aigerim[1].in_words(search.words())
    assert name_match(analyse("K. Omarov"), analyse("Kanat Omarov"))[0] == pytest.approx(
        name_match(analyse("A. Omarov"), analyse("Arman Omarov"))[0]
    )


@pytest.mark.parametrize(
    ("listed", "registered"),
    [
        ("Омаров Е.", "Yerlan Omarov"),  # е is e; the record spells it ye
        ("Омаров К.", "Qanat Omarov"),
        ("Омаров Қ.", "Kanat Omarov"),  # қ is q
        ("J. Omarov", "Жандос Омаров"),  # ж is zh
        ("Омаров Ш.", "Shokan Omarov"),  # one letter, two in Latin
        ("E. Omarov", "Yerlan Omarov"),
    ],
)
def test_an_initial_is_compared_however_its_letter_is_spelt(listed: str, registered: str) -> None:
    """Found reading lists in Cyrillic, which write "Омаров Е.К.": "Омаров Е." scored
    0.63 against "Yerlan Omarov" (е ≠ yerlan), and "ш" 0.84 against "shokan" by their
    shared start, more than an initial says. An initial scores ``INITIAL`` against a name
    it begins, however that letter is spelt."""
    score, why = name_match(analyse(listed), analyse(registered))
    assert score == pytest.approx(name_match(analyse("K. Omarov"), analyse("Kanat Omarov"))[0])
    assert "(its initial)" in why.in_words(search.words())
    other = name_match(analyse(listed), analyse("Aidos Omarov"))[0]
    assert other < score - 0.2


def test_a_second_initial_is_the_fathers_and_counts_for_nothing() -> None:
    """ "Омаров Е.К.": the К. is the father's initial. Left over once Е. is paired with
    the given name, it counted as a token unlike every other (0.40 against "Yerlan
    Omarov"); set aside, it could pair with the given name instead of the Е., and Kanat
    Omarov scored as Yerlan (found by exploratory testing, 14a). Initials after the
    first now count for nothing."""
    yerlan = name_match(analyse("Омаров Е.К."), analyse("Yerlan Omarov"))[0]
    assert yerlan == pytest.approx(name_match(analyse("Омаров Е."), analyse("Yerlan Omarov"))[0])
    assert yerlan > name_match(analyse("Омаров Е.К."), analyse("Kanat Omarov"))[0] + 0.2
    assert yerlan > name_match(analyse("Омаров Е.К."), analyse("Aidos Omarov"))[0] + 0.2
    assert name_match(analyse("A. B. Omarov"), analyse("Bolat Omarov"))[0] < 0.6


def test_an_initial_is_not_found_in_a_record_nor_spelt_as_another_scripts_letter() -> None:
    """Found by exploratory testing (14a): a record's one-letter family name ("O Sejin")
    was an initial of "Omarov", and listed at 0.51 for it; the spellings of a Cyrillic
    letter applied to Latin initials too ("X." was "Khan", "H." "Xenia")."""
    assert name_match(analyse("Omarov"), analyse("O Sejin"))[0] < search.FLOOR
    assert name_match(analyse("Li X."), analyse("Li Khan"))[0] < 0.6
    assert name_match(analyse("H. Omarova"), analyse("Xenia Omarova"))[0] < 0.6
    assert name_match(analyse("Омарова Х."), analyse("Khadisha Omarova"))[0] > 0.75


def test_a_letter_that_is_a_syllable_keeps_its_spelling() -> None:
    """A one-letter token is not always an initial: "O-yeong" is "Oh-yeong" as spelt,
    more than an initial would say (as on tune_names' development slice, unchanged)."""
    assert name_match(analyse("O-yeong Kim"), analyse("Oh-yeong Kim"))[0] > 0.95
    assert name_match(analyse("Sang-u Park"), analyse("Sang-woo Park"))[0] > 0.95
