"""Moving a merged record's documents to the survivor, and back on undo.

The contract is the people app's (``qandas.people.repoint``).
"""

from __future__ import annotations

from django.db import transaction

from qandas.documents.models import Document
from qandas.people.models import Person
from qandas.people.repoint import Moved

DOCUMENTS = "documents.Document"


def repoint(old: Person, new: Person) -> Moved:
    """Give ``old``'s documents (and with them their scans) to ``new``."""
    with transaction.atomic():
        ids = list(Document.objects.filter(person=old).order_by("pk").values_list("pk", flat=True))
        Document.objects.filter(pk__in=ids).update(person=new)
    return {DOCUMENTS: ids}


def restore(old: Person, new: Person, moved: Moved) -> None:
    """Give back to ``old`` exactly the documents ``repoint`` moved."""
    Document.objects.filter(pk__in=moved.get(DOCUMENTS, []), person=new).update(person=old)
