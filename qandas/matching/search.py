"""Ranking people by how well they match a name, across scripts and spellings.

Two steps. Candidates: the people (already narrowed by the access gate) whose names
share a key with the query (``keys``: romanised form, consonant skeleton, dictionary
group, joined skeleton, and for typos the skeleton less one letter), most shared keys
first. Scoring: each query token is paired with the candidate's best token, pairs are
scored in 0..1 (same spelling, known variant, a usual Latin spelling of it learned from
pairs, same consonants, or how close the spellings are), and the name score is combined
with the other facts given (birth year, father's name, document number, city). ``why``
says which tokens matched and how.
"""

from __future__ import annotations

import math
import re
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, NamedTuple, cast, overload
from uuid import UUID

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils.translation import get_language, gettext_lazy, override
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, JaroWinkler, Levenshtein

from qandas.accounts.models import City, Organisation
from qandas.documents.models import Document
from qandas.lib.numbers import number_key, row_birth_year
from qandas.lib.scripts import ARABIC, CYRILLIC, LATIN
from qandas.people.models import Household, Name, Person

from . import keys, rewrites
from .models import NameKey

Ids = np.ndarray[Any, np.dtype[np.int64]]  # person ids, as ``postings`` and ``tally`` hold them

# People scored per query, those sharing most keys first. Loading and scoring them is
# most of a search's time; match_list scores at most 30 a row and finds as much.
CANDIDATES = 60
IN_LIMIT = 5000  # values per IN (...) list, well under SQLite's variable limit
# A person's birth year in SQL, as text: SQLite would parse every date in Python (a
# million of them for ``match_list``), and the year leads a date's text on both engines.
BIRTH_YEAR = "SUBSTR(CAST(birth_date AS TEXT), 1, 4)"
COMMON = 2000  # a key held by more people than this picks no candidates by itself
# A query given only a name: the last third of its candidates are those spelt most like
# it among the next ``WIDE`` sharing most keys (``WIDER`` for a name of several tokens),
# as a list's row (``batch``). On the development list's 825 rows given no year (1M
# people), searched one at a time: R@10 0.650 before, 0.825 among 300, 0.881 among 500,
# 0.898 among 1,000. Through the API, 1,000 made a search 8 to 11 ms slower at the 95th
# percentile on SQLite, 500 about 5 (7 on PostgreSQL): reading the names is most of it.
WIDE = 200
WIDER = 500
GATE_WINDOW = 1000  # candidates passed through the access gate at a time (the first
# window is twice the candidates wanted: most searches need no other)
NAME_WEIGHT = 0.6  # of the score, when other facts are given
# A name scoring below this is lifted by a birth year, a father's name or a city that
# agree only in proportion: "Chikuma Rozmarynowicz, 1995" for "Vivcharyk
# Rozmarynowiczówna, 1995" (their names 0.68) scored 0.81 by its year, as a match would.
# The duplicate guard's threshold, so that its candidates score as before. On
# match_list's development list (6,000 rows, 1M people) the rows of people not in the
# registry whose first candidate scored above 0.8 fell from 0.204 to 0.141, R@1 from
# 0.918 to 0.917, R@10 stayed 0.925; searched one at a time with the year, from 0.228 to
# 0.157, R@10 0.996 both.
FACTS_FULL = 0.8
# What a row's city weighs beside a birth year or a father's name (1): a third of the
# registry may live in one city. Given alone, it counted as much as they do (40% of the
# score), and a city other than the record's agreed not at all: an exact full name
# registered in another city scored 0.60, under people of the row's city whose given
# name differed (exploratory testing, round 5). Now a city alone is 20% of the score and
# another city agrees as one the record cannot confirm (``UNKNOWN``): the exact name
# scores 0.90, the same city's namesake sharing only the family name (0.70) 0.735. On
# match_list's development list (6,000 rows, 300,000 people, bench/linkage.py's generator
# on the development groups) with the people in three cities and each row given a city,
# their own for half the rows of registered people and any for the others: R@1 rose from
# 0.963 to 0.986, R@10 0.994 to 0.993, and the rows of nobody registered whose first
# candidate scored above 0.8 fell from 0.084 to 0.076 (with the change to names run
# together, ``score_many``).
CITY = 0.5
# Weights of spelling, skeleton and coarse skeleton in a token's score, chosen on a
# development slice of the Wikidata groups and ar2en-eval, never on the benchmark's split:
# Arabic script writes no short vowels, so its spelling says less than its consonants.
BLEND = (0.9, 0.05, 0.05)
BLEND_ARABIC = (0.45, 0.35, 0.2)
PK_SPAN = 1 << 40  # above any person id: (weight shared, id) sorted as one integer
TOGETHER = 0.9  # of how alike two names run together are, what a name scores so (at most)
UNKNOWN = 0.5  # agreement of a fact given in the query that the record does not hold
# How a query gives a father's name: in a column or after "s/o", or as a patronymic of
# its name (``keys.father_in``).
GIVEN, PATRONYMIC = "given", "patronymic"
# A query's patronymic against a record holding no father's name agrees this much of the
# name's score. A namesake whose father agrees comes first, and nobody drops under a
# threshold for a fact the record never held: at ``UNKNOWN``, "Омаров Ерлан Канатович"
# scored "Yerlan Omarov" 0.79, under the likely match's 0.8; left out of the weighing, a
# father 98% alike (Қанат, Kanat) ranked the son under the record holding no father
# (exploratory testing, 15). Weighing 40%, it costs a name 2% (0.99 scores 0.97); its
# namesake, son of Kanat, scores 0.99.
PATRONYMIC_UNKNOWN = 0.95
NEAR = "near"  # a document number one character off the record's (``Scored.notes``)
# The least a candidate holding the document number given scores, whatever the name:
# shown, under the duplicate guard's and a likely match's 0.8.
DOCUMENT_HELD = 0.7
# A token scoring below this counts less than its score (``counted``). Chosen with the
# factor 3 on match_list's development list (bench/linkage.py's generator on the
# development groups, never the benchmark's): of the rows whose person is not in the
# registry, those whose first candidate scored above 0.8 fell from 0.58 to 0.13, while
# R@1 stayed at 0.89.
WEAK = 0.85
# A Latin token spelt as a learned rewrite of the other token spells it (``rewrites``)
# scores this much of their Jaro-Winkler similarity. Chosen on tune_names' development
# slice, never the benchmark's split: recall@1 / recall@10 of Cyrillic rose from
# 0.745 / 0.905 to 0.807 / 0.940, Arabic script from 0.463 / 0.802 to 0.615 / 0.853, and
# Latin spellings from 0.623 / 0.885 to 0.685 / 0.900 (0.95 and 0.99 did a little worse
# or no better).
LEARNED = 0.98
# A token alike the other without the particle joined to it (``latif`` and ``abdullatif``,
# ``nizam`` and ``nizamuddin``: ``keys.name_part``), more than it is alike the whole,
# scores this much of that: "Latif" alone finds "Abdul Latif Nazari" (0.65, under the
# duplicate guard's 0.8), and "Latif Nazari" scores 0.85 against him. It used to find
# nobody: the two tokens shared no key, and run together they are not alike.
PART = 0.8
# A query token of one letter (an initial: "A. Omarov", as police and embassy lists
# write) scores this much against a token beginning with that letter. By spelling alone
# "k" was like "kanat" (0.72) but "a" like nothing (its consonants none): "A. Omarov"
# scored Aigerim and Kanat Omarov alike (found by exploratory testing, 11b). Under the
# duplicate guard's 0.8 with a family name matched in full (0.78).
INITIAL = 0.75
# The Latin letters a name may begin with where its initial is romanised so: one
# letter of a Cyrillic list is one or two Latin ones, and a Latin record spells it
# its own way. "Омаров Е." scored 0.63 against "Yerlan Omarov" (``е`` is ``e``, and
# ``yerlan`` does not begin so), "Омаров К." 0.69 against "Qanat Omarov", and "J.
# Omarov" 0.5 against "Жандос Омаров" (``zhandos``). Embassy lists write "Omarov E.K.".
# A Latin initial is spelt fewer ways: "X." is not "Khan", nor "H." "Xenia" (found by
# exploratory testing, 14a).
INITIAL_SPELT = {
    CYRILLIC: {
        "e": ("e", "ye", "ie", "je", "yo", "jo"),
        "yo": ("yo", "jo", "io", "e"),
        "yu": ("yu", "iu", "ju", "u"),
        "ya": ("ya", "ia", "ja"),
        "zh": ("zh", "j", "dzh", "dj"),
        "kh": ("kh", "h", "x"),
        "k": ("k", "q"),
        "q": ("q", "k"),
        "g": ("g", "gh"),
        "gh": ("gh", "g"),
        "ts": ("ts", "tz", "c"),
        "ch": ("ch", "tch", "tsch"),
        "sh": ("sh", "sch"),
        "shch": ("shch", "sch", "sh"),
    },
    LATIN: {
        "e": ("e", "ye"),
        "j": ("j", "zh", "dzh", "dj"),
        "k": ("k", "q"),
        "q": ("q", "k"),
        "h": ("h", "kh"),
        "g": ("g", "gh"),
    },
}
# How alike (Jaro-Winkler) to one of its learned spellings a token must be to score so:
# ``даурен`` is spelt ``auran`` by dropping its first letter, and ``arman`` scored 0.86
# by being 0.88 like that, counted as a match, and ``Arman Kuanyshev`` scored 0.82 for
# ``Даурен Мукашев``, above the duplicate guard's threshold. It was WEAK / LEARNED
# (0.867). With 0.9, on match_list's development list (6,000 rows, 1M people), rows of
# nobody registered whose first candidate scored above 0.8 fell from 0.172 to 0.164,
# R@1 / R@10 stayed 0.966 / 0.977; on tune_names' development slice (1,000 queries a
# test) recall@10 stayed 0.879, 0.755 and 0.848. 0.93 and 0.95 cut those rows to 0.161
# but lost recall@10 (0.878 and 0.751 with 0.93).
# Then 0.95: Kazakh names sharing a stem were "a usual Latin spelling" of each other,
# at 0.91 to 0.94 like a learned spelling (Kanat and Kairat, by ``kaat``; Kenzhebayev
# and Kenzhegaliyev; Zhandos and Zhanar), and the duplicate guard asked about brothers
# (found by exploratory testing, 11b). Since, on the development list (6,000 rows, 1M
# people) the rows of nobody registered whose first candidate scored above 0.8 fell from
# 0.090 to 0.078, R@1 / R@10 stayed 0.990 / 0.994; on tune_names' development slice
# (400 queries a test) recall@10 of Cyrillic went from 0.887 to 0.885, Arabic script
# 0.735 to 0.730, Latin stayed 0.855. 0.97: 0.076, but recall@10 0.882, 0.720, 0.855.
# Leaving out the learned spellings three letters or more shorter or longer (a syllable
# dropped: ``abenbekov`` spelt ``abenov``) lost Latin recall@1 (0.545 to 0.522).
LEARNED_FLOOR = 0.95


class TokenMatch(NamedTuple):
    """How one query token matched one token found (a named tuple: ``match_list``
    makes hundreds of thousands, and a frozen dataclass costs several times as much)."""

    query: str
    found: str
    score: float
    reason: str


@dataclass
class Match:
    person: Person
    score: float
    name: str
    why: str
    name_score: float = 0.0  # the name alone, before the facts given weigh in
    notes: tuple[tuple[str, Any], ...] = ()  # how the facts given agreed (``Scored``)


# A token's likeliest learned Latin spellings (``rewrites``) looked up as ``r:`` keys:
# ``жильсон`` romanises as ``zhilson`` and shares few keys with ``Gilson``, one of its
# spellings. On tune_names' development slice (pool shuffled, never the benchmark's
# split), keys weighed by rarity (``key_weight``), recall@10 without and with them:
# Cyrillic 0.897 and 0.913, Arabic script 0.793 and 0.817, Latin 0.850 and 0.853. Ten
# spellings found less (Cyrillic 0.903), all forty no more.
SPELLINGS_LOOKED_UP = 30


def typo_keys(bones: str) -> set[str]:
    """Keys that find a skeleton one letter away (stored ``d:`` keys hold deletions)."""
    if len(bones) < keys.TYPO_MIN:
        return set()
    less_one = keys.deletions(bones)
    return {f"d:{bones}"} | {f"d:{d}" for d in less_one} | {f"c:{d}" for d in less_one}


def query_keys(tokens: tuple[keys.Token, ...]) -> set[str]:
    found: set[str] = set()
    for token in tokens:
        found |= token.keys
        found |= typo_keys(keys.skeleton(token.rom))
    found |= keys.joined_keys(tokens)
    if len(tokens) > 1:
        # A name written apart is looked up as one token too (Eun-hwan: Eunhwan), by its
        # spelling and skeleton: the stored ``j:`` key alone is one hit among many. Its
        # other keys found no more on the development slice, and each costs a lookup.
        joined = "".join(t.rom for t in tokens)
        found.update((f"r:{joined}", f"c:{keys.skeleton(joined)}"))
    for token in tokens:
        found.update(
            f"r:{spelt}"
            for spelt in rewrites.spellings(token.rom, token.script)[:SPELLINGS_LOOKED_UP]
        )
    return {key[:64] for key in found}


