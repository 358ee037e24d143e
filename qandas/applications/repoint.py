"""Moving a merged record's applications to the survivor, and back on undo.

The contract is the people app's (``qandas.people.repoint``). An application's history
(its status changes) and its batch go with it; applications for a household stay.
"""

from __future__ import annotations

from django.db import transaction

from qandas.applications.models import Application
from qandas.people.models import Person
from qandas.people.repoint import Moved

APPLICATIONS = "applications.Application"


def repoint(old: Person, new: Person) -> Moved:
    """Give ``old``'s applications to ``new``."""
    with transaction.atomic():
        ids = list(
            Application.objects.filter(person=old).order_by("pk").values_list("pk", flat=True)
        )
        Application.objects.filter(pk__in=ids).update(person=new)
    return {APPLICATIONS: ids}


def restore(old: Person, new: Person, moved: Moved) -> None:
    """Give back to ``old`` exactly the applications ``repoint`` moved."""
    Application.objects.filter(pk__in=moved.get(APPLICATIONS, []), person=new).update(person=old)
