"""Places, events, custody episodes, clocks and alarms (DESIGN section 2)."""

from qandas.incidents.models.clocks import (
    Acknowledgement,
    Alarm,
    AlarmKind,
    AlarmLevel,
    ClockSettings,
    DutyRota,
)
from qandas.incidents.models.custody import (
    Assignment,
    AssignmentRole,
    Custody,
    CustodyState,
    Episode,
)
from qandas.incidents.models.events import (
    Attachment,
    Channel,
    Event,
    EventKind,
    EventPerson,
    EventRevision,
    Reliability,
    SearchAnswer,
    Source,
    TimePrecision,
)
from qandas.incidents.models.places import Place, PlaceKind, custody_people

__all__ = [
    "Acknowledgement",
    "Alarm",
    "AlarmKind",
    "AlarmLevel",
    "Assignment",
    "AssignmentRole",
    "Attachment",
    "Channel",
    "ClockSettings",
    "Custody",
    "CustodyState",
    "DutyRota",
    "Episode",
    "Event",
    "EventKind",
    "EventPerson",
    "EventRevision",
    "Place",
    "PlaceKind",
    "Reliability",
    "SearchAnswer",
    "Source",
    "TimePrecision",
    "custody_people",
]