# Under this, a query token's best match among a name's tokens, alike in no other way
# (same spelling, variant, usual spelling, consonants), is said to be not alike it, not
# of "similar spelling": "дарига ≈ tokhtarova" (0.68) and "arman ≈ dauren" (0.697)
# claimed a likeness there is not, and so did "кайрат ≈ saparbekov" (0.46) beside a
# name matched in full. Only the words change: scores and ranks do not.
ALIKE = 0.7
# Reasons said with "≠": two names, not one.
UNLIKE = ("unlike", "compound", "sibling", "other_part")

REASONS = {
    "same": gettext_lazy("same spelling"),
    "latin": gettext_lazy("same in Latin letters"),
    "variant": gettext_lazy("known variant"),
    "consonants": gettext_lazy("same consonants"),
    "near_consonants": gettext_lazy("similar consonants"),
    "spelling": gettext_lazy("similar spelling"),
    "unlike": gettext_lazy("not alike"),
    "usual": gettext_lazy("a usual Latin spelling of it"),
    "without_particle": gettext_lazy("without the particle joined to it"),
    "initial": gettext_lazy("its initial"),
    "compound": gettext_lazy("another name built on it"),
    "sibling": gettext_lazy("another name built on the same first part"),
    "other_part": gettext_lazy("another name joined to the same particle"),
    # How a fact given agreed (``Scored.notes``).
    "born": gettext_lazy("born %(year)s"),
    # Of a candidate: born in one year, the query giving another; its father's name
    # this much like the one given ("father 0%" said neither, found by exploratory
    # testing, 13b).
    "born_other": gettext_lazy("born %(year)s (given: %(given)s)"),
    "father": gettext_lazy("father's name %(score).0f%% alike"),
    "patronymic": gettext_lazy("father's name, from the patronymic, %(score).0f%% alike"),
    "no_father": gettext_lazy("no father's name on record"),
    "same_city": gettext_lazy("same city"),
    "other_city": gettext_lazy("other city"),
    "same_document": gettext_lazy("same document number"),
    "other_document": gettext_lazy("other document"),
    "no_document": gettext_lazy("no document on record"),
    "near_document": gettext_lazy("document number one character off"),
    "together": gettext_lazy("%(query)s ≈ %(found)s (written together)"),
}


def words() -> dict[str, str]:
    """``REASONS`` in the active language: ``match_list`` puts ten results a row in
    words, and looking up each phrase again took a tenth of its time."""
    return _words_in(get_language())


def words_translated() -> bool:
    """Whether ``REASONS`` read in the active language other than in English (a
    catalogue translates them): a page shows an untranslated "why" left to right."""
    return words() != _words_in("en")


@lru_cache(maxsize=64)
def _words_in(language: str | None) -> dict[str, str]:
    with override(language):
        return {kind: str(phrase) for kind, phrase in REASONS.items()}


class Shape(NamedTuple):
    """What ``Pairs`` compares of a token, worked out once for each spelling."""

    # Its romanised spelling, as each of ``keys.RESPELLINGS`` writes it, and as it sounds.
    spellings: tuple[str, ...]
    skeletons: tuple[str, str]  # its consonant skeleton and coarse skeleton

    @property
    def respelt(self) -> tuple[str, ...]:
        return self.spellings[1:-1]

    @property
    def sounds(self) -> str:
        return self.spellings[-1]

    @property
    def bones(self) -> str:
        return self.skeletons[0]

    @property
    def rough(self) -> str:
        return self.skeletons[1]


@lru_cache(maxsize=200_000)
def shape(rom: str, script: str) -> Shape:
    bones = keys.skeleton(rom)
    respelt = (respell(rom, script) for respell in keys.RESPELLINGS)
    return Shape((rom, *respelt, keys.sounds(rom)), (bones, keys.coarse(bones)))


@dataclass(frozen=True)
class Why:
    """Which tokens matched and how; put in words only when shown (``str``)."""

    pairs: tuple[TokenMatch, ...] = ()
    together: tuple[str, str] | None = None

    def __str__(self) -> str:
        return self.in_words(words())

    def in_words(self, said: dict[str, str]) -> str:
        """In the words of ``said`` (``words()``, looked up once for many)."""
        if self.together:
            return said["together"] % {"query": self.together[0], "found": self.together[1]}
        clauses = (
            f"{p.query} {'≠' if p.reason in UNLIKE else '≈'} {p.found} ({said[p.reason]})"
            for p in self.pairs
        )
        return "; ".join(dict.fromkeys(clauses))  # a word written twice is said once


Scores = np.ndarray[Any, np.dtype[np.float64]]  # a score in 0..1 for each pair of tokens


def similar(
    scorer: Any, queries: Sequence[str], choices: Sequence[str], cutoff: float | None = None
) -> Scores:
    """``scorer`` of every query against every choice, compared in C (rapidfuzz's
    ``cdist``), in double precision. Its last bit may differ from the same pair's
    compared alone (0.45 for 0.44999999999999996)."""
    return process.cdist(queries, choices, scorer=scorer, dtype=np.float64, score_cutoff=cutoff)


Index = np.ndarray[Any, np.dtype[np.intp]]  # positions in another array


