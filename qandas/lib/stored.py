"""The shape every stored file shares: a scan, an event's attachment, a letter's scan.

An abstract model (no table of its own): the file lives in the private store under
a server-made name (``lib.files``); the row keeps what is safe to show about it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Self

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.lib import files
from qandas.lib.files import CleanFile


class StoredFile(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    display_name = models.CharField(_("file name"), max_length=120, editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def download_name(self) -> str:
        """The name a download is saved under: made here, never the uploader's. A file
        named after the person in it ("Nurzhan arrest +92300….csv") put that name in
        the browser's downloads and the folder it went to (R13, R17); the uploader's
        name stays on the page, as ``display_name``."""
        extension = Path(self.storage_name).suffix
        return f"{self._meta.model_name}-{str(self.code)[:8]}{extension}"

    @property
    def path(self) -> Path:
        """Where the stored file is (outside the web root)."""
        return files.path_of(self.storage_name)

    @classmethod
    def store(cls, clean: CleanFile, *, by: Any, **owner: Any) -> Self:
        """Write a cleaned file and its row; if the row cannot be saved, the file goes."""
        storage_name = files.store(clean.data, clean.extension)
        try:
            with transaction.atomic():
                return cls.objects.create(  # type: ignore[attr-defined]
                    storage_name=storage_name,
                    content_type=clean.content_type,
                    display_name=clean.display_name,
                    size=clean.size,
                    sha256=clean.sha256,
                    uploaded_by=by,
                    **owner,
                )
        except BaseException:
            files.delete_stored(storage_name)
            raise
