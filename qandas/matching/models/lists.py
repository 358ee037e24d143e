"""Uploaded lists (police, court, deportation, embassy) and each row's match."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import City, Organisation, User
from qandas.incidents.models import Event, Place
from qandas.lib.stored import StoredFile
from qandas.people.models import Person


class ListKind(models.TextChoices):
    POLICE = "police", _("Police list")
    COURT = "court", _("Court list")
    DEPORTATION = "deportation", _("Deportation list")
    EMBASSY = "embassy", _("Embassy list")
    OTHER = "other", _("Other list")


class MatchState(models.TextChoices):
    """Where an uploaded list's matching against the registry stands (a background task,
    ``matching.tasks.match_upload``)."""

    QUEUED = "queued", _("Waiting to be matched")
    MATCHING = "matching", _("Being matched")
    DONE = "done", _("Matched")
    FAILED = "failed", _("Matching failed")


class ListUpload(StoredFile):
    """A list as uploaded: the file in the private store, and what it is a list of."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of list"), max_length=12, choices=ListKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place the list is from"),
    )
    listed_on = models.DateField(_("date of the list"), default=timezone.localdate)
    encoding = models.CharField(max_length=20, blank=True, editable=False)
    # Each column's header as the file wrote it: shown for the columns Qandas does not
    # read ("№" came out as "no", "Примечание" as "примечание").
    headers = models.JSONField(default=dict, blank=True, editable=False)
    match_state = models.CharField(
        max_length=8, choices=MatchState.choices, default=MatchState.QUEUED, editable=False
    )
    # Rows matched so far, in the order of their lines: where a run picks up after a failure.
    matched_rows = models.PositiveIntegerField(default=0, editable=False)
    # When the matching last moved (started, matched some rows, ended): a run that has not
    # moved for long died with its worker, and may be started again.
    match_moved_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(StoredFile.Meta):
        ordering = ["-uploaded_at"]

    @property
    def matched(self) -> bool:
        return self.match_state == MatchState.DONE


class RowState(models.TextChoices):
    PENDING = "pending", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("No match")


class ListRow(models.Model):
    """One data row of a list, its candidates when matched, and the reviewer's decision."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    upload = models.ForeignKey(ListUpload, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    cells = models.JSONField(default=dict)
    # [{"person": id, "score": 0..1, "name": ..., "why": ...}], best first.
    candidates = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=RowState.choices, default=RowState.PENDING)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["upload", "line"]
        constraints = [models.UniqueConstraint(fields=["upload", "line"], name="list_row_once")]

    def __str__(self) -> str:
        return f"{self.upload_id}:{self.line}"


class ListCandidate(models.Model):
    """A person among a row's candidates (``ListRow.candidates``), kept by id beside
    them: which rows may name a person, for the person's page, without reading every
    row's candidates (SQLite cannot look inside them). Written with the candidates
    (``lists.match_upload``); a candidate merged since is found through the record kept."""

    row = models.ForeignKey(ListRow, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["row", "person"], name="list_candidate_once")
        ]

    def __str__(self) -> str:
        return f"{self.row_id}:{self.person_id}"