def _forms(shapes: list[Shape], kind: int, at: Index) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Each of ``shapes``' spellings of ``kind`` (a skeleton when ``kind`` is negative:
    -1 the bones, -2 the rough ones), picked by ``at``."""
    if kind >= 0:
        forms = [s.spellings[kind] for s in shapes]
    else:
        forms = [s.skeletons[-1 - kind] for s in shapes]
    return np.array(forms, dtype=object)[at]


def _paired(scorer: Any, ours: Any, theirs: Any, cutoff: float | None = None) -> Scores:
    """``scorer`` of each string of ``ours`` with the one at the same place of ``theirs``,
    compared in C (rapidfuzz's ``cpdist``), in double precision."""
    if not len(ours):
        return np.zeros(0)
    return process.cpdist(ours, theirs, scorer=scorer, dtype=np.float64, score_cutoff=cutoff)


@dataclass(frozen=True, eq=False)
class Pairs:
    """How alike each of many (query token, token found) pairs is, in 0..1, and why.

    A blend of three similarities: of the romanised spellings (Jaro-Winkler, also as
    each token's script would respell the other's, and as the two sound), of the
    consonant skeletons and of the coarse skeletons (Indel); a Latin spelling that the
    learned rewrites give scores as such (``usual``) and a known variant of the
    dictionary at least 0.95. The pairs are compared all at once, each kind of
    similarity in one call to rapidfuzz: ``match_list`` scores a chunk of 2,000 rows'
    tokens against their candidates' together, and a row at a time (a few dozen pairs)
    most of the time went in calling numpy and rapidfuzz, not in comparing."""

    queries: tuple[keys.Token, ...]
    found: tuple[keys.Token, ...]
    ours: Index  # each pair's query token (in ``queries``)
    theirs: Index  # and its token found (in ``found``)
    score: Scores
    blend: Scores  # the score of the three similarities alone
    learned: Scores  # ``usual``
    variant: np.ndarray[Any, np.dtype[np.bool_]]
    part: Scores  # ``without_particle``
    initial: np.ndarray[Any, np.dtype[np.bool_]]  # ``_initials``
    compound: np.ndarray[Any, np.dtype[np.bool_]]  # ``compounds``
    sibling: np.ndarray[Any, np.dtype[np.bool_]]  # ``siblings``
    other_part: np.ndarray[Any, np.dtype[np.bool_]]  # ``both_parts``, under ``WEAK``

    @classmethod
    def every(cls, query: tuple[keys.Token, ...], found: tuple[keys.Token, ...]) -> Pairs:
        """Every query token with every token found: the pair of ``query[r]`` and
        ``found[c]`` is at ``r * len(found) + c``."""
        rows = np.repeat(np.arange(len(query)), len(found))
        return cls.of(query, found, rows, np.tile(np.arange(len(found)), len(query)))

    @classmethod
    def of(
        cls,
        queries: tuple[keys.Token, ...],
        found: tuple[keys.Token, ...],
        ours: Index,
        theirs: Index,
        *,
        parts: bool = True,
    ) -> Pairs:
        """The pairs of ``queries[ours[i]]`` and ``found[theirs[i]]``; ``parts``: also
        as a name without the particle joined to it (``without_particle``)."""
        mine = [shape(t.rom, t.script) for t in queries]
        yours = [shape(t.rom, t.script) for t in found]
        similar = JaroWinkler.normalized_similarity
        # The spellings (as written, as each orthography would respell them: Jolanda,
        # Йоланда: yolanda; and as they sound), then the skeletons, each kind of one
        # token against the same kind of the other.
        kinds = len(mine[0].spellings) if mine else 0
        spelling = np.zeros(len(ours))
        for kind in range(kinds - 1):
            alike = _paired(similar, _forms(mine, kind, ours), _forms(yours, kind, theirs))
            spelling = alike if kind == 0 else np.maximum(spelling, alike)
        arabic = (
            np.array([t.script == ARABIC for t in queries], bool)[ours]
            | np.array([t.script == ARABIC for t in found], bool)[theirs]
        )
        if kinds:
            sounds = _paired(
                similar, _forms(mine, kinds - 1, ours), _forms(yours, kinds - 1, theirs)
            )
            spelling = np.where(arabic, spelling, np.maximum(spelling, SOUNDS_ALIKE * sounds))
        indel = Indel.normalized_similarity
        bones = _paired(indel, _forms(mine, -1, ours), _forms(yours, -1, theirs))
        rough = _paired(indel, _forms(mine, -2, ours), _forms(yours, -2, theirs))
        blend = np.where(
            arabic,
            BLEND_ARABIC[0] * spelling + BLEND_ARABIC[1] * bones + BLEND_ARABIC[2] * rough,
            BLEND[0] * spelling + BLEND[1] * bones + BLEND[2] * rough,
        )
        blend = np.minimum(0.99, blend)
        learned = usual(queries, found, ours, theirs)
        grouped = np.array([bool(t.groups) for t in queries], bool)[ours]
        variant = np.zeros(len(ours), bool)
        if grouped.any():
            at = np.flatnonzero(grouped)
            variant[at] = [
                not queries[q].groups.isdisjoint(found[f].groups)
                for q, f in zip(ours[at].tolist(), theirs[at].tolist(), strict=True)
            ]
        score = np.maximum(blend, learned)
        score = np.where(variant, np.maximum(score, 0.95), score)
        # As a name without its particle, when that is what it is alike (``nizam`` and
        # ``nizam`` of ``nizamuddin``, more than ``nizam`` and ``nizamuddin``): then it
        # scores that, ``PART`` of it, even under the whole tokens' likeness. "Nizam"
        # alone scored 0.82 for "Nizamuddin Karimi" by their shared start, and the
        # duplicate guard asked.
        alike = without_particle(queries, found, ours, theirs) if parts else np.zeros(len(ours))
        instead = (alike > score) & ~variant
        part = np.where(instead, PART * alike, 0.0)
        score = np.where(instead, part, score)
        # Both joined to the same kind of particle, two tokens are as alike as the names
        # they hold without it: "Abdulrahim" was 0.94 like "Abdulkarim", a brother, by
        # their shared "Abdul" (exploratory testing, 16).
        held = both_parts(queries, found, ours, theirs) if parts else np.ones(len(ours))
        lower = (held < score) & ~variant
        score = np.where(lower, held, score)
        other_part = lower & (held < WEAK)
        # Another name built on it ("Kanatbek" on "Kanat", "Yerbolat" on "Bolat") is
        # another name, not a spelling of it (``compounds``).
        compound = compounds(queries, found, ours, theirs) & ~variant & (score > COMPOUND)
        # So is another name built on the same first part (Nurlan, Nurbol).
        sibling = siblings(queries, found, ours, theirs) & ~variant
        # A usual spelling (Erica, Erika: 0.98) is one name whatever its first part.
        sibling &= (score > COMPOUND) & (score < USUAL)
        score = np.where(compound | sibling, COMPOUND, score)
        same = (
            np.array([t.rom for t in queries], dtype=object)[ours]
            == np.array([t.rom for t in found], dtype=object)[theirs]
        )
        score = np.where(same, 1.0, score)
        # An initial says its letter and no more: it scores ``INITIAL`` against a name
        # it begins ("ш" was 0.84 like "shokan" by their shared start, "ц" 0.94 like
        # "tsoi" by its consonants). A letter may be a syllable, though ("Sang-u",
        # "O-yeong"): against a token a letter longer ("oh"), and against a name it does
        # not begin, as spelt.
        initial = _initials(queries, found, ours, theirs) & ~same
        if initial.any():
            longer = np.abs(
                np.array([len(t.rom) for t in queries])[ours]
                - np.array([len(t.rom) for t in found])[theirs]
            )
            score = np.where(
                initial, np.where(longer > 1, INITIAL, np.maximum(score, INITIAL)), score
            )
        return cls(
            queries,
            found,
            ours,
            theirs,
            score,
            blend,
            learned,
            variant,
            part,
            initial,
            compound,
            sibling,
            other_part,
        )

    def match(self, at: int) -> TokenMatch:
        """The pair at ``at``, with why it matched."""
        query, found = self.queries[self.ours[at]], self.found[self.theirs[at]]
        if query.rom == found.rom:
            reason = "same" if query.text == found.text else "latin"
        elif self.variant[at]:
            reason = "variant"
        elif self.compound[at]:
            reason = "compound"
        elif self.sibling[at]:
            reason = "sibling"
        elif self.other_part[at]:
            reason = "other_part"
        elif self.initial[at] and self.score[at] == INITIAL:
            reason = "initial"
        elif self.part[at] == self.score[at]:  # as a name without its particle
            reason = "without_particle" if self.score[at] >= ALIKE else "unlike"
        elif self.learned[at] > self.blend[at]:
            reason = "usual"
        else:
            ours, theirs = shape(query.rom, query.script), shape(found.rom, found.script)
            if ours.bones == theirs.bones:
                reason = "consonants"
            elif ours.rough == theirs.rough:
                reason = "near_consonants"
            elif self.score[at] < ALIKE:
                reason = "unlike"  # the best of the name's tokens, and still not like it
            else:
                reason = "spelling"
        return TokenMatch(query.text, found.text, float(self.score[at]), reason)


def _initials(
    queries: tuple[keys.Token, ...], found: tuple[keys.Token, ...], ours: Index, theirs: Index
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which pairs are a query's initial and a token beginning with its letter, however
    it is spelt (``INITIAL_SPELT``). Not a record's one-letter token: it may be a whole
    name ("O Sejin" scored 0.51 for "Omarov", found by exploratory testing, 14a)."""
    single = np.array([initial(t) for t in queries], bool)[ours]
    if single.any():
        at = np.flatnonzero(single)
        single[at] = [
            _begins(found[f], queries[q])
            for q, f in zip(ours[at].tolist(), theirs[at].tolist(), strict=True)
        ]
    return single


def initial(token: keys.Token) -> bool:
    """Whether a token is an initial: one letter ("Ж", which is ``zh``; not "王", which
    is a name)."""
    return len(token.rom) == 1 or (len(token.text) == 1 and token.script in (CYRILLIC, LATIN))


def _begins(name: keys.Token, letter: keys.Token) -> bool:
    spelt = INITIAL_SPELT.get(letter.script, {}).get(letter.rom, (letter.rom,))
    return name.rom.startswith(spelt)


def first_initial_only(query: tuple[keys.Token, ...]) -> tuple[keys.Token, ...]:
    """A query without its initials after the first: "Омаров Е.К." is Omarov, Е. (the
    given name), К. (the father's). Left over, the К. counted against every Omarov;
    counted, it stood in for the given name, and Kanat scored as Yerlan Omarov (found by
    exploratory testing, 14a). Nor the initials ending a query after two whole words or
    more, a patronymic's or a middle name's: "Омаров Ерлан К." scored 0.69 where
    "Омаров Е. К." scored 0.85 (15). A letter among whole words may be a syllable
    ("O-yeong Kim", "Sang-u Lee")."""
    marked = [initial(token) for token in query]
    end = len(marked)
    while end and marked[end - 1]:
        end -= 1
    if end < len(marked) and end - sum(marked[:end]) >= 2:
        query, marked = query[:end], marked[:end]
    if sum(marked) < 2:
        return query
    seen = False
    kept = []
    for token in query:
        if initial(token):
            if seen:
                continue
            seen = True
        kept.append(token)
    return tuple(kept)


def without_particle(
    queries: tuple[keys.Token, ...], found: tuple[keys.Token, ...], ours: Index, theirs: Index
) -> Scores:
    """For each pair of which one token is a name joined to a particle and the other not
    (``abdullatif``, ``latif``), the pair's score with the name without the particle in
    its place (``keys.name_part``); 0 for the others."""
    part = np.zeros(len(ours))
    mine = [keys.name_part(t.rom) for t in queries]
    yours = [keys.name_part(t.rom) for t in found]
    if not any(mine) and not any(yours):
        return part
    at = [
        i
        for i, (q, f) in enumerate(zip(ours.tolist(), theirs.tolist(), strict=True))
        if (mine[q] is None) != (yours[f] is None)
    ]
    if at:
        part[at] = _parts_scored(queries, found, mine, yours, ours[at], theirs[at])
    return part


def _parts_scored(
    queries: tuple[keys.Token, ...],
    found: tuple[keys.Token, ...],
    mine: list[str | None],
    yours: list[str | None],
    ours: Index,
    theirs: Index,
) -> Scores:
    """The score of each pair with each token's name without its particle (``mine``,
    ``yours``: a token's, or ``None``) in its place."""
    shorter = tuple(_part(queries[q], mine[q]) for q in ours.tolist())
    others = tuple(_part(found[f], yours[f]) for f in theirs.tolist())
    places = np.arange(len(ours))
    return Pairs.of(shorter, others, places, places, parts=False).score


# Kazakh and other Turkic given names are built on others: Kanat, Kanatbek; Bolat,
# Yerbolat; Nurlan, Nurlanbek; family names on them (Omarov, Omarbekov). Such a pair is
# two names, and scored as spellings of one (0.87 to 0.94 by their shared letters) a
# brother, or a father of another name, passed for the same (exploratory testing, 14b
# and 15: "Aruzhan Tokhtarova", father Kanatbek, and the same name, father Kanat, came
# first in the duplicate queue at 0.996). It scores ``COMPOUND`` at most, counted as
# 0.4 (``counted``): "Kanat Omarov" scores 0.7 against "Kanatbek Omarov", and a father
# Kanatbek is another father than Kanat (``duplicates.FATHERS_DIFFER``).
COMPOUND = 0.7
USUAL = 0.95  # a pair this alike is spellings of one name, not two on one first part
# Not "-zhan" nor "-jan": in Afghan, Pakistani and Uzbek names often the same person's
# name said fondly (Ahmadjan, Ahmad; exploratory testing, 16).
BUILT_AFTER = ("bek", "bai", "bay", "gul", "bol", "sultan")
BUILT_BEFORE = ("yer", "er", "nur", "zhan", "kara", "ak")
FAMILY_ENDS = ("ova", "eva", "ov", "ev")
# Of those, the first parts that two names built on them share (``siblings``): "Er-"
# too, as Kazakh Cyrillic writes "Yer-" (Ерлан, Ерболат: erlan, erbolat). Not "Ak-",
# "Kara-": on the linkage benchmark's list they took Akadzeu and Akajoh, Karabcová and
# Karabec for two names.
FIRST_PARTS = ("zhan", "yer", "nur", "er")


def compounds(
    queries: tuple[keys.Token, ...], found: tuple[keys.Token, ...], ours: Index, theirs: Index
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Whether each pair's one token is the other's name with more built on it
    (``BUILT_AFTER``, ``BUILT_BEFORE``): the longer without it is the shorter, or a
    spelling of it (``WEAK`` alike: Qanatbek, Kanat); family names without their ending
    (Omarov, Omarbekov). Not in Arabic script, which writes neither the vowels nor
    always the joins."""
    mine = [_built_on(t) for t in queries]
    yours = [_built_on(t) for t in found]
    # Most names are built on nothing: then no pair is compared (a base alone is
    # never the longer of a pair).
    if not any(m and m[1] for m in mine) and not any(y and y[1] for y in yours):
        return np.zeros(len(ours), bool)
    return np.array(
        [
            _is_built_on(mine[q], yours[f]) or _is_built_on(yours[f], mine[q])
            for q, f in zip(ours.tolist(), theirs.tolist(), strict=True)
        ],
        bool,
    )


def _built_on(token: keys.Token) -> tuple[str, tuple[str, ...]] | None:
    """A token's name without a family name's ending, and what it would be built on
    (the name without each ``BUILT_AFTER``/``BUILT_BEFORE`` it has); ``None`` in
    Arabic script."""
    if token.script == ARABIC:
        return None
    base = token.rom
    for end in FAMILY_ENDS:
        if base.endswith(end) and len(base) - len(end) >= 3:
            base = base[: -len(end)]
            break
    after = tuple(base[: -len(e)] for e in BUILT_AFTER if base.endswith(e))
    before = tuple(base[len(e) :] for e in BUILT_BEFORE if base.startswith(e))
    # Built after three letters (Ali, Alibek); before, on four ("Nur" and "lan" are not
    # Nurlan's names). Not "Ai-": Aikaterini is Katerina.
    return base, tuple(u for u in after if len(u) >= 3) + tuple(u for u in before if len(u) >= 4)


def _is_built_on(
    longer: tuple[str, tuple[str, ...]] | None, shorter: tuple[str, tuple[str, ...]] | None
) -> bool:
    if longer is None or shorter is None or not longer[1]:
        return False
    base = shorter[0]
    # As many letters more as it has built on, as long as the name without them:
    # "Ashimbayeva" is no name built on "Asimbaeva", nor "Srdzhan" on "Srdan"; "Erbolat"
    # is on "Bolat" (exploratory testing, 16: two letters more were never enough).
    more = len(longer[0]) - len(base)
    return any(
        more >= len(longer[0]) - len(u)
        and (
            u == base
            or (abs(len(u) - len(base)) <= 1 and JaroWinkler.normalized_similarity(u, base) >= WEAK)
        )
        for u in longer[1]
    )


def siblings(
    queries: tuple[keys.Token, ...], found: tuple[keys.Token, ...], ours: Index, theirs: Index
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Whether each pair is two names built on the same first part (``FIRST_PARTS``),
    with what follows it three letters at least and unlike (under ``WEAK``, and other
    consonants): "Nurbol" was 0.81 like "Nurlan" by their shared start, and a brother
    of the same father passed for him at 0.85 to 0.94 (exploratory testing, 14b; 16
    found "Nurzhan" and "Yerzhan", their endings 0.72 alike). Not in Arabic script."""
    mine = [_after_first_part(t) for t in queries]
    yours = [_after_first_part(t) for t in found]
    if not any(mine) or not any(yours):
        return np.zeros(len(ours), bool)
    alike = JaroWinkler.normalized_similarity
    return np.array(
        [
            bool(
                a
                and b
                and a[0] == b[0]
                and alike(a[1], b[1]) < WEAK
                and keys.skeleton(a[1]) != keys.skeleton(b[1])
            )
            for q, f in zip(ours.tolist(), theirs.tolist(), strict=True)
            for a, b in ((mine[q], yours[f]),)
        ],
        bool,
    )


def _after_first_part(token: keys.Token) -> tuple[str, str] | None:
    """A token's first part (``FIRST_PARTS``) and the rest, three letters at least;
    ``None`` without one, or in Arabic script."""
    if token.script == ARABIC:
        return None
    rom = token.rom
    for part in FIRST_PARTS:
        if rom.startswith(part) and len(rom) - len(part) >= 3:
            return part, rom[len(part) :]
    return None


def both_parts(
    queries: tuple[keys.Token, ...], found: tuple[keys.Token, ...], ours: Index, theirs: Index
) -> Scores:
    """For each pair of tokens both joined to a particle of the same kind (``Abdul-``
    before, ``-uddin``/``-ullah`` after: ``keys.name_part``), the score of the names
    without it; 1 for the others."""
    held = np.ones(len(ours))
    mine = [_held_part(t.rom) for t in queries]
    yours = [_held_part(t.rom) for t in found]
    if not any(mine) or not any(yours):
        return held
    at = [
        i
        for i, (q, f) in enumerate(zip(ours.tolist(), theirs.tolist(), strict=True))
        if mine[q]
        and yours[f]
        and queries[q].rom.startswith("ab") == found[f].rom.startswith("ab")
        and queries[q].rom != found[f].rom
    ]
    if at:
        held[at] = _parts_scored(queries, found, mine, yours, ours[at], theirs[at])
    return held


# "Abd" and its article however written (Abdul, Abdel, Abdal, Abdu, Abdur-Rahman, Abder-
# Rahmane, Abdus-Samad: the article's l taken by the name's first letter, doubled).
ABD = re.compile(r"^abd[aeiou]?(?:l|(?=([tdrzsn])\1))?")


def _held_part(rom: str) -> str | None:
    """The name a token joined to a particle holds (``keys.name_part``), "Abd" and its
    article taken off however written: ``name_part`` read "Abderrahmane" as "errahmane",
    another name than "Rahman" (the linkage benchmark's list, against ``both_parts``)."""
    if rom.startswith("abd"):
        rest = ABD.sub("", rom)
        rest = rest[1:] if len(rest) > 1 and rest[0] == rest[1] else rest
        return rest if len(rest) >= keys.NAME_PART_MIN else None
    return keys.name_part(rom)


def _part(token: keys.Token, part: str | None) -> keys.Token:
    """``token``, or the name without its particle (``part``) in its place."""
    if part is None:
        return token
    return keys.Token(token.text, part, frozenset(), token.script, keys.variant_groups(part))


def usual(
    queries: tuple[keys.Token, ...], found: tuple[keys.Token, ...], ours: Index, theirs: Index
) -> Scores:
    """How alike each pair's Latin token is to the likeliest Latin spellings of the other
    (``rewrites.spellings``), times ``LEARNED``: ``хантли`` (``khantli``) is spelt
    ``huntley`` as often as not. The query token's spellings when the token found is in
    Latin letters, else the found token's when the query's is; 0 below ``WEAK`` (where "a
    usual spelling" would not be the word). Each token's spellings are compared with all
    the tokens it is paired with in one call."""
    learned = np.zeros(len(ours))
    latin = np.array([t.script == LATIN for t in found], bool)[theirs]
    # The query token's spellings against the Latin tokens found ...
    _learned(learned, queries, ours, theirs, latin, [t.rom for t in found])
    # ... and a Latin query token against the spellings of the others.
    asking = np.array([t.script == LATIN for t in queries], bool)[ours] & ~latin
    _learned(learned, found, theirs, ours, asking, [t.rom for t in queries])
    return learned


def _learned(
    learned: Scores,
    spelt: tuple[keys.Token, ...],
    mine: Index,
    yours: Index,
    wanted: np.ndarray[Any, np.dtype[np.bool_]],
    romanised: list[str],
) -> None:
    """Of the pairs ``wanted``, ``LEARNED`` times the best likeness (Jaro-Winkler) of the
    token of ``spelt`` at ``mine`` to its spellings, the other's romanised spelling
    (``romanised`` at ``yours``) first; each token's pairs at once."""
    if not wanted.any():
        return
    at = np.flatnonzero(wanted)
    order = at[np.argsort(mine[at], kind="stable")]
    owners = mine[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True):
        token = spelt[owners[start]]
        spellings = rewrites.spellings(token.rom, token.script)
        if not spellings:
            continue
        pairs = order[start:end]
        others = [romanised[other] for other in yours[pairs].tolist()]
        alike = similar(JaroWinkler.normalized_similarity, others, spellings, LEARNED_FLOOR)
        learned[pairs] = LEARNED * alike.max(axis=1)


def counted(score: Scores) -> Scores:
    """A token's score as a name's score counts it: below ``WEAK`` its shortfall counts
    three times (0.8 counts 0.7, 0.7 counts 0.4, 0.57 nothing). Spellings of one name
    score above it; two different names often score 0.5 to 0.7, and a namesake who
    shares only the family name and the birth year must not look like a match."""
    return np.where(score >= WEAK, score, np.maximum(0.0, 3 * score - 2 * WEAK))


def run_together(tokens: tuple[keys.Token, ...]) -> str:
    """The skeleton of a name's tokens written together (``keys.skeleton`` keeps the
    skeletons of the spellings it has seen: looked up by the spelling, not by the
    tokens, whose hash is worked out anew each time)."""
    return keys.skeleton("".join([t.rom for t in tokens]))


@dataclass(frozen=True, eq=False)
class Named:
    """Many names scored against one query (``score_names``)."""

    query: tuple[keys.Token, ...]
    names: Sequence[tuple[keys.Token, ...]]
    pairs: Pairs
    scores: Scores
    columns: Index  # query token × name: the pair of its best token
    together: np.ndarray[Any, np.dtype[np.bool_]]  # a name that scored as run together
    # Query token × name: left over and counted for nothing (a repeat, a patronymic).
    aside: np.ndarray[Any, np.dtype[np.bool_]]
    # A name one of whose tokens is another name built on the query's (``compounds``,
    # ``siblings``).
    built: np.ndarray[Any, np.dtype[np.bool_]]

    def in_arabic_script(self, at: int) -> bool:
        """Whether the name at ``at`` is written in Arabic script only."""
        return all(token.script == ARABIC for token in self.names[at])

    def why(self, at: int) -> Why:
        """Which tokens of the name at ``at`` matched and how (the first of equals)."""
        if self.together[at]:
            return Why(together=(_text(self.query), _text(self.names[at])))
        return Why(
            tuple(
                self.pairs.match(int(self.columns[row, at]))
                for row in range(len(self.query))
                if not self.aside[row, at]
            )
        )


def _text(tokens: tuple[keys.Token, ...]) -> str:
    return " ".join(t.text for t in tokens)


Task = tuple[tuple[keys.Token, ...], Sequence[tuple[keys.Token, ...]]]  # a query, names


def score_many(tasks: Sequence[Task], fathers: Collection[int] = ()) -> list[Named]:
    """Each task's names (some, none without tokens) scored against its query (some
    tokens): each query token counts its best match among the name's tokens
    (``counted``), less when the two have different numbers of tokens, or the two run
    together count if they score more so (names split or joined differently). Every
    task's pairs of tokens are compared at once (``Pairs``), each distinct pair once.
    The tasks at ``fathers`` compare fathers' names: a query token left over there
    counts for nothing (``_repeated``). A query's initials after the first count for
    nothing either (``first_initial_only``)."""
    tasks = [(first_initial_only(query), names) for query, names in tasks]
    queries: dict[keys.Token, int] = {}
    found: dict[keys.Token, int] = {}
    ours: list[int] = []
    theirs: list[int] = []
    bases: list[int] = []  # where each task's pairs begin: query token-major
    widths: list[int] = []  # how many distinct tokens each task's names have
    columns: list[list[int]] = []  # each name's tokens among its task's distinct ones
    widest = 1
    for query, names in tasks:
        local: dict[keys.Token, int] = {}
        for name in names:
            columns.append([local.setdefault(token, len(local)) for token in name])
            widest = max(widest, len(name))
        distinct = [found.setdefault(token, len(found)) for token in local]
        bases.append(len(ours))
        widths.append(len(distinct))
        for token in query:
            ours.extend([queries.setdefault(token, len(queries))] * len(distinct))
            theirs.extend(distinct)
    # Each distinct pair compared once: a chunk's rows share many. A pair is numbered
    # query token × ``span`` + token found.
    span = max(len(found), 1)
    code = np.array(ours, np.int64) * span + np.array(theirs, np.int64)
    unique, inverse = np.unique(code, return_inverse=True)
    pairs = Pairs.of(tuple(queries), tuple(found), unique // span, unique % span)
    place = np.append(inverse.reshape(-1), len(unique))  # past the pairs: scoring -1
    score = np.append(pairs.score, -1.0)
    task = np.repeat(np.arange(len(tasks)), [len(names) for _query, names in tasks])
    asked = np.array([len(query) for query, _names in tasks], np.intp)[task]
    sizes = np.array([len(c) for c in columns], np.intp)
    at = _padded(columns, sizes, widest)
    start = np.array(bases, np.intp)[task][:, None]
    width = np.array(widths, np.intp)[task][:, None]
    everyone = np.arange(len(at))
    best = np.zeros((int(asked.max(initial=0)), len(at)))
    chosen = np.zeros(best.shape, np.intp)
    # The position of each name's each token's pair with each query token, or past the
    # end where the name has no token there or the query no token ``row``.
    wheres = [
        np.where((at >= 0) & (row < asked)[:, None], start + row * width + at, len(ours))
        for row in range(len(best))
    ]
    pers = [score[place[where]] for where in wheres]
    if len(best) > 1:
        columns_of, taken = one_to_one(pers, np.minimum(asked, sizes))
    else:
        columns_of, taken = None, np.ones(best.shape, bool)
    again, aside = _repeated(tasks, len(best), fathers)
    again, aside = again[:, task], aside[:, task]  # query token, name
    counting = asked.astype(np.float64)  # the query tokens each name's score averages
    left_aside = np.zeros(best.shape, bool)
    for row, (where, per) in enumerate(zip(wheres, pers, strict=True)):
        first = per.argmax(axis=1) if columns_of is None else columns_of[row]
        chosen[row] = place[where[everyone, first]]
        best[row] = counted(per[everyone, first])
        # A query token left over once each of the name's tokens is paired takes its
        # best again (``one_to_one``), unless it repeats a token the query had already,
        # or is a patronymic or a title (``keys.aside``): such a token counts for
        # nothing either way, as when the name has it and the query not. "Kanat Bolatuly
        # Baimukhanov" scored 0.63 against "Kanat Baimukhanov", which scored 0.95 against
        # it, and the duplicate guard let a second record of him through; "Kairat"
        # written 25 times scored 0.83 against "Kairat Saparbekov" (now 0.43, under
        # the search's floor).
        out = ~taken[row] & (again[row] | aside[row])
        best[row] = np.where(out, 0.0, best[row])
        counting -= out
        left_aside[row] = out
    total = best[0].copy() if len(best) else np.zeros(0)
    for more in best[1:]:
        total += more  # in the query's order, as a sum one token at a time would
    coverage = np.minimum(asked, sizes) / np.maximum(asked, sizes)
    scores = total / counting * (0.85 + 0.15 * coverage)
    # Run together, a name scores at most ``TOGETHER``: one already scoring that much
    # token by token is not run together.
    # Nor is a name of as many tokens one of which matches already (``WEAK`` or more),
    # unless another of its tokens holds one of the query's whole (``_contained``:
    # "Rahim Karimov" for "Abdulrahim Karimov"): it is not split elsewhere, and run
    # together a long family name hid a given name that differs ("Asel Kenzhebayeva"
    # scored 0.90 against "Saule Kenzhebayeva", another woman; now 0.71). On match_list's
    # development list (6,000 rows, 300,000 people, bench/linkage.py's generator on the
    # development groups), the rows of nobody registered whose first candidate scored
    # above 0.8 fell from 0.110 to 0.092; R@1 0.991 to 0.990, R@10 0.994 both (no name
    # of as many tokens run together: 0.083, but "Rahim Karimov" scored as "Karim
    # Karimov" for "Abdulrahim Karimov"); tune_names' development slice: the same recall.
    every_name = [name for _query, names in tasks for name in names]
    # A name one of whose tokens is another name built on the query's (``compounds``,
    # ``siblings``) is two names, and not run together: "Kanat Omarov" scored 0.77
    # against "Kanatbek Omarov" so, past the cap (exploratory testing, 16).
    two_names = np.append(pairs.compound | pairs.sibling, False)
    built: np.ndarray[Any, np.dtype[np.bool_]] = np.zeros(len(at), bool)
    if len(best):
        built = np.asarray(two_names[chosen].any(axis=0), bool)
    apart = ((asked > 1) | (sizes > 1)) & (scores < TOGETHER) & ~built
    if len(best):
        alike = apart & (asked == sizes) & (best.max(axis=0) >= WEAK)
        for n in np.flatnonzero(alike).tolist():
            apart[n] = _contained(tasks[task[n]][0], every_name[n])
    together = np.zeros(len(at), bool)
    if apart.any():
        runs = [run_together(query) for query, _names in tasks]
        some = np.flatnonzero(apart)
        run = TOGETHER * counted(
            _paired(
                Indel.normalized_similarity,
                [runs[t] for t in task[some].tolist()],
                [run_together(every_name[n]) for n in some.tolist()],
            )
        )
        together[some] = run > scores[some]
        scores[some] = np.where(together[some], run, scores[some])
    scores = np.minimum(scores, 1.0)
    named = []
    begin = 0
    for query, names in tasks:
        end = begin + len(names)
        named.append(
            Named(
                query,
                names,
                pairs,
                scores[begin:end],
                chosen[: len(query), begin:end],
                together[begin:end],
                left_aside[: len(query), begin:end],
                built[begin:end],
            )
        )
        begin = end
    return named


def _contained(query: tuple[keys.Token, ...], name: tuple[keys.Token, ...]) -> bool:
    """Whether a token of one holds another token of the other whole (three letters or
    more), and three letters more: "abdulrahim" and "rahim", one name written in full and
    one shortened. Not a family name's man's and woman's forms ("myrzakhmetov",
    "myrzakhmetova"): run together with them, "Dina Myrzakhmetova" scored 0.80 against
    "Aidos Myrzakhmetov", and the duplicate guard offered him as her."""
    ours = {t.rom for t in query if len(t.rom) >= 3}
    theirs = {t.rom for t in name if len(t.rom) >= 3}
    return any(abs(len(a) - len(b)) >= 3 and (a in b or b in a) for a in ours for b in theirs)


def _repeated(
    tasks: Sequence[Task], rows: int, fathers: Collection[int] = ()
) -> tuple[np.ndarray[Any, np.dtype[np.bool_]], np.ndarray[Any, np.dtype[np.bool_]]]:
    """Query token (``rows`` of them at most) × task: whether the task's query has that
    token's romanised spelling at an earlier place, and whether it is a patronymic, a
    title (``keys.aside``), or any token of a father's name
    (a task at ``fathers``): a list gives "Serik Kenzhebayev" where the record holds the
    father's given name alone, and "kenzhebayev" left over made that father unlike."""
    again = np.zeros((rows, len(tasks)), bool)
    aside = np.zeros((rows, len(tasks)), bool)
    fathers = set(fathers)
    for at, (query, _names) in enumerate(tasks):
        seen: set[str] = set()
        father = at in fathers
        for row, token in enumerate(query):
            again[row, at] = token.rom in seen
            aside[row, at] = father or keys.aside(token.rom)
            seen.add(token.rom)
    return again, aside


def one_to_one(
    pers: list[Scores], pairs: Index
) -> tuple[Index, np.ndarray[Any, np.dtype[np.bool_]]]:
    """For each query token (``pers``: its score against each name's each token), the
    name's token it is paired with: the best pair of all first, then the best of the
    tokens left, so that no token of a name answers two of the query's, for as many
    pairs as the shorter of the two has tokens (``pairs``); a query token left over then
    takes its best, as before. Paired each with its own best, two query tokens could
    take the same one: ``Zhanar Zhanuzakova`` scored 0.946 against ``Zhanar Tokhtarova``,
    its ``zhanuzakova`` a learned spelling of ``zhanar`` by their shared start; now 0.5.
    On match_list's development list (6,000 rows) recall stayed the same, the rows of
    nobody registered whose first candidate scored above 0.8 fell from 0.178 to 0.172,
    and the duplicate queue proposed fewer namesakes (0.110 to 0.101 of those registered
    once), for a twentieth more time; on tune_names' development slice recall@10 stayed
    within 0.001. Of equals, the earlier query token and the name's earlier token. Also
    says which query tokens were paired (the others are left over)."""
    every = np.stack(pers)  # query token, name, the name's token
    left = every.copy()
    taken = np.full(every.shape[:2], -1, np.intp)
    span = every.shape[2]
    for step in range(len(every)):
        names = np.flatnonzero(step < pairs)
        if not len(names):
            break
        at = left[:, names, :].transpose(1, 0, 2).reshape(len(names), -1).argmax(axis=1)
        rows, columns = at // span, at % span
        taken[rows, names] = columns
        left[rows, names, :] = -np.inf
        left[:, names, columns] = -np.inf
    return np.where(taken >= 0, taken, every.argmax(axis=2)), taken >= 0


def _padded(columns: list[list[int]], sizes: Index, width: int) -> Index:
    """``columns`` (lists of ``sizes``) as the rows of an array ``width`` wide, -1 after
    each list's end."""
    at = np.full((len(columns), width), -1, np.intp)
    if len(columns):
        ends = np.cumsum(sizes)
        at[
            np.repeat(np.arange(len(columns)), sizes),
            np.arange(ends[-1]) - np.repeat(ends - sizes, sizes),
        ] = [column for name in columns for column in name]
    return at


def score_names(query: tuple[keys.Token, ...], names: Sequence[tuple[keys.Token, ...]]) -> Named:
    """``score_many`` of one query and its names."""
    return score_many([(query, names)])[0]


def name_match(query: tuple[keys.Token, ...], found: tuple[keys.Token, ...]) -> tuple[float, Why]:
    """Score of one name against the query, and why."""
    if not query or not found:
        return 0.0, Why()
    named = score_names(query, [found])
    return float(named.scores[0]), named.why(0)


# The gate's compiled statement as a subquery: only its SQL (Django's, with its own
# parameters) and table names are put in; every value is a parameter.
GATE_ORGANISATIONS = (
    "SELECT o.id FROM {table} o WHERE EXISTS "
    "(SELECT 1 FROM ({gate}) v WHERE v.organisation_id = o.id) ORDER BY o.id"
)
GATE_IDS = "SELECT v.id FROM ({gate}) v WHERE v.id {test}"
# Whom of some ids the gate lets through, with their romanised names: one row a person.
GATE_NAMED = "SELECT v.id, v.romanised FROM ({gate}) v WHERE v.id {test}"


class Gate:
    """The access gate as one search asks it: ``people`` compiled to SQL once, then asked
    which organisations it covers and which of some ids it holds. Compiling the gate's
    filter through the ORM for each question took longer than running it (on
    PostgreSQL, 2 ms of the 2.5 a search spent asking for its organisations)."""

    def __init__(self, people: QuerySet[Person]) -> None:
        query = people.order_by().values_list("id", "organisation_id", "romanised").query
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:  # the gate lets nobody through (an analyst)
            self.sql, self.params = "", []
        else:
            self.sql, self.params = sql, list(params)

    def organisations(self) -> list[int]:
        """The organisations it has anyone of: one EXISTS each, never a scan."""
        if not self.sql:
            return []
        table = connection.ops.quote_name(Organisation._meta.db_table)
        return self._ids(GATE_ORGANISATIONS.format(table=table, gate=self.sql), self.params)

    def visible(self, ids: list[int]) -> set[int]:
        """Those of ``ids`` it lets through."""
        if not self.sql or not ids:
            return set()
        test, values = one_of(ids)
        return set(self._ids(GATE_IDS.format(gate=self.sql, test=test), [*self.params, *values]))

    def named(self, ids: list[int]) -> tuple[set[int], dict[int, str]]:
        """Those of ``ids`` it lets through, and the romanised names (``Person.romanised``)
        of those who have any, in the statement that asks the gate. Read from the key
        index by person instead, they took as long again: a million people's search
        spent a mean of 8 to 10 ms on this, and 4 reading the people's rows alone."""
        if not self.sql or not ids:
            return set(), {}
        test, values = one_of(ids)
        with connection.cursor() as cursor:
            cursor.execute(GATE_NAMED.format(gate=self.sql, test=test), [*self.params, *values])
            found = cursor.fetchall()
        return {pk for pk, _text in found}, {pk: text for pk, text in found if text}

    @staticmethod
    def _ids(sql: str, params: list[Any]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]


def organisations_of(people: QuerySet[Person]) -> list[int]:
    """The organisations ``people`` has anyone of: one EXISTS each, never a scan."""
    return Gate(people).organisations()


# How many people of the organisations hold a key, counted up to COMMON + 1 only: one
# limited range scan of the covering key index per key, whatever the registry's size.
# The key is a parameter, not read from the index: reading and grouping the keys of
# thousands of index entries took three times as long on SQLite.
COUNT = (
    "SELECT %s, COUNT(*) FROM (SELECT 1 FROM {table} "
    "WHERE key = %s AND organisation_id IN ({orgs}) LIMIT {limit}) AS k"
)
# PostgreSQL plans a UNION of dozens of statements in longer than it runs them: there,
# one statement reads each key of an array once, in a lateral subquery, up to
# ``common + 1`` holders, counting them and gathering their ids in an array; only the ids
# of a key held by at most ``common`` are sent (reading the rare keys' holders in a second
# subquery, as SQLite does, took a tenth longer).
COUNT_AND_HOLDERS = (
    "SELECT k.key, s.n, CASE WHEN s.n <= {common} THEN s.ids END "
    "FROM UNNEST(%s::text[]) AS k(key), LATERAL (SELECT COUNT(*) AS n, "
    "ARRAY_AGG(h.person_id) AS ids FROM (SELECT person_id FROM {table} "
    "WHERE key = k.key AND organisation_id IN ({orgs}) LIMIT {limit}) AS h) AS s"
)
HOLDERS = (
    "SELECT key, {joined} FROM {table} WHERE key IN ({keys}) AND organisation_id IN ({orgs}) "
    "GROUP BY key"
)


def in_pieces(values: list[Any]) -> Iterator[list[Any]]:
    """``values`` in pieces of at most ``IN_LIMIT``, one ``IN (...)`` list each."""
    for start in range(0, len(values), IN_LIMIT):
        yield values[start : start + IN_LIMIT]


def joined_ids() -> str:
    """SQL gathering a group's person ids in one value: one per key is fetched in a
    fraction of the time a (key, person) row each takes. An array on PostgreSQL: psycopg
    reads an array of integers in C, and a search's 9,400 ids came in 10.4 ms, where
    joining them as text and splitting them took 13.4. Joined with commas on SQLite."""
    if connection.vendor == "postgresql":
        return "ARRAY_AGG(person_id)"
    return "GROUP_CONCAT(person_id)"


def id_array(joined: str | list[int]) -> Ids:
    """The ids ``joined_ids`` gathered, as an array: parsed in C from SQLite's text
    (seven times as fast as splitting it and making each an ``int``)."""
    if isinstance(joined, str):
        return np.fromstring(joined, dtype=np.int64, sep=",")
    return np.array(joined, np.int64)


# Keys found held by more than ``common`` people of some organisations, and until when
# (``time.monotonic``) that is taken as still so: a search does not count them again.
# Such a key stays common for long (it would take hundreds of people removed), and
# counting one reads ``common + 1`` index entries, more than half of all a search read
# (at 1M people, 2.75 of a search's 79 keys were common, and 5,500 of its 9,900 entries
# theirs), mostly the same few keys again and again. Each process keeps its own.
COMMON_KEPT = 600.0  # seconds
COMMON_SEEN_MAX = 100_000  # entries; past it, all are forgotten at once
_common_seen: dict[tuple[tuple[int, ...], int, str], float] = {}
_clock = time.monotonic  # its own name, for the tests to move


def forget_common() -> None:
    """Forget which keys were found common (tests; a process that must count anew)."""
    _common_seen.clear()


def postings(
    wanted: list[str], organisations: list[int], *, common: int = COMMON
) -> tuple[dict[str, int], dict[str, Ids]]:
    """How many people of ``organisations`` hold each key (counted up to ``common + 1``),
    and who holds each key held by at most ``common``: a commoner key picks no
    candidates, so its holders are never read, and a key found so in the last
    ``COMMON_KEPT`` seconds is not counted again (``common + 1``, as it was).

    For up to 200 keys, one statement on PostgreSQL, two on SQLite; only the table's
    name and placeholders are put into the SQL, every value is a parameter."""
    now = _clock()
    among = (tuple(sorted(organisations)), common)
    counts: dict[str, int] = {}
    for key in wanted:
        if _common_seen.get((*among, key), 0.0) > now:
            counts[key] = common + 1
    if counts:
        wanted = [key for key in wanted if key not in counts]
    found: dict[str, Ids] = {}
    try:
        _count_and_hold(wanted, organisations, common, counts, found)
    finally:
        if len(_common_seen) > COMMON_SEEN_MAX:
            _common_seen.clear()
        until = now + COMMON_KEPT
        for key in wanted:
            if counts.get(key, 0) > common:
                _common_seen[(*among, key)] = until
    return counts, found


def _count_and_hold(
    wanted: list[str],
    organisations: list[int],
    common: int,
    counts: dict[str, int],
    found: dict[str, Ids],
) -> None:
    """``postings``' statements: each key's count into ``counts``, a rare key's holders
    into ``found``."""
    table = connection.ops.quote_name(NameKey._meta.db_table)
    orgs = ", ".join(["%s"] * len(organisations))
    postgresql = connection.vendor == "postgresql"
    template = COUNT_AND_HOLDERS if postgresql else COUNT  # each engine's own only
    statement = template.format(table=table, orgs=orgs, limit=common + 1, common=common)
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 200):
            piece = wanted[start : start + 200]
            if postgresql:
                cursor.execute(statement, [piece, *organisations])
                for key, n, ids in cursor.fetchall():
                    if n:
                        counts[key] = n
                    if ids:
                        found[key] = id_array(ids)
                continue
            params: list[Any] = [v for key in piece for v in (key, key, *organisations)]
            cursor.execute(" UNION ALL ".join([statement] * len(piece)), params)
            counts.update((key, n) for key, n in cursor.fetchall() if n)
            rare = [key for key in piece if 0 < counts.get(key, 0) <= common]
            if rare:
                marks = ", ".join(["%s"] * len(rare))
                holders = HOLDERS.format(joined=joined_ids(), table=table, keys=marks, orgs=orgs)
                cursor.execute(holders, [*rare, *organisations])
                for key, ids in cursor.fetchall():
                    found[key] = id_array(ids)


SOUNDS_ALIKE = 0.94  # a token that sounds the same scores at most this much for its spelling
KEY_WEIGHT = 16  # what sharing a key held by ``COMMON`` people counts; a rarer one, more
WEIGHT_BITS = 12  # a key's weight (well under 4,096) fits under a holder's id (``tally``)
WEIGHT_MASK = (1 << WEIGHT_BITS) - 1


def key_weight(held: int) -> int:
    """What sharing a key held by ``held`` people counts: ``KEY_WEIGHT`` times one plus the
    log of how much rarer than ``COMMON`` it is (an integer, so that weights add up and
    sort exactly). Sharing a family name's exact spelling held by three people says more
    than sharing a skeleton held by a thousand.

    Chosen on tune_names' development slice (pool shuffled, never the benchmark's split):
    counting each key once (and a shared sound, ``v:``, three times), the right person
    was among the candidates for 0.910 of Cyrillic queries, 0.833 of Arabic-script ones
    and 0.883 of Latin ones; weighed, 0.923, 0.843 and 0.893 (the square root of how much
    rarer did no better). With learned spellings looked up too
    (``SPELLINGS_LOOKED_UP``), recall@10 of match_list's development list rose from 0.942
    to 0.972, its false matches stayed at 0.16 (a shared sound weighed three times:
    0.967)."""
    rarer = COMMON / max(held, 1)
    return round(KEY_WEIGHT * (1 + math.log(rarer))) if rarer > 1 else KEY_WEIGHT


@dataclass(frozen=True, eq=False)  # arrays: never compared as values
class Shared:
    """The people sharing keys with a name: their ids in ascending order, and what the
    keys each shares weigh together (``tally``). A name's keys are held by thousands of
    people (tens of thousands in a registry of 1M): counted, ranked and filtered as
    arrays, they took a fraction of the time a ``Counter`` of Python integers did
    (``match_list`` of a dev list: 4.0 ms a row for its candidates, 2.0 as arrays)."""

    ids: Ids
    hits: Ids

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, int]]) -> Shared:
        """Of (person id, weight shared) pairs."""
        found = sorted(pairs)
        return cls(
            np.array([pk for pk, _n in found], np.int64),
            np.array([n for _pk, n in found], np.int64),
        )

    def counts(self) -> dict[int, int]:
        """Weight shared by each person id."""
        return dict(zip(self.ids.tolist(), self.hits.tolist(), strict=True))


def tally(held: Mapping[str, Ids | Sequence[int]], wanted: Iterable[str] | None = None) -> Shared:
    """What the keys ``wanted`` (default: all of ``held``) that each holder shares weigh
    together, each key by how few hold it (``key_weight``).

    A common name is in several groups of the variant dictionary (Soo, Su, Sou ...): a
    person's shared ``g:`` keys count as the rarest of them alone, or everyone sharing
    that one token would outrank people who share the rest of the name.

    Each key's holders come in ascending order when read through the key index (which
    orders them by person), so the packed array is a run of sorted values a key, and a
    stable sort (timsort, which merges runs) sorts it in under half the time of the
    default one. In any other order, they are sorted all the same."""
    holders: dict[bool, list[Ids | Sequence[int]]] = {False: [], True: []}
    weights: dict[bool, list[int]] = {False: [], True: []}
    for key in held if wanted is None else wanted:
        found = held.get(key)
        if found is None or not len(found):
            continue
        grouped = key.startswith("g:")
        holders[grouped].append(found)
        weights[grouped].append(key_weight(len(found)))
    packed = [_packed(holders[False], weights[False])] if holders[False] else []
    if holders[True]:
        variant = np.sort(_packed(holders[True], weights[True]), kind="stable")
        ids = variant >> WEIGHT_BITS
        last = np.ones(len(ids), bool)  # of each id's, the heaviest comes last
        last[:-1] = ids[1:] != ids[:-1]
        packed.append(variant[last])
    if not packed:
        return Shared.of(())
    every = np.sort(np.concatenate(packed), kind="stable")
    ids = every >> WEIGHT_BITS
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    return Shared(ids[starts], np.add.reduceat(every & WEIGHT_MASK, starts))


def _packed(holders: list[Ids | Sequence[int]], weights: list[int]) -> Ids:
    """Each holder's id with its key's weight in the low bits, as one integer, so that ids
    and weights sort as one array (with ``np.unique``'s inverse and ``np.bincount``, a
    profiled match of 6,000 development rows spent 3.1 s in ``tally``, not 2.4 s)."""
    ids = np.concatenate(holders).astype(np.int64, copy=False)
    each = np.repeat(np.array(weights, np.int64), [len(found) for found in holders])
    packed: Ids = (ids << WEIGHT_BITS) | each
    return packed


def _ranked(shared: Shared) -> Ids:
    """One integer a person, larger for more weight shared, then for the lower id."""
    return shared.hits * PK_SPAN - shared.ids


def top_shared(shared: Shared, limit: int) -> list[tuple[int, int]]:
    """(person id, weight shared) of the ``limit`` people sharing most keys, then the
    lowest ids, as ``most_shared`` orders them, without sorting everyone."""
    code = _ranked(shared)
    if len(code) > limit:
        at = np.argpartition(code, len(code) - limit)[-limit:]
        order = at[np.argsort(-code[at])]
    else:
        order = np.argsort(-code)
    return list(zip(shared.ids[order].tolist(), shared.hits[order].tolist(), strict=True))


def most_shared(shared: Shared) -> list[int]:
    """Person ids, those sharing most keys first, then the lowest id."""
    ids: list[int] = shared.ids[np.argsort(-_ranked(shared))].tolist()
    return ids


def candidates(
    people: QuerySet[Person], tokens: tuple[keys.Token, ...], *, limit: int = CANDIDATES
) -> list[int]:
    """Ids of the people of ``people`` sharing most keys with the query tokens, the last
    third of them those spelt most like the query among the next (``spelt_among``).

    As ``match_list`` does it (``batch``): only keys held by at most ``COMMON`` people
    pick candidates, so a common name's keys never make the database count a large
    part of the registry; a query whose keys are all common is looked up on its most
    telling ones (the whole name run together, the romanised tokens). Postings are read
    for the organisations ``people`` covers and the access gate is applied to the
    best-sharing people, a window at a time, until ``limit`` of them are visible.
    """
    sharing = Sharing.of(people, tokens, limit)
    if sharing is None:
        return []
    first = limit - limit // 3
    # Whom the gate lets through of the window chosen among by spelling, and their names,
    # in one statement: the candidates by keys are nearly always among them.
    ranked = [pk for pk, _hits in top_shared(sharing.shared, wide(tokens) + first)]
    visible, names = sharing.gate.named(ranked)
    keyed = [pk for pk in ranked if pk in visible][:limit]
    if len(keyed) < limit and len(ranked) < len(sharing.shared):
        keyed = sharing.visible(limit)  # the gate hid most of them: on down the ranking
    if len(keyed) < limit:  # everyone the gate lets through is a candidate already
        return keyed
    spelt = spelt_among(tokens, ranked, keyed[:first], names, limit - first)
    taken = set(spelt)
    more = [pk for pk in keyed[first:] if pk not in taken]
    return keyed[:first] + spelt + more[: limit - first - len(spelt)]


@dataclass(frozen=True, eq=False)
class Sharing:
    """The people of ``people`` sharing keys with a query's tokens (``tally``), with the
    access gate they must pass and the rare keys they were found by."""

    gate: Gate
    organisations: list[int]
    shared: Shared
    rare: list[str]

    @classmethod
    def of(
        cls, people: QuerySet[Person], tokens: tuple[keys.Token, ...], limit: int
    ) -> Sharing | None:
        wanted = sorted(query_keys(tokens))
        if not wanted:
            return None
        gate = Gate(people)
        organisations = gate.organisations()
        if not organisations:
            return None
        counts, held = postings(wanted, organisations)
        shared = tally(held)
        if not shared:
            telling = [k for k in wanted if k.startswith(("j:", "r:")) and counts.get(k)][:3]
            shared = Shared.of(
                NameKey.objects.filter(key__in=telling, organisation_id__in=organisations)
                .values("person_id")
                .annotate(hits=Count("key"))
                .order_by("-hits", "person_id")
                .values_list("person_id", "hits")[: limit * 4]
            )
        return cls(gate, organisations, shared, sorted(held))

    def visible(self, limit: int) -> list[int]:
        """The ``limit`` people sharing most keys (then the lowest ids) whom the gate lets
        through. The first window, twice the people wanted, is all most searches need:
        only its people are put in order (``top_shared``), not the thousands sharing a
        key."""
        size = min(GATE_WINDOW, 2 * limit)
        first = [pk for pk, _hits in top_shared(self.shared, size)]
        chosen: list[int] = []
        self._let_through(first, limit, chosen, size=size)
        if len(chosen) < limit and len(first) < len(self.shared):
            self._let_through(most_shared(self.shared), limit, chosen, start=len(first))
        return chosen[:limit]

    def _let_through(
        self,
        ranked: list[int],
        limit: int,
        chosen: list[int],
        *,
        start: int = 0,
        size: int | None = None,
    ) -> None:
        """Add to ``chosen`` those of ``ranked`` (from ``start``) whom the gate lets
        through, in order, asking it ``size`` at a time (then ``GATE_WINDOW``), until
        there are ``limit``."""
        size = size or GATE_WINDOW
        while start < len(ranked) and len(chosen) < limit:
            window = ranked[start : start + size]
            visible = self.gate.visible(window)
            chosen.extend(pk for pk in window if pk in visible)
            start, size = start + size, GATE_WINDOW

    def born_near(self, year: int, limit: int, skip: set[int]) -> list[int]:
        """The ``limit`` people sharing a rare key, born in ``year`` or a year either side,
        whom the gate lets through, none of ``skip``: those sharing most keys first (the
        year exactly breaks ties, then the higher id), as ``match_list`` chooses them.
        Who of the thousands sharing a key was born near is read from the key index, in
        one statement (``NameKey.born``): asked of the people's rows by their ids, a
        search on a development list of 1M people took twice as long."""
        if not self.rare:
            return []
        keys_in, key_values = one_of(self.rare)
        sql = NEAR_BORN.format(
            key=connection.ops.quote_name(NameKey._meta.db_table),
            keys=keys_in,
            orgs=", ".join(["%s"] * len(self.organisations)),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*key_values, *self.organisations, year - 1, year + 1])
            found = [(pk, born) for pk, born in cursor.fetchall() if pk not in skip]
        if not found:
            return []
        ids = np.array([pk for pk, _born in found], np.int64)
        exact = np.array([born == year for _pk, born in found], bool)
        at = np.minimum(np.searchsorted(self.shared.ids, ids), len(self.shared.ids) - 1)
        hits = np.where(self.shared.ids[at] == ids, self.shared.hits[at], 0)
        ranked = born_near_ranked(ids, hits, exact)
        chosen: list[int] = []
        self._let_through(ranked, limit, chosen, size=min(GATE_WINDOW, 2 * limit))
        return chosen[:limit]


