"""Background tasks of the matching app (django-tasks; ``manage.py db_worker`` runs them).

A task's arguments are stored in the database until it runs: ids only, never a name.
"""

from __future__ import annotations

from django_tasks import task

from . import lists


@task()
def match_upload(upload_id: int) -> None:
    """Match an uploaded list's rows against the registry (``lists.match_upload``)."""
    lists.match_upload(upload_id)
