from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "qandas.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from qandas.documents import demo  # noqa: F401  (adds documents to the demo)
        from qandas.documents.receivers import blank_documents_of_redacted_person
        from qandas.people.models import person_redacted

        person_redacted.connect(
            blank_documents_of_redacted_person, dispatch_uid="documents.redaction"
        )
