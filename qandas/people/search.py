"""The registry's plain name search and its score (the matching issue replaces it)."""

from collections.abc import Iterable

from qandas.people.models import Person


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
    """People best match first; each gets a ``score`` attribute."""
    ranked = []
    for person in people:
        person.score = max((name_score(n.text, query) for n in person.names.all()), default=0.0)  # type: ignore[attr-defined]
        ranked.append(person)
    ranked.sort(key=lambda p: (-p.score, p.created_at))  # type: ignore[attr-defined]
    return ranked
