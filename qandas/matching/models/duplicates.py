"""Duplicate review: decisions that two records are (not) one person, and merges."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, User
from qandas.people.models import Person


class Verdict(models.TextChoices):
    NOT_SAME = "not_same", _("Not the same person")
    MERGED = "merged", _("Merged")


class DuplicateDecision(models.Model):
    """What someone decided about a pair of records; the pair is not proposed again.

    ``first`` is always the record with the lower id, so a pair has one row.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    score = models.FloatField(default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}/{self.second_id}: {self.verdict}"


# The key of ``Merge.moved`` that keeps the pair's decision a merge overruled ("not the
# same person": its verdict, note, score, who and when), for an undo to put back.
OVERRULED = "matching.DuplicateDecision:overruled"
# The "not the same person" decisions a merge gave the record kept, which the merged
# record had with others: [id, decided at] of each decision made, for an undo to take
# away if it is still as the merge made it.
CARRIED_DECISIONS = "matching.DuplicateDecision:carried"


class Merge(models.Model):
    """One merge of ``merged`` into ``survivor``: what moved, so that it can be undone."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # {"app_label.Model": [ids moved from merged to survivor], ...} from each repoint().
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id}"


class LikelyPair(models.Model):
    """Two live records of one organisation whose names are alike: the duplicate review's
    queue, found once and kept (``duplicates.refresh``), not worked out on every visit.

    Refreshed for a person whenever their names change, and for the people an import
    wrote by ``refresh_duplicates`` (``PairsStale``). The queue scores the pairs it shows
    again, so a changed birth year or a decision counts at once. ``first`` is the record
    with the lower id, so a pair has one row.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="likely_pair_once"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="likely_pair_ordered"),
        ]
        indexes = [models.Index(fields=["organisation", "-score"], name="likely_pair_org_score")]

    def __str__(self) -> str:
        return f"{self.first_id}/{self.second_id}: {self.score:.2f}"


class PairsStale(models.Model):
    """A person whose likely pairs are to be found again: written by ``import_people``
    (which sends no signal per person), read and emptied by ``refresh_duplicates``.
    A person may be listed more than once; no constraint, so that an import can stream
    the rows."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    def __str__(self) -> str:
        return str(self.person_id)
