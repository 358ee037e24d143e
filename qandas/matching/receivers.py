"""How matching follows the registry: names are keyed as they change, and searches ranked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from qandas.people.models import Person, names_changed, person_redacted
from qandas.people.search import duplicates_dismissed, duplicates_requested, search_requested

from . import duplicates, index, search
from .redaction import forget_redacted


@receiver(names_changed, sender=Person, dispatch_uid="matching.reindex")
def reindex(sender: type, *, person: Person, **kwargs: Any) -> None:
    index.reindex(person)
    duplicates.refresh([person.pk])  # the review queue's pairs of this person


@receiver(post_save, sender=Person, dispatch_uid="matching.birth_year")
def keep_birth_year(
    sender: type,
    *,
    instance: Person,
    created: bool,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    """A person's key rows hold their birth year (``NameKey.born``): a new person has no
    keys yet (their names key them), a save that did not write the date changes none.
    A new year gives the person other candidates for the review queue's pairs (those
    born near it): they are found again."""
    if created or raw or (update_fields is not None and "birth_date" not in update_fields):
        return
    if index.keep_birth_year(instance):
        duplicates.refresh([instance.pk])


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
) -> Sequence[Any]:
    return search.rank_people(
        people,
        query,
        birth_year=birth_year,
        father_name=father_name,
        document_number=document_number,
        city=city,
    )


@receiver(duplicates_requested, sender=Person, dispatch_uid="matching.duplicates")
def answer_duplicates(
    sender: type,
    *,
    user: Any,
    names: list[str],
    birth_year: int | None = None,
    father_name: str = "",
    sex: str = "",
    person: Person | None = None,
    **kwargs: Any,
) -> list[Person]:
    return duplicates.guard_candidates(
        user, names, birth_year=birth_year, father_name=father_name, sex=sex, person=person
    )


@receiver(duplicates_dismissed, sender=Person, dispatch_uid="matching.not_same")
def remember_dismissed(
    sender: type,
    *,
    person: Person,
    others: list[Person],
    by: Any,
    request: Any = None,
    **kwargs: Any,
) -> None:
    """Saved anyway, as a different person: the pairs leave the review queue."""
    for other in others:
        try:
            duplicates.not_same(
                person,
                other,
                by=by,
                note=_("Saved as a different person from the registration form."),
                score=getattr(other, "score", 0.0),
                request=request,
            )
        except duplicates.MergeRefused:
            continue  # not the user's to decide (another city): the queue will ask someone


@receiver(person_redacted, sender=Person, dispatch_uid="matching.redaction")
def blank_matching_of_redacted_person(
    sender: type, *, person: Person, by: Any, **kwargs: Any
) -> list[str]:
    return forget_redacted(person)
