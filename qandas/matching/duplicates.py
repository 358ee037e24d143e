"""Duplicate records of one human being: finding them, merging them, undoing a merge.

Finding: each person is paired with the candidates each of their names would have as a
list's row (``batch.Matcher``) or, for a few people, as a search (``search``): the people
sharing most of its search keys (``NameKey``), and those born within a year of them among
everyone sharing a rare key, never everyone. Pairs that ``search.score_facts`` scores at
least ``STORE_FLOOR`` are stored (``LikelyPair``): for a person whenever their names
change, and for the people an import wrote when ``refresh_duplicates`` runs. The review
queue shows the stored pairs scored again as the records are now, those above
``THRESHOLD``, unless someone already decided about the pair.

Merging moves everything that points at the merged record to the survivor, app by app,
through each app's ``repoint`` (DESIGN section 3), and marks the merged record
``merged_into`` the survivor, which hides it from every list, search and page. What
moved is kept on the ``Merge`` row, so that an undo moves exactly that back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qandas.accounts.models import Organisation
from qandas.applications import repoint as applications_repoint
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.correspondence import repoint as correspondence_repoint
from qandas.documents import repoint as documents_repoint
from qandas.incidents import repoint as incidents_repoint
from qandas.lib.bulk import insert_rows
from qandas.lib.forked import Forked
from qandas.people import repoint as people_repoint
from qandas.people.models import Person, Sex, edit_filter
from qandas.people.repoint import Moved, RepointConflict

from . import keys, search
from .batch import Matcher, cores, cycles_uncollected
from .models import (
    CARRIED_DECISIONS,
    OVERRULED,
    DuplicateDecision,
    LikelyPair,
    ListRow,
    Merge,
    PairsStale,
    Verdict,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from qandas.accounts.models import User

THRESHOLD = 0.85  # a pair in the review queue scores at least this
GUARD_THRESHOLD = 0.8  # a candidate shown before saving a person scores at least this
# People refreshed together from which each organisation's candidates are chosen by one
# ``batch.Matcher`` (it reads every birth year and romanised name once), not by a search
# for each name.
MATCHED_FROM = 500
STORE_FLOOR = 0.8  # a pair is kept for the queue from this score (scored again when shown)
REFRESH_CHUNK = 500  # people refreshed together
PROGRESS_EVERY = 5000  # people refreshed between two progress lines
PARALLEL_FROM = 20_000  # stale people from which one process per core compares them
QUEUE_WINDOW = 500  # stored pairs passed through the access gate at a time
QUEUE_WINDOWS = 40  # windows read at most: the queue shows the best of 20,000 pairs
# The same name (scoring this much alone) is asked about, at the queue's ``THRESHOLD``,
# unless the two birth years are more than ``YEARS_APART`` apart (a namesake born three
# years off is asked about no more: each common name's namesakes would fill the queue).
# A pair's score never rises above its name's, so a disagreeing fact could only hide
# it: a birth year given a year or two off (a tazkira's Solar Hijri year, another
# document's) or another father's name (spelt otherwise, or wrong) hid a second
# registration of the same person from the guard and from the queue (found by
# exploratory testing, 11b: "Aizhan Baisalova" born 1992 registered again as born 1994,
# "Yerbol Baisalov" with another father).
# 0.92, not 0.95: a Latin name against its Arabic-script spelling scores 0.93 to 0.95
# ("Mohammad Hanif Popalzai" and "محمد حنیف پوپلزی" 0.93), while brothers' names
# sharing a stem score 0.90 to 0.91 (Kanat and Kairat Omarov 0.908).
SAME_NAME = 0.92
YEARS_APART = 2
# Fathers' names this little alike disagree (``search.Scored`` notes: 0..1).
FATHERS_DIFFER = 0.5
# Candidates the guard reads to choose its few from: the same name with a year off
# scores under namesakes sharing the father's name, and the first five by score were
# all such namesakes (found by exploratory testing, 12: "Mohammad Rafiq Haidari").
GUARD_READ = 50

# Lower apps first, in the order their rows depend on each other; undone in reverse.
REPOINTS: list[ModuleType] = [
    people_repoint,
    documents_repoint,
    incidents_repoint,
    applications_repoint,
    correspondence_repoint,
]
LIST_ROWS = "matching.ListRow"


class MergeRefused(Exception):
    """A merge, undo or decision that may not happen; the message says why."""


@dataclass
class Pair:
    """Two records that may be one person, ``first`` the older (lower id)."""

    first: Person
    second: Person
    score: float
    why: str


def ordered(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


def decided_pairs(people: Iterable[int]) -> set[tuple[int, int]]:
    ids = list(people)
    rows = DuplicateDecision.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids))
    return set(rows.values_list("first_id", "second_id"))


# Finding -------------------------------------------------------------------------------


Matchers = dict[int, Matcher]  # each organisation's, kept for a whole refresh


def _pairs_of(people: dict[int, search.Facts], matchers: Matchers | None) -> set[tuple[int, int]]:
    """Pairs of each of these people with the candidates each of their names would have
    as a list's row (``matchers``: one ``batch.Matcher`` an organisation, made when first
    needed) or as a search (``None``), lower id first.

    Both take the people sharing most rare keys with the name and, given a birth year,
    those born within a year of it among everyone sharing one (docs/names.md, "The
    review queue"). Pairing each person with the ten sharing most keys held by at most
    60 people, as until now, found 0.411 of the twins of a development registry, though
    0.99 of them score above the queue's threshold."""
    rows: dict[int, list[tuple[int, search.Hints]]] = defaultdict(list)
    for facts in people.values():
        for name in facts.names:
            rows[facts.organisation].append(
                (facts.pk, search.Hints(name, birth_year=facts.birth_year))
            )
    pairs: set[tuple[int, int]] = set()
    for organisation, named in rows.items():
        hints = [one for _pk, one in named]
        if matchers is None:
            found = [_searched(organisation, one) for one in hints]
        else:
            if organisation not in matchers:
                matchers[organisation] = Matcher(Organisation.objects.get(pk=organisation))
            found = matchers[organisation].candidates(hints)
        for (pk, _hints), others in zip(named, found, strict=True):
            pairs.update((min(pk, other), max(pk, other)) for other in others if other != pk)
    return pairs


def _searched(organisation: int, hints: search.Hints) -> list[int]:
    """A name's candidates among its organisation's people, as a search chooses them."""
    people = Person.objects.filter(
        organisation_id=organisation, redacted_at__isnull=True, merged_into__isnull=True
    )
    tokens = keys.analyse(hints.name)
    if hints.birth_year:
        return search.born_near_first(people, tokens, hints.birth_year)
    return search.candidates(people, tokens)


def refresh(person_ids: Iterable[int], matchers: Matchers | None = None) -> int:
    """Find again the likely pairs of these people (a chunk at a time), replacing those
    they had; returns how many pairs are stored now. ``matchers`` are kept across calls
    by a caller refreshing many people; from ``MATCHED_FROM`` people they are used
    anyway."""
    ids = sorted(set(person_ids))
    if matchers is None and len(ids) >= MATCHED_FROM:
        matchers = {}
    stored = 0
    for start in range(0, len(ids), REFRESH_CHUNK):
        stored += _refresh_chunk(ids[start : start + REFRESH_CHUNK], matchers)
    return stored


def _scored_pairs(ids: list[int], matchers: Matchers | None) -> list[tuple[int, int, int, float]]:
    """(organisation, first, second, score) of the likely pairs of these people, found
    and scored now; reads only, so that worker processes can do it."""
    chunk = search.facts_of(ids, live=True)
    pairs = _pairs_of(chunk, matchers)
    pairs -= decided_pairs(ids)  # each pair is of one of these people
    people = chunk | search.facts_of(
        {pk for pair in pairs for pk in pair} - chunk.keys(), live=True
    )
    others: dict[int, list[search.Facts]] = defaultdict(list)
    for first_id, second_id in sorted(pairs):
        a, b = people.get(first_id), people.get(second_id)
        if a is not None and b is not None and a.organisation == b.organisation:
            others[first_id].append(b)
    found = []
    firsts = [(people[first_id], seconds) for first_id, seconds in others.items()]
    for (a, seconds), scores in zip(firsts, alike_all(firsts), strict=True):
        for b, (score, _match) in zip(seconds, scores, strict=True):
            if search.reaches(score, STORE_FLOOR):
                found.append((a.organisation, a.pk, b.pk, score))
    return found


@transaction.atomic
def _store_pairs(ids: list[int], found: list[tuple[int, int, int, float]]) -> int:
    """Replace the stored pairs of these people with ``found``."""
    LikelyPair.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids)).delete()
    # A refresh of the other person, at the same moment, may have stored the pair too.
    LikelyPair.objects.bulk_create(
        [
            LikelyPair(organisation_id=org, first_id=first, second_id=second, score=score)
            for org, first, second, score in found
        ],
        ignore_conflicts=True,
    )
    return len(found)


