"""The application pipeline: every move the issue allows, a few it does not, history,
overdue, stale pages and batch moves."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from qandas.applications.models import (
    NEXT,
    Application,
    Batch,
    Status,
    StatusChange,
    TransitionError,
    allowed_moves,
)
from qandas.applications.tests.helpers import setting
from qandas.test import Cast

pytestmark = pytest.mark.django_db

# The pipeline as the issue states it, written out independently of ``NEXT``.
BEFORE_ARRIVAL = [s for s in Status.values if s not in ("arrived", "withdrawn")]
ISSUE: dict[str, set[str]] = {
    "draft": {"submitted"},
    "submitted": {"acknowledged", "processed"},
    "acknowledged": {"processed"},
    "processed": {"sent_for_consideration", "approved", "refused"},
    "sent_for_consideration": {"approved", "refused"},
    "approved": {"travelled"},
    "travelled": {"arrived"},
    "refused": {"submitted"},
    "arrived": set(),
    "withdrawn": set(),
}
for _status in BEFORE_ARRIVAL:
    ISSUE[_status] = ISSUE[_status] | {"withdrawn"}


@pytest.fixture
def o(cast: Cast) -> dict[str, Any]:
    return setting(cast.organisation, cast.karachi)


def new_application(o: dict[str, Any], status: str = "draft", **extra: Any) -> Application:
    return Application.objects.create(
        organisation=o["authority"].organisation,
        kind="visa",
        person=o["person"],
        authority=o["authority"],
        status=status,
        **extra,
    )


def test_the_pipeline_is_the_issues() -> None:
    for status in Status.values:
        assert set(allowed_moves(status)) == ISSUE[status], status
        assert set(NEXT.get(status, set())) == ISSUE[status], status


def test_every_allowed_move_moves_and_leaves_a_history_row(cast: Cast, o: dict) -> None:
    for old, targets in ISSUE.items():
        for new in sorted(targets):
            application = new_application(o, old)
            change = application.move_to(new, by=cast.liaison, note=f"{old} to {new}")
            application.refresh_from_db()
            assert application.status == new
            assert application.status_changed_at == change.at
            rows = list(application.history.values_list("old", "new", "by", "note"))
            assert rows == [(old, new, cast.liaison.pk, f"{old} to {new}")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("draft", "approved"),
        ("submitted", "travelled"),
        ("refused", "approved"),
        ("arrived", "withdrawn"),
        ("withdrawn", "submitted"),
        ("approved", "refused"),
    ],
)
def test_a_move_the_pipeline_does_not_allow_changes_nothing(
    cast: Cast, o: dict, old: str, new: str
) -> None:
    application = new_application(o, old)
    with pytest.raises(TransitionError) as raised:
        application.move_to(new, by=cast.liaison)
    assert raised.value.conflict is False
    assert "cannot become" in str(raised.value)
    application.refresh_from_db()
    assert application.status == old
    assert not application.history.exists()


def test_a_stale_expected_status_is_a_conflict_and_changes_nothing(cast: Cast, o: dict) -> None:
    application = o["application"]
    Application.objects.get(pk=application.pk).move_to("submitted", by=cast.admin)
    with pytest.raises(TransitionError) as raised:
        application.move_to("submitted", by=cast.liaison, expected="draft")
    assert raised.value.conflict is True
    assert "Someone else moved" in str(raised.value)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert list(application.history.values_list("by", flat=True)) == [cast.admin.pk]


def test_history_is_append_only(cast: Cast, o: dict) -> None:
    change = o["application"].move_to("submitted", by=cast.liaison)
    change.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        change.save()


def test_overdue_is_a_passed_expected_date_while_pending(o: dict) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    late = new_application(o, "processed", expected_decision_on=yesterday)
    on_time = new_application(o, "submitted", expected_decision_on=tomorrow)
    decided = new_application(o, "approved", expected_decision_on=yesterday)
    unsent = new_application(o, "draft", expected_decision_on=yesterday)
    assert late.is_overdue
    assert not any(a.is_overdue for a in (on_time, decided, unsent))
    assert list(Application.objects.overdue()) == [late]


# A batch move locks its applications (select_for_update): engine-dependent.
@pytest.mark.engines
def test_a_batch_moves_those_that_can_and_skips_the_others(cast: Cast, o: dict) -> None:
    batch: Batch = o["batch"]
    second = new_application(o, "draft", batch=batch)
    approved = new_application(o, "approved", batch=batch)
    moved, skipped = batch.move_all("submitted", by=cast.liaison, note="Sent in December")
    assert sorted(c.application_id for c in moved) == sorted(
        [o["household_application"].pk, second.pk]
    )
    assert skipped == [approved]
    changes = StatusChange.objects.filter(batch=batch)
    assert changes.count() == 2
    assert set(changes.values_list("old", "new", "note")) == {
        ("draft", "submitted", "Sent in December")
    }
    approved.refresh_from_db()
    assert approved.status == "approved"
    assert not approved.history.exists()
