"""Records the correspondence tests share: an authority, its minister, letters, a promise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from qandas.accounts.models import City, Organisation, User
from qandas.applications.models import Application, Authority, Batch, Official
from qandas.correspondence.models import Letter, LetterScan, Promise
from qandas.documents.tests.helpers import png_bytes
from qandas.lib import files
from qandas.people.models import Person


@dataclass
class Exchange:
    authority: Authority
    official: Official
    person: Person
    application: Application
    batch: Batch
    letter: Letter
    reply: Letter
    promise: Promise
    scan: LetterScan


def exchange(
    organisation: Organisation, city: City, by: User, *, name: str = "Ministry of Labour"
) -> Exchange:
    """A letter to a minister, the minister's reply with a promise, a scan, links."""
    today = timezone.localdate()
    authority = Authority.objects.create(organisation=organisation, kind="ministry", name=name)
    official = Official.objects.create(authority=authority, name="A. Minister", post="Minister")
    person = Person.objects.create(organisation=organisation, current_city=city)
    person.set_names([{"text": "Zhanar Testova"}])
    application = Application.objects.create(
        organisation=organisation, kind="visa", person=person, authority=authority
    )
    batch = Batch.objects.create(
        organisation=organisation, name="Batch of 300", authority=authority
    )
    letter = Letter.objects.create(
        organisation=organisation,
        direction="out",
        dated_on=today - timedelta(days=40),
        authority=authority,
        official=official,
        subject="Request for a decision on 300 applications",
        text="Dear Minister, Zhanar Testova and others are waiting.",
        created_by=by,
    )
    letter.people.set([person])
    letter.applications.set([application])
    letter.batches.set([batch])
    reply = Letter.objects.create(
        organisation=organisation,
        direction="in",
        dated_on=today - timedelta(days=30),
        authority=authority,
        official=official,
        subject="Answer on the 300 applications",
        text="They will be considered in due course.",
        reply_to=letter,
        created_by=by,
    )
    promise = Promise.objects.create(
        organisation=organisation,
        authority=authority,
        official=official,
        letter=reply,
        made_on=reply.dated_on,
        quote="The applications will be sent for consideration.",
        due_on=today + timedelta(days=60),
        created_by=by,
    )
    data = png_bytes()
    clean = files.CleanFile(data, "image/png", "png", "answer.png")
    scan = LetterScan.objects.create(
        letter=reply,
        storage_name=files.store(clean.data, clean.extension),
        content_type=clean.content_type,
        display_name=clean.display_name,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=by,
    )
    return Exchange(authority, official, person, application, batch, letter, reply, promise, scan)


def iso(day: date) -> str:
    return day.isoformat()