@transaction.atomic
def _refresh_chunk(ids: list[int], matchers: Matchers | None) -> int:
    return _store_pairs(ids, _scored_pairs(ids, matchers))


def mark_stale(person_ids: Iterable[int]) -> None:
    """List people whose pairs are to be found again by ``refresh_stale``."""
    insert_rows(PairsStale._meta.db_table, ["person_id"], [(pk,) for pk in person_ids])


def mark_all_stale() -> int:
    """List every live person as stale; returns how many."""
    ids = list(
        Person.objects.filter(redacted_at__isnull=True, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    mark_stale(ids)
    return len(ids)


def _stale_batches(size: int) -> Iterator[tuple[list[int], list[int]]]:
    """(rows of ``PairsStale``, their people) a batch at a time, until none are left; the
    caller deletes each batch's rows before taking the next."""
    while True:
        batch = list(PairsStale.objects.order_by("pk").values_list("pk", "person_id")[:size])
        if not batch:
            return
        yield [pk for pk, _person in batch], sorted({person for _pk, person in batch})


# Each organisation's matcher in a worker process: read in the parent before the fork.
_worker_matchers: Matchers = {}


def _scored_in_worker(ids: list[int]) -> list[tuple[int, int, int, float]]:
    return _scored_pairs(ids, _worker_matchers)


def refresh_stale(*, progress: Callable[[str], None] | None = None) -> int:
    """Refresh the people listed in ``PairsStale`` (an import's) and empty the list;
    returns how many people were refreshed. A long list (``--all`` over a large
    registry) is compared by one forked process per core; this process stores."""
    global _worker_matchers
    total = PairsStale.objects.count()
    jobs = cores()
    parallel = total >= PARALLEL_FROM and jobs >= 2 and not connection.in_atomic_block
    matchers: Matchers | None = {} if total >= MATCHED_FROM else None
    pool = None
    if parallel:
        matchers = _worker_matchers = _stale_matchers()
        connections.close_all()  # a forked worker must not share the parent's connection
        pool = Forked(jobs)
    try:
        with cycles_uncollected():  # as for a long list (``batch.cycles_uncollected``)
            return _refresh_batches(total, pool, jobs, matchers, progress)
    finally:
        _worker_matchers = {}
        if pool is not None:
            pool.close()


def _stale_matchers() -> Matchers:
    """A matcher for each organisation of the stale people, every birth year and
    romanised name read: once here, and shared with the forked workers."""
    stale = Person.objects.filter(pk__in=PairsStale.objects.values("person_id"))
    matchers = {}
    for organisation in Organisation.objects.filter(pk__in=stale.values("organisation_id")):
        matcher = matchers[organisation.pk] = Matcher(organisation)
        matcher.born()
        matcher.romanised()
    return matchers


def _refresh_batches(
    total: int,
    pool: Forked | None,
    jobs: int,
    matchers: Matchers | None,
    progress: Callable[[str], None] | None,
) -> int:
    done = 0
    size = REFRESH_CHUNK * jobs * 4 if pool is not None else REFRESH_CHUNK
    for rows, people in _stale_batches(size):
        chunks = [people[i : i + REFRESH_CHUNK] for i in range(0, len(people), REFRESH_CHUNK)]
        if pool is None:
            refresh(people, matchers)
        else:
            # Found in the workers, stored here: a person whose names change meanwhile
            # is refreshed again by the change itself, and the queue scores every pair
            # again as the records are when it shows them.
            for chunk, found in zip(chunks, pool.map(_scored_in_worker, chunks), strict=True):
                _store_pairs(chunk, found)
        # Only the rows read: a person listed again meanwhile is refreshed next time.
        PairsStale.objects.filter(pk__in=rows).delete()
        done += len(rows)
        if progress and total >= PROGRESS_EVERY:
            progress(f"{min(done, total)}/{total} people compared")
    return done


def score_pair(a: Person, b: Person) -> tuple[float, str]:
    """How likely ``a`` and ``b`` (loaded with their city and names) are one person."""
    return facts_alike(search.Facts.of(a), search.Facts.of(b))


def facts_alike(a: search.Facts, b: search.Facts) -> tuple[float, str]:
    """How likely ``a`` and ``b`` are one person: their best pair of names, weighed with
    the birth year and father's name when both records hold them; and why."""
    score, match = alike(a, [b])[0]
    if match is None:
        return score, ""
    return score, _with_reason(match.why, score, match)


def alike(a: search.Facts, others: list[search.Facts]) -> list[tuple[float, search.Scored | None]]:
    """``facts_alike`` of ``a`` with each of ``others`` (distinct people), and the best
    match of each (``None``: none)."""
    return alike_all([(a, others)])[0]


def alike_all(
    people: list[tuple[search.Facts, list[search.Facts]]],
) -> list[list[tuple[float, search.Scored | None]]]:
    """``alike`` of each person and their others. Each person's each name is scored
    against the names of all their others for whom the same facts weigh, and all of
    those at once (``search.score_all``): a few names at a time, most of the time went
    in calling numpy and rapidfuzz."""
    asked: list[tuple[search.Hints, list[search.Facts]]] = []
    owners: list[int] = []
    for at, (a, others) in enumerate(people):
        weighing: dict[tuple[bool, bool], list[search.Facts]] = defaultdict(list)
        for b in others:
            # A record's patronymic says its father's name (``search.Facts.patronymic``).
            fathers = a.father_name and (b.father_name or b.patronymic())
            both = bool(a.birth_year and b.birth_year), bool(fathers)
            weighing[both].append(b)
        for (year, father), group in weighing.items():
            for text in a.names:
                hints = search.Hints(
                    text,
                    birth_year=a.birth_year if year else None,
                    father_name=a.father_name if father else "",
                )
                asked.append((hints, group))
                owners.append(at)
    best: list[dict[int, tuple[float, search.Scored | None]]] = [
        {b.pk: (0.0, None) for b in others} for _a, others in people
    ]
    for at, matches in zip(owners, search.score_all(asked), strict=True):
        for match in matches:
            score = asked_about(match.score, match.name_score, match.notes)
            if score > best[at][match.facts.pk][0]:
                best[at][match.facts.pk] = score, match
    return [[own[b.pk] for b in others] for own, (_a, others) in zip(best, people, strict=True)]


def _with_reason(why: str, value: float, match: search.Match | search.Scored) -> str:
    """``why``, saying why the pair is asked about when only the same name's rule asks
    (``asked_about`` lifted ``match``'s score to ``value``): "born 1994 (given: 1992)" alone
    read as a reason against."""
    if value <= min(match.score, match.name_score):
        return why
    # "The same name" was said of names 0.92 alike but not the same, Bolat and Yerbol
    # among them (exploratory testing, 16).
    if match.name_score >= 1.0:
        reason = _("the same name, asked about although one fact differs")
    else:
        reason = _("names this alike, asked about although one fact differs")
    return "; ".join(filter(None, [why, reason]))


def asked_about(score: float, name_score: float, notes: tuple[tuple[str, Any], ...]) -> float:
    """How likely a match is the same person, for the guard and the queue: its score
    with the facts, never above its name's (the names must match: a shared family name
    and birth year are spouses or siblings); but the same name (``SAME_NAME``) is asked
    about at the queue's threshold when at most one fact disagrees, a birth year no more
    than ``YEARS_APART`` off or another father's name (``notes``, ``search.Scored``'s):
    a namesake of a common name born elsewhen to another father is not."""
    value = min(score, name_score)
    facts = dict(notes)
    held, given = facts.get("born") or (0, 0)
    year_off = bool(held and given and held != given)
    if year_off and abs(int(held) - int(given)) > YEARS_APART:
        return value
    father = facts.get("father", facts.get("patronymic"))  # None: the record holds none
    father_differs = father is not None and father < FATHERS_DIFFER
    if search.reaches(name_score, SAME_NAME) and not (year_off and father_differs):
        value = max(value, THRESHOLD)
    return value


def likely_duplicates(
    people_qs: QuerySet[Person], limit: int = 50, *, threshold: float = THRESHOLD
) -> list[Pair]:
    """Stored pairs of people of ``people_qs`` that may be one person, most likely first,
    scored again as the records are now; never a pair already decided.

    The stored pairs are read best first, a window at a time, and each window passes
    through the access gate (``people_qs``): one query per window however large the
    registry, never a join of every pair with every visible person."""
    live = people_qs.filter(redacted_at__isnull=True, merged_into__isnull=True)
    organisations = search.organisations_of(live)
    ranked = LikelyPair.objects.filter(organisation_id__in=organisations).order_by(
        "-score", "-second_id", "-first_id"
    )
    stored: list[tuple[int, int]] = []
    wanted = limit + limit // 2
    for start in range(0, QUEUE_WINDOW * QUEUE_WINDOWS, QUEUE_WINDOW):
        window = list(ranked.values_list("first_id", "second_id")[start : start + QUEUE_WINDOW])
        ids = {pk for pair in window for pk in pair}
        visible = set(live.filter(pk__in=ids).values_list("pk", flat=True))
        decided = decided_pairs(ids)
        stored += [
            pair
            for pair in window
            if pair[0] in visible and pair[1] in visible and pair not in decided
        ]
        if len(stored) >= wanted or len(window) < QUEUE_WINDOW:
            break
    stored = stored[:wanted]
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in={pk for pair in stored for pk in pair})
        .select_related("current_city")
        .prefetch_related("names")
    }
    found = []
    for first_id, second_id in stored:
        a, b = people[first_id], people[second_id]
        score, why = score_pair(a, b)
        if search.reaches(score, threshold):
            found.append(Pair(a, b, score, why))
    # Of equals, the newest record's pairs first: among a common name's namesakes asked
    # about alike, a registration made today sat 152nd (exploratory testing, 12).
    found.sort(key=lambda p: (-p.score, -p.second.pk, -p.first.pk))
    return found[:limit]


