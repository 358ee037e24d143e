from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "qandas.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from qandas.matching import (
            demo,  # noqa: F401  (adds the lists demo)
            receivers,  # noqa: F401  (keys names, answers searches)
        )