def spelt_among(
    tokens: tuple[keys.Token, ...],
    ranked: list[int],
    skip: list[int],
    names: Mapping[int, str],
    limit: int,
) -> list[int]:
    """Of the people sharing most keys (``ranked``, the first ``wide`` after ``skip``) whom
    the gate lets through (those ``names`` holds), the ``limit`` whose romanised names are
    spelt most like the query's (``spelt_alike``), those sharing most keys first.
    Hundreds may share a common name's keys alike, ordered by id, and the one whose other
    name is spelt past every shared key came after them."""
    skipped = set(skip)
    window = [pk for pk in ranked if pk not in skipped]
    if len(window) <= limit:
        return []  # the next sharing most keys are the candidates anyway
    return spelt_alike(keys.romanised(tokens), [pk for pk in window if pk in names], names, limit)


def wide(tokens: tuple[keys.Token, ...]) -> int:
    """Among how many people sharing most keys a query given only a name chooses the last
    third of its places by spelling (``WIDE``, ``WIDER``)."""
    return WIDE if len(tokens) < 2 else WIDER


def spelt_alike(query: str, ids: list[int], names: Mapping[int, str], limit: int) -> list[int]:
    """Of ``ids``, the ``limit`` people whose romanised names (``names``: a person's
    apart on lines; ``keys.romanised``) are spelt most like ``query``, compared in C
    (rapidfuzz), in the ids' order. Both hold their tokens in alphabetical order, so the
    plain ratio gives what ``token_sort_ratio`` does, in a third of the time (no
    splitting and sorting again)."""
    if limit <= 0:
        return []
    if len(ids) <= limit:
        return ids
    # Hundreds of people: each name's owner, without a call a person.
    texts = list(map(names.get, ids))
    first: int | None = limit  # one name each: only the first ``limit`` are needed
    choices, owners = cast(list[str], texts), ids
    if None in texts or "\n" in "".join(choices):  # someone not read, or two names
        every = zip(ids, texts, strict=True)
        owners = [pk for pk, text in every if text for _one in text.split("\n")]
        choices = [one for text in texts if text for one in text.split("\n")]
        first = None
    found: set[int] = set()
    for _text, _score, at in process.extract(query, choices, scorer=fuzz.ratio, limit=first):
        found.add(owners[at])
        if len(found) == limit:
            break
    return [pk for pk in ids if pk in found]


