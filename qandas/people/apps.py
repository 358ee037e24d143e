from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "qandas.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from qandas.people import demo  # noqa: F401  (adds the demo community)
