"""Demo documents: every kind, some expired, some ignored by police at an arrest."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from qandas.accounts.demo import Demo, demo_loaded
from qandas.accounts.models import Organisation
from qandas.documents.models import Document, DocumentKind, DocumentStatus, Respected
from qandas.people.models import Person, Relationship

ISSUERS = {
    DocumentKind.PROTECTION_LETTER: "Ministry of Interior, Islamabad",
    DocumentKind.POR_CARD: "NADRA",
    DocumentKind.ACC: "NADRA",
    DocumentKind.TAZKIRA: "Population Registration Department, Kabul",
    DocumentKind.PASSPORT: "Ministry of Foreign Affairs, Kabul",
    DocumentKind.EMBASSY_RECEIPT: "Embassy of Kazakhstan, Islamabad",
    DocumentKind.QANDAS_CERTIFICATE: "Migration Service, Astana",
    DocumentKind.COURT_ORDER: "Judicial Magistrate",
    DocumentKind.OTHER: "",
}
PREFIX = {
    DocumentKind.PROTECTION_LETTER: "MOI-PL",
    DocumentKind.POR_CARD: "POR",
    DocumentKind.ACC: "ACC",
    DocumentKind.TAZKIRA: "TZ",
    DocumentKind.PASSPORT: "P",
    DocumentKind.EMBASSY_RECEIPT: "EKZ",
    DocumentKind.QANDAS_CERTIFICATE: "QC",
    DocumentKind.COURT_ORDER: "CO",
    DocumentKind.OTHER: "X",
}


def add_document(rng: random.Random, person: Person, kind: str, *, expired: bool) -> Document:
    today = timezone.localdate()
    issued = today - timedelta(days=rng.randint(200, 2500))
    valid_until = (
        today - timedelta(days=rng.randint(10, 400))
        if expired
        else today + timedelta(days=rng.randint(30, 900))
    )
    return Document.objects.create(
        organisation=person.organisation,
        person=person,
        kind=kind,
        number=f"{PREFIX[DocumentKind(kind)]}-{rng.randint(100000, 999999)}",
        issuer=ISSUERS[DocumentKind(kind)],
        issued_on=issued,
        valid_until=valid_until,
        status=DocumentStatus.EXPIRED
        if expired
        else rng.choice([DocumentStatus.VALID, DocumentStatus.VALID, DocumentStatus.UNVERIFIED]),
        respected_at_arrest=rng.choice(
            [Respected.UNKNOWN, Respected.UNKNOWN, Respected.IGNORED, Respected.RESPECTED]
        ),
    )


def load_documents(organisation: Organisation) -> int:
    """Papers for the demo people; a second run finds them and adds nothing."""
    if Document.objects.filter(organisation=organisation).exists():
        return 0
    rng = random.Random(20251202)  # noqa: S311  (demo data, not secrets)
    kinds = list(DocumentKind)
    created = 0
    people = Person.objects.filter(organisation=organisation).order_by("pk")
    for index, person in enumerate(people):
        if person.relationship == Relationship.HEAD:
            # The household's protection letter, as in the scenario.
            add_document(rng, person, DocumentKind.PROTECTION_LETTER, expired=rng.random() < 0.2)
            created += 1
        if person.relationship in (Relationship.HEAD, Relationship.SPOUSE, Relationship.PARENT):
            add_document(rng, person, DocumentKind.POR_CARD, expired=rng.random() < 0.3)
            created += 1
        # Cycle through every kind so each appears, some of them expired.
        kind = kinds[index % len(kinds)]
        add_document(rng, person, kind, expired=index % 5 == 0)
        created += 1
    return created


@receiver(demo_loaded, sender=Demo)
def add_demo_documents(sender: Any, organisation: Organisation, **kwargs: Any) -> None:
    load_documents(organisation)