def born_near_ranked(
    ids: Ids, hits: Ids, exact: np.ndarray[Any, np.dtype[np.bool_]], limit: int | None = None
) -> list[int]:
    """People born near a year given (the ``limit`` first, when given), as a list's row
    and a search rank them: those sharing most keys (``hits``) first, then those born in
    the year ``exact``ly, then the higher id."""
    code = (hits * 2 + exact) * PK_SPAN + ids
    if limit is not None and len(code) > limit:
        code = code[np.argpartition(code, len(code) - limit)[-limit:]]
    ranked: list[int] = (np.sort(code)[::-1] % PK_SPAN).tolist()
    return ranked


def with_born_near(keyed: list[int], near: list[int], first: int, places: int) -> list[int]:
    """``places`` candidates given a birth year: the ``first`` of those sharing most keys
    (``keyed``, best first), those born near (``near``, none of them), then in the places
    left the next sharing most keys."""
    taken = set(near)
    more = [pk for pk in keyed[first:] if pk not in taken]
    return keyed[:first] + near + more[: places - len(keyed[:first]) - len(near)]


# Of the holders of some keys, those born within some years, each once: read from the
# key index alone (``NameKey.born``). Only names and placeholders are formatted in.
NEAR_BORN = (
    "SELECT DISTINCT person_id, born FROM {key} WHERE key {keys} "
    "AND organisation_id IN ({orgs}) AND born BETWEEN %s AND %s"
)