def waiting(people_qs: QuerySet[Person]) -> int:
    """How many people of ``people_qs`` wait to be compared (after an import)."""
    return (
        PairsStale.objects.filter(person__in=people_qs.values("pk"))
        .values("person_id")
        .distinct()
        .count()
    )


def guard_candidates(
    user: User,
    names: list[str],
    *,
    birth_year: int | None = None,
    father_name: str = "",
    sex: str = "",
    person: Person | None = None,
    limit: int = 5,
) -> list[Person]:
    """People visible to ``user`` who may be the person being typed in, best first,
    each with ``score``, ``why`` and ``matched_name``; never ``person`` itself, nor
    anyone already decided to be someone else than ``person``, nor of the other sex
    when both are given: a sister's name spelt like her brother's (Zhanar and Zhandos
    score 0.86) asked whether she was him (found by exploratory testing, 11b)."""
    people = Person.objects.visible_to(user)
    other = {Sex.FEMALE: Sex.MALE, Sex.MALE: Sex.FEMALE}.get(sex)  # type: ignore[call-overload]
    if other is not None:
        people = people.exclude(sex=other)
    if person is not None and person.pk:
        others = DuplicateDecision.objects.filter(Q(first=person) | Q(second=person))
        people = (
            people.exclude(pk=person.pk)
            .exclude(pk__in=others.values("first"))
            .exclude(pk__in=others.values("second"))
        )
    best: dict[int, tuple[float, search.Match]] = {}
    for text in dict.fromkeys(t.strip() for t in names if t.strip()):
        for match in search.find(
            people, text, birth_year=birth_year, father_name=father_name, limit=GUARD_READ
        ):
            value = asked_about(match.score, match.name_score, match.notes)
            if search.reaches(value, GUARD_THRESHOLD) and (
                match.person.pk not in best or value > best[match.person.pk][0]
            ):
                best[match.person.pk] = value, match
    # Ranked, and scored on the page, as the queue ranks and scores them.
    chosen = sorted(best.values(), key=lambda vm: (-vm[0], -vm[1].score, vm[1].person.pk))
    for value, match in chosen[:limit]:
        # Rounded as a search's scores are: the 409 said 0.7999999999999999 (exploratory
        # testing, 16).
        match.person.score = round(value, 4)  # type: ignore[attr-defined]
        match.person.why = _with_reason(match.why, value, match)  # type: ignore[attr-defined]
        match.person.matched_name = match.name  # type: ignore[attr-defined]
    return [match.person for _value, match in chosen[:limit]]


