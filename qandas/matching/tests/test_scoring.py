"""Scoring every pair of tokens at once gives what comparing each pair alone would."""

import pytest
from rapidfuzz import process
from rapidfuzz.distance import Indel, JaroWinkler

from qandas.lib.scripts import ARABIC, LATIN
from qandas.matching import rewrites, search
from qandas.matching.keys import Token, analyse, tokens_of

pytestmark = pytest.mark.once

# Invented names in Latin, Russian and Kazakh Cyrillic, Arabic, Persian and Urdu script,
# with the same token written in several (so some pairs share a romanised form, some a
# dictionary group, and Latin tokens meet other scripts' learned spellings).
NAMES = [
    "Nurbek Tasbolatov",
    "Нурбек Тасболатов",
    "Нұрбек Тасболатұлы",
    "Abdul Rashid Qoshqar",
    "عبدالرشید قوشقار",
    "Abdulrashid Koshkar",
    "Yolanda Zhibek",
    "Йоланда Жибек",
    "محمد علی",
    "Mohammad Ali",
    "Muhammed Aly",
    "Huntley Ermek",
    "Хантли Эрмек",
    "Gulnara Serikqyzy",
    "Chingiz Shyngys",
    "گل‌نارا",
    "Ly",
    "Ken",
    "كين",
]


def one_pair(query: Token, found: Token) -> tuple[float, str]:
    """A token pair's score and reason as ``search.Grid`` documents them, one pair at a
    time with rapidfuzz's functions for one pair (the code ``Grid`` replaced)."""
    if query.rom == found.rom:
        return 1.0, "same" if query.text == found.text else "latin"
    similar = JaroWinkler.normalized_similarity
    ours, theirs = search.shape(query.rom, query.script), search.shape(found.rom, found.script)
    spelling = similar(query.rom, found.rom)
    for mine, yours in zip(ours.respelt, theirs.respelt, strict=True):
        spelling = max(spelling, similar(mine, yours))
    arabic = ARABIC in (query.script, found.script)
    if not arabic:
        spelling = max(spelling, search.SOUNDS_ALIKE * similar(ours.sounds, theirs.sounds))
    weights = search.BLEND_ARABIC if arabic else search.BLEND
    bones = Indel.normalized_similarity(ours.bones, theirs.bones)
    rough = Indel.normalized_similarity(ours.rough, theirs.rough)
    blend = min(0.99, weights[0] * spelling + weights[1] * bones + weights[2] * rough)
    usual = 0.0
    source, other = (query, found) if found.script == LATIN else (found, query)
    if other.script == LATIN and (spelt := rewrites.spellings(source.rom, source.script)):
        best = process.extractOne(
            other.rom, spelt, scorer=similar, score_cutoff=search.WEAK / search.LEARNED
        )
        usual = search.LEARNED * best[1] if best else 0.0
    if query.groups and not query.groups.isdisjoint(found.groups):
        return max(0.95, blend, usual), "variant"
    if usual > blend:
        return usual, "usual"
    if ours.bones == theirs.bones:
        return blend, "consonants"
    return blend, "near_consonants" if ours.rough == theirs.rough else "spelling"


def every_token() -> tuple[Token, ...]:
    return tuple(dict.fromkeys(t for name in NAMES for t in tokens_of(name)))


def test_a_grid_scores_each_pair_as_that_pair_alone() -> None:
    tokens = every_token()
    grid = search.Grid.of(tokens, tokens)
    reasons = set()
    for row, query in enumerate(tokens):
        for column, found in enumerate(tokens):
            score, reason = one_pair(query, found)
            match = grid.match(row, column)
            # rapidfuzz's many-pairs comparison may differ in the last bit.
            assert match.score == pytest.approx(score, abs=1e-12), (query.text, found.text)
            assert match.reason == reason, (query.text, found.text)
            assert (match.query, match.found) == (query.text, found.text)
            reasons.add(reason)
    # Every way of matching was met, so each was compared.
    assert reasons == {
        "same",
        "latin",
        "variant",
        "usual",
        "consonants",
        "near_consonants",
        "spelling",
    }


def test_a_grid_of_a_few_tokens_is_the_part_of_a_larger_one() -> None:
    tokens = every_token()
    whole = search.Grid.of(tokens, tokens)
    rows, columns = [3, 0, 7], [5, 1, 2, 9]
    part = search.Grid.of(tuple(tokens[r] for r in rows), tuple(tokens[c] for c in columns))
    assert part.score.tolist() == whole.score[rows][:, columns].tolist()


@pytest.mark.parametrize("query", ["Нурбек Тасболатов", "عبدالرشید", "Abdul Rashid", "Ken"])
def test_names_scored_together_score_and_match_as_each_alone(query: str) -> None:
    tokens = analyse(query)
    names = [tokens_of(name) for name in NAMES]
    together = search.score_names(tokens, names)
    for at, name in enumerate(names):
        score, why = search.name_match(tokens, name)
        assert together.scores[at] == score, NAMES[at]
        assert together.why(at) == why, NAMES[at]


def test_of_equally_good_tokens_the_first_is_the_match() -> None:
    named = search.score_names(analyse("Ermek"), [tokens_of("Эрмек Ermek")])
    assert named.grid.score.tolist() == [[1.0, 1.0]]
    assert named.columns.tolist() == [[0]]
    assert str(named.why(0)) == "ermek ≈ эрмек (same in Latin letters)"
