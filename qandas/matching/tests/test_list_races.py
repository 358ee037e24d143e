"""List-row decisions raced over two real database connections on PostgreSQL."""

import threading

import pytest

from qandas.incidents.models import Event, EventRevision, Place
from qandas.incidents.models.events import RevisionAction
from qandas.incidents.tests.test_races import at_once, needs_postgresql
from qandas.matching import lists
from qandas.matching.models import ListRow
from qandas.matching.tests.test_list_undo import confirmed
from qandas.matching.tests.test_lists import register
from qandas.test import build_cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_undos_at_once_reset_the_row_and_retract_its_event_once() -> None:
    needs_postgresql()
    cast = build_cast()
    station = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )
    row = confirmed(cast, register(cast, "Aibek Sharifi", year=1990), station)
    event = row.event
    assert event is not None
    # Both read the confirmed row before either writes: the conditional update in the
    # database, not a check in Python, has to stop the second.
    barrier = threading.Barrier(2, timeout=20)

    def undo() -> str:
        stale = ListRow.objects.get(pk=row.pk)
        barrier.wait()
        try:
            lists.undo(stale, by=cast.coordinator)
        except lists.DecisionError:
            return "refused"
        return "undone"

    assert sorted(at_once(undo)) == ["refused", "undone"]
    row.refresh_from_db()
    assert (row.state, row.event) == ("pending", None)
    assert Event.objects.get(pk=event.pk).retracted_at is not None
    assert EventRevision.objects.filter(event=event, action=RevisionAction.RETRACTED).count() == 1
