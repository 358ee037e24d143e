"""How matching follows the registry: names are keyed as they change, and searches ranked."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from qandas.people.models import Person, names_changed
from qandas.people.search import search_requested

from . import index, search


@receiver(names_changed, sender=Person, dispatch_uid="matching.reindex")
def reindex(sender: type, *, person: Person, **kwargs: Any) -> None:
    index.reindex(person)


@receiver(search_requested, sender=Person, dispatch_uid="matching.search")
def answer_search(
    sender: type,
    *,
    people: Any,
    query: str,
    birth_year: int | None = None,
    father_name: str = "",
    document_number: str = "",
    city: str = "",
    **kwargs: Any,
) -> list[Any]:
    return search.rank_people(
        people,
        query,
        birth_year=birth_year,
        father_name=father_name,
        document_number=document_number,
        city=city,
    )
