"""The production path of list matching: a task stored in the database, run by
``manage.py db_worker``. Its own module: the worker's transactions cannot be nested in
the one the module-scoped cast holds open."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from qandas.incidents.models import Place
from qandas.matching.models import ListUpload, MatchState
from qandas.matching.tests.test_lists import LIST, post_list, register
from qandas.test import build_cast

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_matches_an_uploaded_list(settings: Any) -> None:
    """The production path: the upload stores a task in the database (the upload's id,
    never a name), and ``manage.py db_worker`` runs it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    cast = build_cast()
    register(cast, "Aibek Sharifi", year=1990)
    station = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )
    client = Client()
    client.force_login(cast.coordinator)
    assert post_list(client, LIST, place=str(station.code)).status_code == 302
    upload = ListUpload.objects.get()
    assert upload.match_state == MatchState.QUEUED
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [upload.pk], "kwargs": {}}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    upload.refresh_from_db()
    assert upload.match_state == MatchState.DONE
    assert upload.rows.get(line=2).candidates[0]["score"] > 0.8
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
