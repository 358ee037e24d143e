"""What the documents app does when another app acts on a person."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from qandas.documents.models import Document, Scan
from qandas.lib import files
from qandas.people.models import Person


def blank_documents_of_redacted_person(
    sender: type[Person], *, person: Person, by: Any, **kwargs: Any
) -> list[str]:
    """Blank numbers and issuers and remove scans of a person being redacted.

    Runs inside the redaction's transaction. Rows go now; the stored files go once it
    commits, so a redaction that rolls back loses no file.
    """
    documents = Document.objects.filter(person=person)
    if not documents.exists():
        return []
    documents.update(number="", number_key="", issuer="")
    blanked = ["documents.number", "documents.issuer"]
    scans = Scan.objects.filter(document__person=person)
    storage_names = list(scans.values_list("storage_name", flat=True))
    if storage_names:
        scans.delete()
        transaction.on_commit(lambda: _delete_files(storage_names))
        blanked.append("documents.scans")
    return blanked


def _delete_files(storage_names: list[str]) -> None:
    for name in storage_names:
        files.delete_stored(name)
