"""Letters: threads, replies only to one's own letters, scans, and the timeline and its PDF."""

import io
from typing import Any

import pikepdf
import pytest
from django.test import Client
from django.utils import timezone

from qandas.audit.models import AuditEvent, Verb
from qandas.correspondence.models import Letter, LetterScan
from qandas.correspondence.tests.helpers import exchange
from qandas.documents.tests.helpers import png_bytes
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def x(cast: Cast) -> Any:
    return exchange(cast.organisation, cast.karachi, cast.liaison)


def test_a_reply_joins_the_thread_shown_whole_on_every_letter(
    client: Client, cast: Cast, x: Any
) -> None:
    client.force_login(cast.liaison)
    page = client.get(f"/letters/new/?reply_to={x.reply.code}").content.decode()
    assert f"Re: {x.reply.subject}" in page
    response = client.post(
        "/letters/new/",
        {
            "reply_to": str(x.reply.code),
            "direction": "out",
            "dated_on": timezone.localdate().isoformat(),
            "authority": str(x.authority.code),
            "official": str(x.official.code),
            "subject": "Thank you; when exactly?",
            "text": "We ask for a date.",
            "applications": [str(x.application.code)],
        },
    )
    assert response.status_code == 302, response.content
    third = Letter.objects.get(subject="Thank you; when exactly?")
    assert third.reply_to == x.reply
    assert list(third.applications.all()) == [x.application]
    assert AuditEvent.objects.filter(verb=Verb.CREATE, object_code=third.code).exists()
    assert [t.pk for t in x.letter.thread()] == [x.letter.pk, x.reply.pk, third.pk]
    client.force_login(cast.coordinator)
    page = client.get(f"/letters/{x.letter.code}/").content.decode()
    for letter in (x.letter, x.reply, third):
        assert letter.subject in page
    assert "Zhanar Testova" in page  # a linked person the coordinator may see
    assert "Record the reply" not in page  # coordinators read only


def test_a_reply_to_another_organisations_letter_is_refused(
    client: Client, cast: Cast, x: Any
) -> None:
    theirs = exchange(cast.other_organisation, cast.karachi, cast.outsider_admin, name="Court")
    count = Letter.objects.count()
    client.force_login(cast.liaison)
    data = {
        "reply_to": str(theirs.letter.code),
        "direction": "out",
        "dated_on": timezone.localdate().isoformat(),
        "authority": str(x.authority.code),
        "subject": "Hijacked thread",
        "text": "",
    }
    response = client.post("/letters/new/", data)
    assert response.status_code == 200
    assert "That letter is not one of your organisation&#x27;s." in response.content.decode()
    assert Letter.objects.count() == count
    token = cast.token("liaison")
    response = client.post(
        "/api/v1/letters",
        {**data, "reply_to": str(theirs.letter.code)},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "not one of your organisation" in response.json()["detail"]
    assert Letter.objects.count() == count


def test_scans_are_uploaded_and_downloaded_with_an_audit_trail(
    client: Client, cast: Cast, x: Any
) -> None:
    client.force_login(cast.liaison)
    upload = io.BytesIO(png_bytes())
    upload.name = "reply.png"
    response = client.post(f"/letters/{x.reply.code}/scans/new/", {"file": upload})
    assert response.status_code == 302
    scan = LetterScan.objects.exclude(pk=x.scan.pk).get(letter=x.reply)
    assert scan.path.is_file()
    assert AuditEvent.objects.filter(verb=Verb.CREATE, object_code=scan.code).exists()
    bad = io.BytesIO(b"MZ not an image")
    bad.name = "reply.png"
    response = client.post(f"/letters/{x.reply.code}/scans/new/", {"file": bad})
    assert response.status_code == 200
    assert LetterScan.objects.filter(letter=x.reply).count() == 2

    client.force_login(cast.coordinator)
    response = client.get(f"/letter-scans/{scan.code}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(
        verb=Verb.DOWNLOAD, object_code=scan.code, actor=cast.coordinator
    ).exists()


def test_the_timeline_holds_no_names_unless_asked_and_exports_an_audited_pdf(
    client: Client, cast: Cast, x: Any
) -> None:
    x.promise.slip(
        x.promise.due_on.replace(day=1) + (x.promise.due_on - x.promise.made_on),
        precision="month",
        by=cast.liaison,
        quote="A little later.",
    )
    client.force_login(cast.coordinator)
    url = f"/authorities/{x.authority.code}/timeline/"
    page = client.get(url).content.decode()
    assert x.letter.subject in page and x.reply.subject in page
    assert x.promise.quote in page and "A little later." in page
    assert "Zhanar Testova" not in page
    assert "Dear Minister" not in page  # never the letter's text
    assert "no personal data" in page

    page = client.get(url, {"names": "on"}).content.decode()
    assert "Zhanar Testova" in page
    assert "Dear Minister" not in page

    official = client.get(f"/officials/{x.official.code}/timeline/").content.decode()
    assert x.reply.subject in official

    response = client.get(url, {"pdf": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) >= 1
    event = AuditEvent.objects.filter(verb=Verb.EXPORT, object_code=x.authority.code).get()
    assert event.actor == cast.coordinator
    assert "names" not in event.fields
    client.get(url, {"pdf": "1", "names": "on"})
    last = AuditEvent.objects.filter(verb=Verb.EXPORT, object_code=x.authority.code).exclude(
        pk=event.pk
    )
    assert "names" in last.get().fields