def documents_of(ids: list[int]) -> dict[int, set[str]]:
    """Every document number these people hold, as ``score_facts`` compares them
    (``Document.number_key``); any number of ids, an IN list at a time."""
    numbers: dict[int, set[str]] = defaultdict(set)
    for piece in in_pieces(ids):
        for person_id, number in Document.objects.filter(person_id__in=piece).values_list(
            "person_id", "number_key"
        ):
            if number:
                numbers[person_id].add(number)
    return numbers


@dataclass(slots=True)
class Facts:
    """What scoring reads of a person: their names and the facts a query may give."""

    pk: int
    names: list[str]
    birth_year: int | None = None
    father_name: str = ""
    city: tuple[str, str] = ("", "")  # slug, name
    code: str = ""  # what match_list prints of a candidate
    external_id: str = ""
    organisation: int = 0
    # The names and the father's name with their tokens (those with any), worked out
    # when first scored: ``match_list`` keeps a person's facts for many rows.
    spelt: tuple[tuple[str, tuple[keys.Token, ...]], ...] | None = None
    spelt_father: tuple[tuple[str, tuple[keys.Token, ...]], ...] | None = None
    own_patronymic: str = ""  # the father's name a patronymic of a name says (``tokens``)

    def tokens(self) -> tuple[tuple[str, tuple[keys.Token, ...]], ...]:
        """Each name that has tokens, with them; a full name's patronymic
        (``keys.father_in``) is not among them, but weighs as the father's name
        (``patronymic``): paired with a name's other words, "Kanatovich" answered
        "Kanat", and a father scored 0.89 against his son (exploratory testing, 15)."""
        if self.spelt is None:
            spelt = []
            for text, found in _with_tokens(self.names):
                at, father = keys.father_in(found)
                if at >= 0:
                    self.own_patronymic = self.own_patronymic or father
                    found = found[:at] + found[at + 1 :]
                spelt.append((text, found))
            self.spelt = tuple(spelt)
        return self.spelt

    def father_tokens(self) -> tuple[tuple[str, tuple[keys.Token, ...]], ...]:
        """The father's name with its tokens, if it has any; without one, the father's
        name a patronymic of a name says (``keys.father_in``)."""
        if self.spelt_father is None:
            # A father's name held as a patronymic (``keys.father_named``) is compared
            # as the father's own, as a list's is.
            father = keys.father_named(self.father_name) if self.father_name else ""
            father = father or self.patronymic()
            self.spelt_father = _with_tokens([father] if father else [])
        return self.spelt_father

    def patronymic(self) -> str:
        """The father's name the first of the names with a patronymic says, or ""."""
        self.tokens()
        return self.own_patronymic

    @classmethod
    def of(cls, person: Person) -> Facts:
        """Of a person loaded with their city and names (the duplicate review's)."""
        return cls(
            person.pk,
            [name.text for name in person.names.all()],
            person.birth_date.year if person.birth_date else None,
            person.father_name,
            (person.current_city.slug, person.current_city.name),
            str(person.code),
            person.external_id,
            person.organisation_id,
        )


