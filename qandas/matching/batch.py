"""Matching a whole list against an organisation's people, many rows per query.

``search.find`` costs a few queries per name, which is right for a search box and too
slow for a list of 100,000 rows. Here the rows are taken a chunk at a time: the keys
every row of the chunk needs are looked up together (how many people share each key,
then which people hold the discriminating ones), each row's candidates are the people
sharing most of its keys, and all the chunk's candidates are loaded with their names in
one go and scored together by ``search.score_all``, the same scoring the search box
uses.

Keys shared by very many people (a common name's romanised form, say) pick no
candidates themselves: a row's rarer keys do, and the scoring then compares every
token. A row with only common keys is looked up on its rarest few.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import numpy as np
from django.db import connection, connections

from qandas.accounts.models import Organisation
from qandas.documents.models import Document
from qandas.lib.forked import Forked
from qandas.lib.numbers import number_key
from qandas.people.models import Person

from . import keys, search
from .models import NameKey

CHUNK = 2000  # rows looked up together (their keys overlap: fewer, larger reads)
COMMON = search.COMMON  # a key held by more people than this picks no candidates by itself
PER_ROW = 30  # candidates scored per row, those sharing most keys first
# A row with a birth year: the first third of its ``PER_ROW`` places go to the people
# sharing most keys, the others to those born within a year of it (``_born_near``). On a
# development list of 10,000 rows against 1M people (bench/linkage.py's generator on
# 3,721 development groups, never the benchmark's; many namesakes), recall@10 of the rows
# with a year rose from 0.914 (half and half) to 0.956, in the same time, and the rows of
# people not in the registry whose first candidate scored above 0.8 from 0.149 to 0.171
# (15 by keys and 25 born near: 0.978 and 0.195, a fifth slower; 25 and 15: 0.919).
# Of those places for the people born near, the last few go to those of the others born
# near (of the ``WIDER`` sharing most keys) whose romanised names are spelt most like the
# row's (``_spelt_alike``): dozens born near may share a common name's exact spelling, and
# outrank the one whose other name is spelt another way. On that development list (6,000
# rows), recall@10 of the rows with a year rose from 0.955 to 0.986 (R@1 of all rows 0.940
# to 0.966) in the same time; the rows of nobody in the registry whose first candidate
# scored above 0.8 from 0.110 to 0.135. One place: 0.985 and 0.129; five: 0.985 and
# 0.139; ten: 0.979 and 0.141.
NEAR_SPELT = 3
SHARE_FLOOR = 0.34  # of the best candidate's weight shared, below which fewer are scored
# A row given only a name: of the ``WIDE`` people sharing most keys, the first two
# thirds of its ``PER_ROW`` places go to those sharing most, the last third to those of
# the others whose romanised names score best against the row's (``closest_all``,
# with the scoring that ranks them after). Sharing many keys is not the same as being
# alike. On tune_names' development slice (never the benchmark's split; its pool in a
# random order), recall@10 / the right person among the candidates, Cyrillic, Arabic
# script, Latin: chosen by rapidfuzz's token_sort_ratio of the romanised names (Arabic
# script excepted) and ties ranked by id, as before, 0.870 / 0.893, 0.700 / 0.733,
# 0.820 / 0.873; ties ranked by candidate order, 0.873, 0.707, 0.833; and chosen by
# score for every script, 0.887 / 0.910, 0.790 / 0.850, 0.837 / 0.887. On 10,000 rows
# of a development list against 1M people (bench/linkage.py's generator on development
# groups), recall@10 rose from 0.933 to 0.947, and the rows of nobody in the registry
# whose first candidate scored above 0.8 from 0.155 to 0.167. 400 instead of 200 found
# more (0.961 on that list) but cost half as much time again.
WIDE = 200
# The same for a name of several tokens (``wide``): hundreds may share a family name's
# keys alike, and the one whose given name shares no rare key came after the first 200
# by id. On the development list's 646 rows of registered people given only a name
# (6,000 rows against 1M people), recall@10 rose from 0.732 to 0.920 in the same time
# within noise; 500: 0.892; 2,000: 0.926, a third slower. A name of one token keeps
# ``WIDE``: on tune_names' development slice 1,000 lost 0.010 of Arabic script's R@10.
WIDER = 1000
# Of the other 180, only the 60 whose romanised names are spelt most like the row's
# (rapidfuzz's token_sort_ratio, in C) are scored for those places. On 10,000 rows of
# the development list (one row in seven given only a name), choosing took 21% of the
# time scoring all 180 and 12% scoring 60 (cProfile); on bench/linkage.py's list, scoring
# all 180 made match_list 16% slower than the choice by token_sort_ratio alone (two runs
# each, 128 -> 149 s; this machine varied by 10%). On the development slice, recall@10
# with 60 / all 180: Cyrillic 0.887 / 0.887, Arabic script 0.777 / 0.790, Latin
# 0.840 / 0.837; 30 lost more (0.883, 0.763, 0.833).
SPELT = 60
# Holders' ids kept across chunks: about 100 MB as arrays, what 3,000,000 took as lists.
HELD = 12_000_000
# Candidates' facts kept across chunks, with their names' tokens. On a dev list of
# 50,000 rows against 1M people (one process): 1.59 ms a row keeping none (1.45 GB at
# most), 1.55 keeping 200,000 (1.58 GB), 1.46 keeping 400,000 (1.82 GB).
KNOWN = 400_000
PARALLEL_FROM = 20_000  # rows from which a list is matched by one process per core
Years = np.ndarray[Any, np.dtype[np.int16]]  # a birth year (0: not known) at each id


Hints = search.Hints  # one list row: the name, and the facts that rank its candidates


class Matcher:
    """Matches rows against one organisation's people (not redacted, not merged away)."""

    def __init__(self, organisation: Organisation, *, top: int = 5) -> None:
        self.organisation = organisation
        self.top = top
        self.counts: dict[str, int] = {}  # people per key, across chunks
        # With other organisations' people in the index, filter the postings by ours.
        self.shared = Person.objects.exclude(organisation=organisation).exists()
        self.table = connection.ops.quote_name(NameKey._meta.db_table)
        self._born: Years | None = None
        self._romanised: dict[int, str] | None = None
        # Holders of rare keys, oldest used first.
        self.held: dict[str, search.Ids] = {}
        self.held_ids = 0
        self.known: dict[int, search.Facts] = {}  # candidates read, used longest ago first
        # The tokens of people's romanised names (``closest_all``), first read first dropped.
        self.spelt: dict[int, tuple[tuple[keys.Token, ...], ...]] = {}

    def born(self) -> Years:
        """Each person's birth year at their id (0: not known), read once: a list of
        100,000 rows asks about the birth years of millions of key holders. An array
        indexed by id: 2 MB for a million people (a dict of sets of their ids took about
        60 MB)."""
        if self._born is None:
            table = connection.ops.quote_name(Person._meta.db_table)
            with connection.cursor() as cursor:
                # Only the table's name is formatted in; the organisation is a parameter.
                cursor.execute(
                    f"SELECT id, {search.BIRTH_YEAR} FROM {table} "  # noqa: S608
                    "WHERE organisation_id = %s AND birth_date IS NOT NULL",
                    [self.organisation.pk],
                )
                found = cursor.fetchall()
            ids = np.array([pk for pk, _year in found], np.int64)
            born = np.zeros(int(ids.max()) + 1 if len(ids) else 0, np.int16)
            born[ids] = [int(year) for _pk, year in found]
            self._born = born
        return self._born

    def romanised(self) -> dict[int, str]:
        """Every person's names romanised (``Person.romanised``), read once: one string a
        person, names apart on lines. A million people's take seconds to read, and
        reading them for each row's hundreds of candidates took longer."""
        if self._romanised is None:
            where = "romanised <> %s"  # nobody redacted or merged away has any
            params: list[Any] = [""]
            if self.shared:
                where += " AND organisation_id = %s"
                params.append(self.organisation.pk)
            names: dict[int, str] = {}
            table = connection.ops.quote_name(Person._meta.db_table)
            with connection.cursor() as cursor:
                # Only the table's name is formatted in; every value is a parameter.
                cursor.execute(f"SELECT id, romanised FROM {table} WHERE {where}", params)  # noqa: S608
                while found := cursor.fetchmany(10_000):  # not a million tuples at once
                    names.update(found)
            self._romanised = names
        return self._romanised

    def closest_all(
        self, asked: list[tuple[tuple[keys.Token, ...], list[int]]], limit: int
    ) -> list[list[int]]:
        """For each row (its tokens, and ids to choose from), the ``limit`` people whose
        romanised names score best against it, ties in the ids' order. All rows are scored
        at once (``search.score_many``); a person's names are the tokens of their romanised
        spellings (``romanised``), and a person scores their best name's score."""
        tasks: list[search.Task] = []
        owners: list[list[int]] = []
        for tokens, ids in asked:
            named: list[tuple[keys.Token, ...]] = []
            mine: list[int] = []
            for pk in self._spelt_alike(tokens, ids, SPELT):
                for found in self._spelt(pk):
                    named.append(found)
                    mine.append(pk)
            tasks.append((tokens, named))
            owners.append(mine)
        if len(self.spelt) > KNOWN:
            self.spelt = dict(islice(self.spelt.items(), len(self.spelt) - KNOWN // 2, None))
        chosen = []
        for task, mine in zip(search.score_many(tasks), owners, strict=True):
            best: list[int] = []
            for at in np.argsort(-task.scores, kind="stable").tolist():
                if mine[at] not in best:
                    best.append(mine[at])
                    if len(best) == limit:
                        break
            chosen.append(best)
        return chosen

    def _spelt_alike(self, tokens: tuple[keys.Token, ...], ids: list[int], limit: int) -> list[int]:
        """Of ``ids``, the ``limit`` people whose romanised names are spelt most like the
        query's (``search.spelt_alike``), in the ids' order."""
        return search.spelt_alike(keys.romanised(tokens), ids, self.romanised(), limit)

    def _spelt(self, pk: int) -> tuple[tuple[keys.Token, ...], ...]:
        """The tokens of each of a person's romanised names that has any, kept: a list's
        rows given only a name choose among the same few thousand people again and again."""
        found = self.spelt.get(pk)
        if found is None:
            names = self._romanised_names(pk)
            found = self.spelt[pk] = tuple(t for one in names if (t := keys.tokens_of(one)))
        return found

    def _romanised_names(self, pk: int) -> tuple[str, ...]:
        """A person's romanised names (``romanised``), none for someone not read."""
        text = self.romanised().get(pk)
        if text is None:
            return ()
        return tuple(text.split("\n")) if "\n" in text else (text,)

    def _sql(self, select: str, keys_: list[str], tail: str = "") -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for piece in search.in_pieces(keys_):
                marks = ", ".join(["%s"] * len(piece))
                where = f"key IN ({marks})"
                params: list[Any] = list(piece)
                if self.shared:
                    where += " AND organisation_id = %s"
                    params.append(self.organisation.pk)
                # Only the table's and the query's own words; every value is a parameter.
                sql = f"SELECT {select} FROM {self.table} WHERE {where} {tail}"  # noqa: S608
                cursor.execute(sql, params)
                found.extend(cursor.fetchall())
        return found

    def _count(self, wanted: set[str]) -> None:
        new = sorted(k for k in wanted if k not in self.counts)
        for key, count in self._sql("key, COUNT(*)", new, "GROUP BY key"):
            self.counts[key] = count
        for key in new:
            self.counts.setdefault(key, 0)

    def candidates(self, rows: list[Hints]) -> list[list[int]]:
        """Each row's candidate ids, as ``match`` chooses them to score (``_candidates``)."""
        return self._candidates([keys.analyse(r.name) for r in rows], [r.birth_year for r in rows])

    def _candidates(
        self, analysed: list[tuple[keys.Token, ...]], years: list[int | None] | None = None
    ) -> list[list[int]]:
        """Each row's candidate ids, the people sharing most (rare) keys first.

        Many people may share as many keys (a common family name spelt alike, the other
        name in a script whose spelling shares little): for a row with a birth year, the
        first third of the places go to those sharing most keys, and the others to those
        born within a year of it among everyone sharing any (``_born_near``; the last
        ``NEAR_SPELT`` of them by spelling), or, when too few were, to the next sharing
        most keys. A row given only a name has a third of its places taken by the people
        whose names score best against it among the next ``wide`` (``closest_all``)."""
        row_keys = [search.query_keys(tokens) for tokens in analysed]
        self._count(set().union(*row_keys))
        rare = sorted({k for ks in row_keys for k in ks if 0 < self.counts[k] <= COMMON})
        holders = self._holders_of(rare)
        years = years or [None] * len(row_keys)
        born = self.born() if any(years) else np.zeros(0, np.int16)
        chosen: list[list[int]] = []
        spelling: list[tuple[int, tuple[keys.Token, ...], list[int]]] = []
        for tokens, wanted, year in zip(analysed, row_keys, years, strict=True):
            shared = search.tally(holders, wanted)
            if not shared:
                shared = self._common_only(wanted)
            best = search.top_shared(shared, PER_ROW if year else wide(tokens))
            # People sharing far fewer keys than the best are scored only to fill the top.
            floor = best[0][1] * SHARE_FLOOR if best else 0
            first = PER_ROW if year else PER_ROW - PER_ROW // 3
            ids = [pk for i, (pk, n) in enumerate(best[:first]) if n >= floor or i < self.top * 2]
            if year:
                keyed = PER_ROW // 3
                near = self._born_near(shared, born, year, set(ids[:keyed]), WIDER)
                by_keys = max(PER_ROW - keyed - NEAR_SPELT, 0)
                spelt = PER_ROW - keyed - by_keys
                near = near[:by_keys] + self._spelt_alike(tokens, near[by_keys:], spelt)
                # Too few born near: the places left go to the next sharing most keys.
                ids = search.with_born_near(ids, near, keyed, PER_ROW)
            elif len(best) > first:
                spelling.append((len(chosen), tokens, [pk for pk, _n in best[first:]]))
            chosen.append(ids)
        # The rows given only a name: the rest of their places, all rows' names at once.
        closest = self.closest_all([(tokens, ids) for _at, tokens, ids in spelling], PER_ROW // 3)
        for (at, _tokens, _ids), more in zip(spelling, closest, strict=True):
            chosen[at] += more
        return chosen

    def _holders_of(self, rare: list[str]) -> dict[str, search.Ids]:
        """The people holding each key, remembered across chunks: the rows of a list
        share their names' keys (on a dev list, after 3,000 rows, nine in ten of the
        ids a chunk needed had been read before), and reading them again was a sixth
        of the time. At most ``HELD`` ids are kept, the keys used longest ago dropped
        first."""
        held = self.held
        found = {}
        for key in rare:
            ids = held.pop(key, None)
            if ids is not None:
                found[key] = held[key] = ids  # used again: now the last to be dropped
        missing = [key for key in rare if key not in found]
        # One row per key, its holders' ids joined by commas: a million (key, person)
        # tuples cost seconds to fetch, the same ids as a few thousand strings do not.
        for key, joined in self._sql(f"key, {search.joined_ids()}", missing, "GROUP BY key"):
            found[key] = held[key] = ids = search.id_array(joined)
            self.held_ids += len(ids)
        while self.held_ids > HELD and held:
            self.held_ids -= len(held.pop(next(iter(held))))
        return found

    @staticmethod
    def _born_near(
        shared: search.Shared, born: Years, year: int, taken: set[int], limit: int
    ) -> list[int]:
        """Of the people sharing any key, the ``limit`` born in ``year`` or a year either
        side, sharing most keys (the year exactly breaks ties, then the higher id): as blocking
        on a name and the birth year does. Among hundreds sharing a common name's keys,
        the one whose other name is spelt past recognition is found by the year."""
        ids, hits = shared.ids, shared.hits
        if len(ids) and ids[-1] >= len(born):  # past the last id with a year: none known
            known = ids < len(born)
            hits, ids = hits[known], ids[known]
        when = born[ids]  # 0 where not known: never near
        near = np.flatnonzero((when >= year - 1) & (when <= year + 1))
        if taken:  # the few born near, not the thousands sharing a key, looked up
            near = near[np.array([pk not in taken for pk in ids[near].tolist()], bool)]
        return search.born_near_ranked(ids[near], hits[near], when[near] == year, limit)

    def _common_only(self, wanted: set[str]) -> search.Shared:
        """Candidates of a row whose keys are all common: those holding its rarest few."""
        present = sorted((k for k in wanted if self.counts.get(k)), key=lambda k: self.counts[k])
        tail = f"GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT {PER_ROW * 4}"
        return search.Shared.of(
            self._sql("person_id, COUNT(*)", present[:3], tail) if present else ()
        )

    def _holders(self, rows: list[Hints]) -> dict[str, set[int]]:
        """The people holding each of the rows' document numbers, by the numbers as they
        are compared (``Document.number_key``): "AB 123-456" for "ab123456"."""
        numbers = sorted({key for r in rows if (key := number_key(r.document_number))})
        holders: dict[str, set[int]] = {}
        for piece in search.in_pieces(numbers):
            for number, person_id in Document.objects.filter(
                organisation=self.organisation, number_key__in=piece
            ).values_list("number_key", "person_id"):
                holders.setdefault(number, set()).add(person_id)
        return holders

    def _facts(self, ids: set[int]) -> dict[int, search.Facts]:
        """The facts of these people (those live), remembered across chunks: on a dev
        list of 20,000 rows against a million people, more than half the candidates of
        the tenth chunk had been read for an earlier one. Past ``KNOWN`` people, those
        used longest ago are dropped, all at once (dropping one at a time from a dict's
        front slows each next look for its first)."""
        known = self.known
        found = {pk: known.pop(pk) for pk in ids if pk in known}  # now the last to drop
        found.update(search.facts_of([pk for pk in ids if pk not in found], live=True))
        known.update(found)
        if len(known) > KNOWN:
            self.known = dict(islice(known.items(), len(known) - KNOWN, None))
        return found

    def match(self, rows: list[Hints]) -> list[list[search.Scored]]:
        """The best ``top`` matches of each row, best first."""
        analysed = [keys.analyse(r.name) for r in rows]
        chosen = self._candidates(analysed, [r.birth_year for r in rows])
        holders = self._holders(rows)
        for row, ids in zip(rows, chosen, strict=True):
            ids.extend(holders.get(number_key(row.document_number), ()))
        people = self._facts({pk for ids in chosen for pk in ids})
        documents = search.documents_of(
            sorted(
                {
                    pk
                    for row, ids in zip(rows, chosen, strict=True)
                    if row.document_number
                    for pk in ids
                }
            )
        )
        # A row of a document number and no name finds the number's holder
        # (``search.DOCUMENT_HELD``).
        scoring = [
            bool(ids and (row.name.strip() or number_key(row.document_number)))
            for row, ids in zip(rows, chosen, strict=True)
        ]
        asked = [
            (row, [people[pk] for pk in dict.fromkeys(ids) if pk in people])
            for row, ids, scored in zip(rows, chosen, scoring, strict=True)
            if scored
        ]
        found = iter(search.score_all(asked, documents, top=self.top))
        return [next(found) if scored else [] for scored in scoring]

    def match_all(self, rows: Iterable[Hints]) -> Iterator[list[search.Scored]]:
        """``match`` over any number of rows, a chunk at a time, in order."""
        chunk: list[Hints] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield from self.match(chunk)
                chunk = []
        if chunk:
            yield from self.match(chunk)


def wide(tokens: tuple[keys.Token, ...]) -> int:
    """Among how many people sharing most keys a row given only a name chooses the last
    third of its places (``WIDE``, ``WIDER``)."""
    return WIDE if len(tokens) < 2 else WIDER


def candidate(match: search.Scored, said: dict[str, str]) -> dict[str, Any]:
    """One candidate as ``match_list`` prints it (docs/import.md); ``said``: the phrases
    of ``search.words()``, looked up once for many candidates."""
    return {
        "person": match.facts.code,
        "external_id": match.facts.external_id or None,
        "score": match.score,
        "name": match.name,
        "why": match.in_words(said),
    }


# The matcher of a worker process: set in the parent before the workers are forked.
_worker_matcher: Matcher | None = None


def _match_chunk(chunk: list[Hints]) -> list[list[dict[str, Any]]]:
    assert _worker_matcher is not None
    said = search.words()
    return [[candidate(m, said) for m in found] for found in _worker_matcher.match(chunk)]


def cores() -> int:
    """The cores this process may run on (at most 8): how many workers a long list gets."""
    return min(len(os.sched_getaffinity(0)), 8) if hasattr(os, "sched_getaffinity") else 1


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """Python's cycle collector paused, then as it was. Matching makes millions of small
    objects and almost no cycles (on a dev list of 4,000 rows the collector freed 4,200
    objects in all), while each of its passes reads the caches of names and keys held
    for the whole list: paused, the list was matched in 2.5 ms a row instead of 3.1. A
    forked worker inherits it paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def match_rows(
    organisation: Organisation, rows: list[Hints], *, top: int = 5
) -> Generator[list[dict[str, Any]], None, None]:
    """Each row's candidates in order; long lists use one forked process per core.

    Scoring runs in one thread (Python, calling numpy and rapidfuzz for each chunk), so
    one process uses one core; the workers read the same database (each opens its own
    connection) and their chunks come back in order. The cycle collector is paused
    meanwhile (``cycles_uncollected``).
    """
    with cycles_uncollected():
        yield from _matched(organisation, rows, top)


def _matched(
    organisation: Organisation, rows: list[Hints], top: int
) -> Iterator[list[dict[str, Any]]]:
    global _worker_matcher
    matcher = Matcher(organisation, top=top)
    jobs = cores()
    if len(rows) < PARALLEL_FROM or jobs < 2 or connection.in_atomic_block:
        said = search.words()
        for found in matcher.match_all(rows):
            yield [candidate(m, said) for m in found]
        return
    # Read once here, and shared with the workers by the fork.
    if any(row.birth_year for row in rows):
        matcher.born()
    matcher.romanised()  # rows with a year also choose a few of those born near by spelling
    _worker_matcher = matcher
    chunks = [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]
    connections.close_all()  # a forked worker must not share the parent's connection
    with Forked(jobs) as pool:
        for result in pool.map(_match_chunk, chunks):
            yield from result
    _worker_matcher = None
