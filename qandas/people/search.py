"""Finding people by name: the search the people list and the API call.

The matching app answers ``search_requested`` with a ranking across scripts and
spellings (``matching.search``); without it, the plain search below is the answer.
"""

from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

from django.apps import apps
from django.db.models import CharField, FloatField, Value
from django.dispatch import Signal
from django.utils.translation import gettext as _

from qandas.lib.numbers import number_key
from qandas.people.models import Person

# Sent with ``people`` (already narrowed by the access gate), ``query`` and optional
# hints (``birth_year``, ``father_name``, ``document_number``, ``city``). A receiver
# returns the matching people, best first, each with ``score`` (0..1) and ``why``.
search_requested = Signal()

# Sent with ``user``, ``names`` (the texts typed), ``birth_year``, ``father_name`` and
# ``person`` (the record being edited, or None) before a person is saved. A receiver
# returns the people visible to ``user`` who may be the same human being, best first,
# each with ``score`` and ``why`` (the matching app answers; without it, nobody).
duplicates_requested = Signal()

# Sent with ``person``, ``others``, ``by`` and ``request`` after a user saved ``person``
# although it looked like ``others``: the matching app remembers they are not the same.
duplicates_dismissed = Signal()


def find(people: Any, query: str, **hints: Any) -> Sequence[Person]:
    """People of ``people`` that match ``query``, best first, with ``score`` and ``why``;
    without a name, those holding the ``document_number`` hint (``holding``), and for a
    query with a digit that is a number someone holds, its holders.

    A receiver's answer may load its people only for the page shown (a ``Sequence``
    sliced by the paginator), so it is passed on as it is."""
    number = hints.get("document_number") or ""
    if not query.strip() and number.strip():
        return cast(Sequence[Person], holding(people, number))
    if not number.strip() and any(c.isdigit() for c in query):
        # A document number typed where the name goes (``POR-726451``): no name holds
        # digits, so its holders are what was meant, when there are any.
        held = holding(people, query)
        if held.exists():
            return cast(Sequence[Person], held)
    for _receiver, answer in search_requested.send(
        sender=Person, people=people, query=query, **hints
    ):
        if answer is not None:
            return cast(Sequence[Person], answer)
    return rank(people.search(query), query)


def in_city(people: Any, city: Any, query: str) -> tuple[Any, str]:
    """``people`` and the city hint ``find`` takes, for a search given a city (the people
    list's and the API's): with a name the city ranks its people first, a fact as the
    birth year is (someone held or seen away from home is still found); without one it
    keeps its people only."""
    if city is None:
        return people, ""
    if query.strip():
        return people, city.slug
    return people.filter(current_city=city), ""


def holding(people: Any, number: str) -> Any:
    """People of ``people`` holding a document numbered ``number``, each with ``score`` 1
    and ``why``. Numbers compare as the search compares them (``lib.numbers.number_key``:
    their letters and digits, case folded), so "ab123456" finds "AB 123-456": by the
    documents' index of their numbers so written, so that only the holders are read."""
    key = number_key(number)
    if not key:
        return people.none()
    # The documents app sits above this one: name its model, never import it.
    documents = apps.get_model("documents", "Document").objects
    numbered = documents.filter(number_key=key).values("person")
    return people.filter(pk__in=numbered).annotate(
        score=Value(1.0, output_field=FloatField()),
        why=Value(_("same document number"), output_field=CharField()),
    )


def name_score(name: str, query: str) -> float:
    """How well ``query`` matches one name, in 0..1: whole name 1, a prefix more than a middle."""
    name_folded, query_folded = name.casefold(), query.strip().casefold()
    if not query_folded or query_folded not in name_folded:
        return 0.0
    if name_folded == query_folded:
        return 1.0
    coverage = len(query_folded) / len(name_folded)
    bonus = 0.15 if name_folded.startswith(query_folded) else 0.0
    return round(min(0.95, 0.5 * coverage + 0.3 + bonus), 4)


def rank(people: Iterable[Person], query: str) -> list[Person]:
    """The plain search's ranking: people containing ``query``, best match first."""
    ranked = []
    for person in people:
        person.score = max((name_score(n.text, query) for n in person.names.all()), default=0.0)  # type: ignore[attr-defined]
        person.why = ""  # type: ignore[attr-defined]
        ranked.append(person)
    ranked.sort(key=lambda p: (-p.score, p.created_at))  # type: ignore[attr-defined]
    return ranked


def possible_duplicates(
    user: Any,
    names: list[str],
    *,
    birth_year: int | None = None,
    father_name: str = "",
    sex: str = "",
    person: Person | None = None,
) -> list[Person]:
    """People ``user`` may see who may be the person typed in (``duplicates_requested``)."""
    for _receiver, answer in duplicates_requested.send(
        sender=Person,
        user=user,
        names=names,
        birth_year=birth_year,
        father_name=father_name,
        sex=sex,
        person=person,
    ):
        if answer:
            return list(cast(Iterable[Person], answer))
    return []


def check_duplicates(
    user: Any,
    names: list[str],
    *,
    seen: Collection[str] = (),
    birth_year: int | None = None,
    father_name: str = "",
    sex: str = "",
    person: Person | None = None,
) -> tuple[list[Person], list[Person]]:
    """The guard the form and the API share: (people to show first, people dismissed).

    Nothing may be saved while ``possible_duplicates`` finds someone whose code is not
    among ``seen`` (the codes the user was shown and declared to be someone else); once
    every candidate is among them, they come back as dismissed, for
    ``duplicates_dismissed``. A candidate who appears only after a change is shown again.
    """
    found = possible_duplicates(
        user, names, birth_year=birth_year, father_name=father_name, sex=sex, person=person
    )
    if found and {str(p.code) for p in found} <= {str(code) for code in seen}:
        return [], found
    return found, []