def years_agree(held: int | None, given: int) -> float:
    """How far a record's birth year agrees with the one given, in 0..1."""
    if not held:
        return UNKNOWN
    gap = abs(held - given)
    return 1.0 if gap == 0 else 0.6 if gap <= 1 else 0.2 if gap <= 3 else 0.0


def _note(kind: str, value: Any, said: dict[str, str]) -> str:
    """One fact's agreement in words (put in words only for the results shown)."""
    if kind == "born":
        held, given = value
        if held == given:
            return said["born"] % {"year": held}
        return said["born_other"] % {"year": held, "given": given}
    if kind in ("father", "patronymic"):
        return said["no_father"] if value is None else said[kind] % {"score": value * 100}
    if kind == "city":
        return said["same_city" if value else "other_city"]
    if value is None:
        return said["no_document"]
    if value == NEAR:
        return said["near_document"]
    return said["same_document" if value else "other_document"]


@dataclass
class Scored:
    facts: Facts
    score: float
    name: str
    name_score: float
    notes: tuple[tuple[str, Any], ...] = ()  # (kind, value) of the facts that weighed in
    named: Named | None = None  # the names scored, of which ``place`` is the best one's
    place: int = -1

    @property
    def reasons(self) -> Why:
        """Which tokens matched and how: worked out only for the results shown."""
        return self.named.why(self.place) if self.named is not None and self.place >= 0 else Why()

    @property
    def why(self) -> str:
        """Which tokens matched and how, and how the facts agreed, in words."""
        return self.in_words(words())

    def in_words(self, said: dict[str, str]) -> str:
        """``why`` in the words of ``said``: ``match_list`` puts ten results a row in
        words, and asking Django for the active language twice each was half the time."""
        return "; ".join(
            filter(
                None,
                [self.reasons.in_words(said), *(_note(kind, v, said) for kind, v in self.notes)],
            )
        )


FACTS = (
    "SELECT p.id, {year}, p.father_name, c.slug, c.name, p.code, p.external_id, "
    "p.organisation_id FROM {person} p LEFT JOIN {city} c ON c.id = p.current_city_id "
    "WHERE p.id {ids}{live}"
)
NAMES = (
    "SELECT person_id, text FROM {name} WHERE person_id {ids} "
    "ORDER BY person_id, is_primary DESC, position, id"
)