# Deciding ------------------------------------------------------------------------------


def may_edit_both(user: User, a: Person, b: Person) -> bool:
    """Whether ``user`` may change both records (merged ones included, for an undo)."""
    scope = edit_filter(user, city_field="current_city")
    return Person.objects.filter(scope, pk__in=[a.pk, b.pk], redacted_at__isnull=True).count() == 2


def _refuse_unless_pair(a: Person, b: Person, by: User) -> None:
    if a.pk == b.pk:
        raise MergeRefused(_("A record cannot be merged with itself."))
    if a.organisation_id != b.organisation_id:
        raise MergeRefused(_("The two records belong to different organisations."))
    if a.merged_into_id is not None or b.merged_into_id is not None:
        raise MergeRefused(_("One of the two records was already merged into another."))
    if not may_edit_both(by, a, b):
        raise MergeRefused(_("You may not change both records."))


def _lock(*people: Person) -> None:
    """Take the records' rows in id order (two merges of the same pair queue here)."""
    pks = sorted(p.pk for p in people)
    list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk"))
    for person in people:
        person.refresh_from_db(fields=["merged_into", "redacted_at", "organisation"])


def not_same(
    a: Person,
    b: Person,
    *,
    by: User,
    note: str = "",
    score: float = 0.0,
    request: HttpRequest | None = None,
) -> DuplicateDecision:
    """Remember that ``a`` and ``b`` are two people: the pair is not proposed again."""
    with transaction.atomic():
        _lock(a, b)
        _refuse_unless_pair(a, b, by)
        first, second = ordered(a, b)
        decision, _created = DuplicateDecision.objects.update_or_create(
            first=first,
            second=second,
            defaults={
                "organisation_id": first.organisation_id,
                "verdict": Verdict.NOT_SAME,
                "note": note[:500],
                "score": score,
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        for person in (first, second):
            record(Verb.NOT_SAME, actor=by, request=request, obj=person, fields=["duplicates"])
    return decision


def reopen(a: Person, b: Person, *, by: User, request: HttpRequest | None = None) -> bool:
    """Withdraw a "not the same person" decision of ``a`` and ``b`` (a wrong click, a
    "save anyway" too quick): the pair may be proposed again, and is compared again at
    once. False when there was none (withdrawn meanwhile, or the pair merged)."""
    with transaction.atomic():
        _lock(a, b)
        _refuse_unless_pair(a, b, by)
        first, second = ordered(a, b)
        gone, _by_kind = DuplicateDecision.objects.filter(
            first=first, second=second, verdict=Verdict.NOT_SAME
        ).delete()
        if not gone:
            return False
        for person in (first, second):
            record(Verb.UPDATE, actor=by, request=request, obj=person, fields=["duplicates"])
    refresh([first.pk, second.pk])
    return True


def not_same_decisions(people: QuerySet[Person]) -> QuerySet[DuplicateDecision]:
    """The "not the same person" decisions of pairs both of whose records are among
    ``people`` (``Person.objects.editable_by``: live ones), the latest first."""
    return (
        DuplicateDecision.objects.filter(
            verdict=Verdict.NOT_SAME, first__in=people, second__in=people
        )
        .select_related("first__current_city", "second__current_city", "decided_by")
        .prefetch_related("first__names", "second__names")
        .order_by("-decided_at", "-pk")
    )


def merge(
    survivor: Person,
    merged: Person,
    *,
    by: User,
    score: float = 0.0,
    request: HttpRequest | None = None,
) -> Merge:
    """Move everything of ``merged`` to ``survivor`` and hide ``merged``; all or nothing.

    Raises ``MergeRefused`` (or ``RepointConflict`` from an app that cannot move its
    rows as they are) and then nothing has changed.
    """
    with transaction.atomic():
        _lock(survivor, merged)
        _refuse_unless_pair(survivor, merged, by)
        if (
            Person.objects.filter(pk=merged.pk, merged_into__isnull=True).update(
                merged_into=survivor
            )
            != 1
        ):
            raise MergeRefused(_("One of the two records was already merged into another."))
        merged.merged_into = survivor
        moved: Moved = {}
        for app in REPOINTS:
            moved.update(app.repoint(merged, survivor))
        rows = list(ListRow.objects.filter(person=merged).values_list("pk", flat=True))
        ListRow.objects.filter(pk__in=rows).update(person=survivor)
        moved[LIST_ROWS] = rows
        first, second = ordered(survivor, merged)
        overruled = overruled_decision(first, second)
        if overruled is not None:
            moved[OVERRULED] = overruled
        moved[CARRIED_DECISIONS] = _carry_decisions(merged, survivor, by=by, request=request)
        done = Merge.objects.create(
            organisation_id=survivor.organisation_id,
            survivor=survivor,
            merged=merged,
            moved=moved,
            merged_by=by,
        )
        DuplicateDecision.objects.update_or_create(
            first=first,
            second=second,
            defaults={
                "organisation_id": first.organisation_id,
                "verdict": Verdict.MERGED,
                "note": "",
                "score": score,
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        # Their keys followed the names: people_repoint sent names_changed for both.
        record(Verb.MERGE, actor=by, request=request, obj=merged, fields=["merged_into"])
        record(Verb.MERGE, actor=by, request=request, obj=survivor, fields=moved_fields(moved))
    return done


def _carry_decisions(
    merged: Person, survivor: Person, *, by: User, request: HttpRequest | None
) -> list[list[Any]]:
    """Give ``survivor`` the merged record's "not the same person" decisions with others
    it has no decision with (``CARRIED_DECISIONS``): the person someone decided is not
    another is not them under the record kept either. Without it, the queue proposed the
    other with the record kept at 0.99, on the very name judged different."""
    made: list[list[Any]] = []
    theirs = DuplicateDecision.objects.filter(
        Q(first=merged) | Q(second=merged), verdict=Verdict.NOT_SAME
    ).order_by("pk")
    for decision in theirs:
        other_id = decision.second_id if decision.first_id == merged.pk else decision.first_id
        if other_id == survivor.pk:
            continue
        first_id, second_id = sorted((survivor.pk, other_id))
        made_row, created = DuplicateDecision.objects.get_or_create(
            first_id=first_id,
            second_id=second_id,
            defaults={
                "organisation_id": decision.organisation_id,
                "verdict": Verdict.NOT_SAME,
                "note": decision.note,
                "score": decision.score,
                "decided_by_id": decision.decided_by_id,
                "decided_at": decision.decided_at,
            },
        )
        if created:
            made.append([made_row.pk, made_row.decided_at.isoformat()])
            for person in (made_row.first, made_row.second):
                record(Verb.NOT_SAME, actor=by, request=request, obj=person, fields=["duplicates"])
    return made


def overruled_decision(first: Person, second: Person) -> list[Any] | None:
    """The pair's decision a merge of them overrules ("not the same person"), as
    ``Merge.moved`` keeps it (``OVERRULED``: [field, value] pairs) for an undo to put
    back; None if undecided."""
    decision = (
        DuplicateDecision.objects.filter(first=first, second=second)
        .exclude(verdict=Verdict.MERGED)
        .first()
    )
    if decision is None:
        return None
    return [
        ["verdict", decision.verdict],
        ["note", decision.note],
        ["score", decision.score],
        ["decided_by_id", decision.decided_by_id],
        ["decided_at", decision.decided_at.isoformat()],
    ]


# Keys of ``Merge.moved`` that say something of rows a merge did not change: the names
# it left on the merged record (the survivor had them), and where the names it moved were;
# and the decision it overruled.
UNCHANGED = {
    OVERRULED,
    people_repoint.PRIMARY,
    people_repoint.POSITIONS,
    people_repoint.KEPT,
    people_repoint.WRITTEN,
    people_repoint.CARRIED,
}


def moved_fields(moved: Moved) -> list[str]:
    """What a merge changed, by kind of record, for the audit trail (names, never
    values): a merge of a record whose every name the survivor had changed no name. The
    details the kept record was given (``people.repoint.CARRIED``) by their fields."""
    kinds = {key.split(":")[0] for key, ids in moved.items() if ids and key not in UNCHANGED}
    details = {field for field, *_values in moved.get(people_repoint.CARRIED, [])}
    return sorted(kinds | details)


def undo_refused_by_redaction(done: Merge) -> bool:
    """Whether either record of ``done`` was redacted since: what the merge moved and
    left is blanked, so nothing could come back as it was, whoever asks."""
    return done.survivor.is_redacted or done.merged.is_redacted


def undo(done: Merge, *, by: User, request: HttpRequest | None = None) -> Merge:
    """Move back exactly what ``done`` moved and show the merged record again."""
    with transaction.atomic():
        survivor, merged = done.survivor, done.merged
        _lock(survivor, merged)
        if undo_refused_by_redaction(done):
            raise MergeRefused(
                _("A merge with a redacted record cannot be undone: its details are gone.")
            )
        if not may_edit_both(by, survivor, merged):
            raise MergeRefused(_("You may not change both records."))
        if survivor.merged_into_id is not None:
            raise MergeRefused(
                _("The surviving record was merged again since; undo that merge first.")
            )
        claimed = Merge.objects.filter(pk=done.pk, undone_at__isnull=True).update(
            undone_at=timezone.now(), undone_by=by
        )
        if claimed != 1 or merged.merged_into_id != survivor.pk:
            raise MergeRefused(_("This merge was already undone."))
        Person.objects.filter(pk=merged.pk).update(merged_into=None)
        merged.merged_into = None
        first, second = ordered(survivor, merged)
        moved = done.moved
        # Undecided again before the names move back, so that the names_changed refresh
        # finds the pair for the queue; or decided as before the merge ("not the same
        # person", which the merge overruled), and kept out of it.
        decision = DuplicateDecision.objects.filter(
            first=first, second=second, verdict=Verdict.MERGED
        )
        if moved.get(OVERRULED):
            before = dict(moved[OVERRULED])
            before["decided_at"] = datetime.fromisoformat(before["decided_at"])
            decision.update(**before)
        else:
            decision.delete()
        # Only the decisions the merge made, as it made them: one withdrawn since and
        # taken again is someone's own, and stays.
        for pk, at in moved.get(CARRIED_DECISIONS, []):
            carried = DuplicateDecision.objects.filter(
                pk=pk, verdict=Verdict.NOT_SAME, decided_at=datetime.fromisoformat(at)
            ).select_related("first", "second")
            for made in carried:
                made.delete()
                for person in (made.first, made.second):
                    record(
                        Verb.UPDATE, actor=by, request=request, obj=person, fields=["duplicates"]
                    )
        # Only the rows decided before the merge: one undone and confirmed again since
        # records its own event on the record kept, and stays there with it.
        ListRow.objects.filter(
            pk__in=moved.get(LIST_ROWS, []), person=survivor, decided_at__lte=done.merged_at
        ).update(person=merged)
        for app in reversed(REPOINTS):
            app.restore(merged, survivor, moved)
        # Their keys followed the names back: restore sent names_changed for both.
        record(Verb.UNMERGE, actor=by, request=request, obj=merged, fields=["merged_into"])
        record(Verb.UNMERGE, actor=by, request=request, obj=survivor, fields=moved_fields(moved))
    done.refresh_from_db()
    return done


__all__ = [
    "GUARD_THRESHOLD",
    "THRESHOLD",
    "MergeRefused",
    "Pair",
    "RepointConflict",
    "guard_candidates",
    "likely_duplicates",
    "mark_all_stale",
    "mark_stale",
    "merge",
    "not_same",
    "refresh",
    "refresh_stale",
    "undo",
    "waiting",
]
