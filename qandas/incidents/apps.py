from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "qandas.incidents"
    label = "incidents"
    verbose_name = _("Custody tracking")

    def ready(self) -> None:
        from qandas.incidents import demo  # noqa: F401  (adds the custody scenario to the demo)
        from qandas.incidents.receivers import assigned_people, blank_events_of_redacted_person
        from qandas.people.models import lawyer_people, person_redacted

        lawyer_people.connect(assigned_people, dispatch_uid="incidents.lawyer_people")
        person_redacted.connect(blank_events_of_redacted_person, dispatch_uid="incidents.redaction")