def one_of(values: list[Any]) -> tuple[str, list[Any]]:
    """SQL saying "is one of ``values``", and its parameters. On PostgreSQL ``= ANY(%s)``
    with one array: the statement's text is then the same for any number of values, and
    psycopg, which parses each new text for its placeholders, does so once (0.8 ms a
    search for a hundred ``%s``). ``IN (%s, ...)`` on SQLite."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [values]
    return f"IN ({', '.join(['%s'] * len(values))})", values


def _uuid_text(code: UUID | str) -> str:
    """A person's code as ``str(UUID)`` writes it: SQLite gives its 32 hex digits, which
    are cut up here in a tenth of the time parsing them as a ``UUID`` takes."""
    if isinstance(code, UUID):
        return str(code)
    return f"{code[:8]}-{code[8:12]}-{code[12:16]}-{code[16:20]}-{code[20:]}"


def facts_of(ids: Iterable[int], *, live: bool = False) -> dict[int, Facts]:
    """The ``Facts`` of these people (``live``: those not redacted nor merged away), read
    with plain SQL, not as model instances: scoring reads dozens of candidates per name
    and shows only the best few, and the ORM took longer to build its two statements
    than the database to answer them."""
    quote = connection.ops.quote_name
    tables = {
        "person": quote(Person._meta.db_table),
        "city": quote(City._meta.db_table),
        "name": quote(Name._meta.db_table),
        "year": BIRTH_YEAR,  # the city table has no birth_date: it needs no alias
        "live": " AND p.redacted_at IS NULL AND p.merged_into_id IS NULL" if live else "",
    }
    found: dict[int, Facts] = {}
    with connection.cursor() as cursor:
        for piece in in_pieces(sorted(set(ids))):
            # Only table names and placeholders are formatted in; the ids are parameters.
            among, params = one_of(piece)
            cursor.execute(FACTS.format(ids=among, **tables), params)
            # All at once: Django's cursor hands rows out one by one in Python.
            for pk, born, father, slug, city, code, external_id, organisation in cursor.fetchall():
                found[pk] = Facts(
                    pk,
                    [],
                    int(born) if born else None,
                    father,
                    (slug or "", city or ""),
                    _uuid_text(code),
                    external_id,
                    organisation,
                )
        for piece in in_pieces(sorted(found)):
            among, params = one_of(piece)
            cursor.execute(NAMES.format(ids=among, **tables), params)
            for person_id, text in cursor.fetchall():
                found[person_id].names.append(text)
    return found


@dataclass
class Hints:
    """A name to match, and the facts given that help to rank its candidates."""

    name: str
    birth_year: int | None = None
    father_name: str = ""
    document_number: str = ""
    city: str = ""

    @classmethod
    def from_row(cls, value: dict[str, str]) -> Hints:
        """Of a list's row (``docs/import.md``'s columns; a birth year as ``birth_year``
        reads it, else none)."""
        return cls(
            name=value.get("name", ""),
            birth_year=row_birth_year(value),
            father_name=value.get("father_name", ""),
            document_number=value.get("document_number", ""),
            city=value.get("city", ""),
        )


def best_of(
    found: Iterable[tuple[str, list[dict[str, Any]]]], top: int, *, tied: int = 0
) -> list[dict[str, Any]]:
    """The candidates found for each of a list row's names (its name, then its other
    names; ``importing.names_to_match``) that reach ``FLOOR``, merged: each person once,
    with what their best score found (the first of equals: the name's before an other
    name's), best first, the ``top`` best. ``found``: each name's candidates, with the
    other name it is ("" for the row's name). A person found by an other name says which
    (``"by"``, the best one's): a one-word alias scores high against anyone so named. Not
    when the row's name scored them ``FACTS_FULL`` (the duplicate guard's threshold) or
    more as well, though an other name's spelling scored higher still: the row's name
    found them anyway. With ``tied``, up to that many more who scored as high as the
    last of the ``top`` follow them, when that is ``FACTS_FULL`` or more: namesakes the
    cut left out (a different given name scoring half is no likelier for a tie)."""
    best: dict[Any, tuple[dict[str, Any], str]] = {}
    by_name: set[Any] = set()
    for by, candidates in found:
        for one in candidates:
            if not reaches(one["score"], FLOOR):
                continue
            if not by and reaches(one["score"], FACTS_FULL):
                by_name.add(one["person"])
            kept = best.get(one["person"])
            if kept is None or one["score"] > kept[0]["score"]:
                best[one["person"]] = (one, by)
    merged = [
        {**one, "by": by} if by and person not in by_name else one
        for person, (one, by) in best.items()
    ]
    ranked = sorted(merged, key=lambda one: -one["score"])
    shown = ranked[:top]
    if tied and shown and reaches(shown[-1]["score"], FACTS_FULL):
        last = shown[-1]["score"]
        shown += [one for one in ranked[top : top + tied] if one["score"] >= last]
    return shown


def _with_tokens(texts: list[str]) -> tuple[tuple[str, tuple[keys.Token, ...]], ...]:
    return tuple((text, found) for text in texts if (found := keys.tokens_of(text)))


def _texts(
    spelt: list[tuple[tuple[str, tuple[keys.Token, ...]], ...]],
) -> tuple[list[tuple[keys.Token, ...]], list[list[tuple[str, int]]]]:
    """The tokens of every name of ``spelt`` (names with their tokens, for each
    candidate), and each candidate's names with their places among them."""
    names: list[tuple[keys.Token, ...]] = []
    places: list[list[tuple[str, int]]] = []
    for own in spelt:
        kept = []
        for text, found in own:
            kept.append((text, len(names)))
            names.append(found)
        places.append(kept)
    return names, places


def score_facts(
    candidates: Iterable[Facts],
    query: str,
    *,
    birth_year: int | None = None,
    father_name: str = "",
    document_number: str = "",
    city: str = "",
    documents: dict[int, set[str]] | None = None,
) -> list[Scored]:
    """Score candidates against a name and the facts given, best first."""
    hints = Hints(query, birth_year, father_name, document_number, city)
    return score_all([(hints, list(candidates))], documents)[0]


def known_cities() -> dict[str, str]:
    """The registry's cities by each word a list may write one with: its slug and its
    name, case folded (``KARACHI``, ``karachi``, ``Karachi``); each gives the slug."""
    return {
        word.casefold(): slug
        for slug, name in City.objects.values_list("slug", "name")
        for word in (slug, name)
    }


def score_all(
    asked: Sequence[tuple[Hints, Sequence[Facts]]],
    documents: dict[int, set[str]] | None = None,
    *,
    top: int | None = None,
) -> list[list[Scored]]:
    """Each query's candidates scored against its name and the facts given, best first
    (the ``top`` best only, when given); every query's names and fathers' names at once
    (``score_many``)."""
    tasks: list[Task] = []
    of_fathers: list[int] = []  # the tasks comparing fathers' names
    rows = []
    for hints, candidates in asked:
        # A name written with the father's ("… s/o …", "… ولد …") is scored as the name
        # and the father's name (``keys.without_kin``); its candidates were chosen by
        # every name written, for the family name may be written only with the father's.
        name, father_name = keys.without_kin(hints.name, hints.father_name)
        tokens = keys.analyse(name)
        patronymic = ""
        if father_name.strip():
            father_name = keys.father_named(father_name)
        else:
            # Not given, the father's name may be in the name: "Омаров Ерлан Канатович".
            at, patronymic = keys.father_in(tokens)
            if at >= 0:
                father_name = patronymic
                tokens = tokens[:at] + tokens[at + 1 :]
        father = keys.tokens_of(father_name) if father_name else ()
        # A candidate's names' tokens are worked out only when there is a name to
        # compare them with (the query's, the father's).
        nothing: list[tuple[tuple[str, tuple[keys.Token, ...]], ...]] = [()] * len(candidates)
        names, texts = _texts([f.tokens() for f in candidates] if tokens else nothing)
        fathers_names, fathers = _texts(
            [f.father_tokens() for f in candidates] if father else nothing
        )
        own = len(tasks) if names else -1
        if names:
            tasks.append((tokens, names))
        theirs = len(tasks) if fathers_names else -1
        if fathers_names:
            of_fathers.append(len(tasks))
            tasks.append((father, fathers_names))
        asks = (PATRONYMIC if patronymic else GIVEN) if father else ""
        rows.append((hints, candidates, asks, texts, own, fathers, theirs))
    named = score_many(tasks, of_fathers) if tasks else []
    cities = known_cities() if any(hints.city for hints, *_rest in rows) else {}
    return [
        _scored(
            replace(hints, city=cities.get(hints.city.strip().casefold(), "")),
            candidates,
            asks,
            texts,
            named[own] if own >= 0 else None,
            fathers,
            named[theirs] if theirs >= 0 else None,
            documents,
            top,
        )
        for hints, candidates, asks, texts, own, fathers, theirs in rows
    ]


def _scored(
    hints: Hints,
    candidates: Sequence[Facts],
    father: str,  # how the query gives a father's name (``GIVEN``, ``PATRONYMIC``), or ""
    texts: list[list[tuple[str, int]]],
    named: Named | None,
    fathers: list[list[tuple[str, int]]],
    named_fathers: Named | None,
    documents: dict[int, set[str]] | None,
    top: int | None,
) -> list[Scored]:
    """One query's candidates, their names and fathers' names scored: with the facts
    given weighed in, best first (the first of a candidate's names scoring best); the
    ``top`` best only, when given."""
    number = number_key(hints.document_number) if documents is not None else ""
    scores = named.scores.tolist() if named is not None else []
    scores_of_fathers = named_fathers.scores.tolist() if named_fathers is not None else []
    built = named.built.tolist() if named is not None and named.built.any() else None
    birth_year, city = hints.birth_year, hints.city
    ranked = []
    for at, facts in enumerate(candidates):
        best, best_name, chosen = 0.0, "", -1
        places = texts[at]
        if built is not None and named is not None and len(places) > 1:
            places = _without_arabic_script(named, places, built)
        for text, place in places:
            if scores[place] > best:
                best, best_name, chosen = scores[place], text, place
        # The facts given, each with a weight and an agreement in 0..1; a fact the
        # record cannot confirm agrees 0.5.
        weights = agreed = proof = 0.0
        notes: list[tuple[str, Any]] = []
        if birth_year:
            if facts.birth_year:
                notes.append(("born", (facts.birth_year, birth_year)))
            weights += 1.0
            agreed += years_agree(facts.birth_year, birth_year)
        if father:
            # A patronymic of the query's against a record holding no father's name
            # costs a little (``PATRONYMIC_UNKNOWN``), not the half a father's name given
            # does: most records hold none. The why says when a father's name was read
            # from a patronymic, the query's or the record's.
            agree = UNKNOWN if father == GIVEN else PATRONYMIC_UNKNOWN * best
            kind = "patronymic" if father == PATRONYMIC or not facts.father_name else "father"
            if fathers[at]:
                agree = scores_of_fathers[fathers[at][0][1]]
            elif facts.father_name:
                agree = 0.0
            # None: the record holds no father's name, which the why says, as it says a
            # record holds no document (it scores less for it, and said nothing).
            notes.append((kind, agree if fathers[at] or facts.father_name else None))
            weights += 1.0
            agreed += agree
        if city:  # a city of the registry's (``known_cities``): another counts not at all
            # Another city than the record's agrees as one it cannot confirm: a list says
            # where someone is held or seen, often away from home (``CITY``).
            same = city == facts.city[0]
            weights += CITY
            agreed += CITY * (1.0 if same else UNKNOWN)
            notes.append(("city", same))
        same_number = False
        if number and documents is not None:
            agree = UNKNOWN
            if facts.pk in documents:
                same_number = number in documents[facts.pk]
                if same_number:
                    agree = 1.0
                    notes.append(("document", True))
                elif any(Levenshtein.distance(number, held) <= 1 for held in documents[facts.pk]):
                    # One character off: a typing error as likely as another document.
                    notes.append(("document", NEAR))
                else:
                    agree = 0.0
                    notes.append(("document", False))
            else:  # it weighs in as unknown: the why says so, or the score drops unsaid
                notes.append(("document", None))
            weights += 3.0
            proof = 3.0 * agree
        score = best
        if weights:
            # Facts that many people share lift a name fully only from ``FACTS_FULL``; a
            # document number, always.
            agreed *= min(1.0, best / FACTS_FULL)
            # Facts weighing less than one (a city alone) weigh in for as much less.
            share = (1 - NAME_WEIGHT) * min(1.0, weights)
            score = (1 - share) * best + share * ((agreed + proof) / weights)
        if same_number:
            # The same document number finds its holder whatever the name: a row of a
            # CNIC and "Unknown" found nobody (found by exploratory testing, 14b).
            score = max(score, DOCUMENT_HELD)
        if score > 0:
            ranked.append((-round(min(score, 1.0), 4), at, best, best_name, chosen, notes))
    # Best first; of equals, the first candidate (those sharing most keys come first).
    ranked.sort(key=lambda one: one[:2])
    return [
        Scored(candidates[at], -score, name, best, tuple(notes), named, chosen)
        for score, at, best, name, chosen, notes in ranked[:top]
    ]


def _without_arabic_script(
    named: Named, places: list[tuple[str, int]], built: list[bool]
) -> list[tuple[str, int]]:
    """A candidate's names, less those in Arabic script when one of the others, in
    Latin or Cyrillic letters, is another name built on the query's (``Named.built``):
    Arabic script writes neither the vowels nor always the joins, and "Nurbol" scored
    0.88 against "نورلان" where the same man's "Nurlan" is another name (exploratory
    testing, 16)."""
    if not any(built[place] and not named.in_arabic_script(place) for _text, place in places):
        return places
    return [(text, place) for text, place in places if not named.in_arabic_script(place)]


def born_near_first(
    people: QuerySet[Person], tokens: tuple[keys.Token, ...], year: int
) -> list[int]:
    """A search's candidates when a birth year is given, as a list's row chooses them
    (``batch``): a third of the places to the people sharing most keys, the others to
    those born within a year among everyone sharing a rare key (``Sharing.born_near``),
    or, when too few were, to the next sharing most keys."""
    sharing = Sharing.of(people, tokens, CANDIDATES)
    if sharing is None:
        return []
    keyed = sharing.visible(CANDIDATES)
    first = keyed[: CANDIDATES // 3]
    near = sharing.born_near(year, CANDIDATES - len(first), set(first))
    return with_born_near(keyed, near, CANDIDATES // 3, CANDIDATES)


# A search ranks this many people at most: a page says when it shows that many, for
# more may match as well ("Nurlan Tokhtarov" written alike by fifty people hid the
# "Tokhtaroff"s behind them, and nothing said so).
BEST_SHOWN = 50


def scored_people(
    people: QuerySet[Person],
    query: str,
    *,
    birth_year: int | None = None,
    father_name: str = "",
    document_number: str = "",
    city: str = "",
    limit: int | None = None,
) -> list[Scored]:
    """The ``limit`` people of ``people`` best matching ``query`` (and the facts given),
    best first, scored on plain values: nobody is loaded as a ``Person`` here."""
    tokens = keys.analyse(query)
    if birth_year:
        ids = born_near_first(people, tokens, birth_year)
    else:
        ids = candidates(people, tokens, limit=CANDIDATES)
    number = number_key(document_number)
    if number:  # its holders, however the number was written (``Document.number_key``)
        ids += list(
            people.filter(
                pk__in=Document.objects.filter(number_key=number).values("person")
            ).values_list("pk", flat=True)[:20]
        )
    if not ids:
        return []
    unique = set(ids)
    facts = facts_of(unique)
    return score_facts(
        [facts[pk] for pk in dict.fromkeys(ids) if pk in facts],  # of equals, the first
        query,
        birth_year=birth_year,
        father_name=father_name,
        document_number=document_number,
        city=city,
        documents=documents_of(list(unique)) if number else None,
    )[: limit or BEST_SHOWN]


# A page's people with their city and household, in one statement written here: building
# the ORM's (select_related, in_bulk) took longer than running it, 1.4 of the 4 ms it
# spent on ten people. Only table and column names are formatted in; the ids are
# parameters. The household is loaded with its code only, the rest of it deferred.
SHOWN = (
    "SELECT p.*, c.slug AS shown_city_slug, c.name AS shown_city_name, "
    "h.code AS shown_household_code FROM {person} p "
    "INNER JOIN {city} c ON c.id = p.current_city_id "
    "LEFT OUTER JOIN {household} h ON h.id = p.household_id WHERE p.id {ids}"
)


def _shown(scored: list[Scored]) -> dict[int, Person]:
    """The people of ``scored`` as a page shows them: with their city, household, names."""
    if not scored:
        return {}
    quote = connection.ops.quote_name
    among, params = one_of([s.facts.pk for s in scored])
    sql = SHOWN.format(
        person=quote(Person._meta.db_table),
        city=quote(City._meta.db_table),
        household=quote(Household._meta.db_table),
        ids=among,
    )
    people = Person.objects.raw(sql, params).prefetch_related("names")
    code = Household._meta.get_field("code")
    shown = {}
    for person in people:
        extra = person.__dict__
        person.current_city = City.from_db(
            people.db,
            ["id", "slug", "name"],
            [person.current_city_id, extra.pop("shown_city_slug"), extra.pop("shown_city_name")],
        )
        household_code = extra.pop("shown_household_code")
        if person.household_id is not None:
            person.household = Household.from_db(
                people.db, ["id", "code"], [person.household_id, code.to_python(household_code)]
            )
        shown[person.pk] = person
    return shown


def find(people: QuerySet[Person], query: str, **hints: Any) -> list[Match]:
    """``scored_people``, each loaded as a ``Person`` (the duplicate guard, list rows)."""
    scored = scored_people(people, query, **hints)
    shown = _shown(scored)
    return [
        Match(shown[s.facts.pk], s.score, s.name, s.why, s.name_score, s.notes)
        for s in scored
        if s.facts.pk in shown
    ]


class Ranked(Sequence[Person]):
    """A search's people, best first, loaded a page at a time: a page or the API shows
    ten or twenty-five of the fifty ranked, and loading a person with their names costs
    more than scoring them. Each has ``score``, ``why`` and ``matched_name``."""

    def __init__(self, scored: list[Scored], *, capped: bool = False) -> None:
        self.scored = scored
        self.capped = capped  # the search stopped at ``BEST_SHOWN``: more may match

    def __len__(self) -> int:
        return len(self.scored)

    @overload
    def __getitem__(self, index: int) -> Person: ...

    @overload
    def __getitem__(self, index: slice) -> list[Person]: ...

    def __getitem__(self, index: int | slice) -> Person | list[Person]:
        if isinstance(index, slice):
            return self._load(self.scored[index])
        return self._load([self.scored[index]])[0]

    @staticmethod
    def _load(scored: list[Scored]) -> list[Person]:
        shown = _shown(scored)
        people = []
        for match in scored:
            person = shown.get(match.facts.pk)
            if person is None:
                continue  # deleted since it was scored
            person.score = match.score  # type: ignore[attr-defined]
            person.why = match.why  # type: ignore[attr-defined]
            person.matched_name = match.name  # type: ignore[attr-defined]
            people.append(person)
        return people


# Candidates scoring less are not shown, by a search or for a list's row: "John Smith"
# was offered Aizhan Saparbekova at 23%, and gibberish listed eleven people down to 3%,
# "dry ≈ tursynova". On match_list's development list (6,000 rows, 1M people; the first
# five candidates) none of the 4,705 people sought scored below 0.5 (3 below 0.6), and
# 22% of the other candidates did. On the held-out names (360k pool, name only), 2 of
# the 2,640 people found in the first ten scored below 0.5 (one Arabic-script query, one
# Latin).
FLOOR = 0.5


def reaches(score: float, threshold: float) -> bool:
    """Whether ``score`` is at least ``threshold``, as a person reading both would say: a
    score is a sum of products of floats, and 0.8 may come out as 0.7999999999999999
    ("Mr Kanat Baimukhanov" missed the duplicate guard's 0.8 so)."""
    return score >= threshold - 1e-9


def rank_people(people: QuerySet[Person], query: str, **hints: Any) -> Ranked:
    """The people list's and the API's search: people with ``score`` and ``why``, those
    from ``FLOOR``, loaded only for the page shown."""
    scored = scored_people(people, query, **hints)
    # Cut at its best only when the last it kept still reached the floor: one under it
    # says nobody left out would have been shown.
    capped = len(scored) >= BEST_SHOWN and reaches(scored[-1].score, FLOOR)
    return Ranked([s for s in scored if reaches(s.score, FLOOR)], capped=capped)
