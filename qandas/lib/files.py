"""Uploaded files: clean them, then keep them privately under names the server makes.

Security R17. Only PDF, JPEG and PNG are accepted, decided by their bytes. Images are
decoded and re-encoded (which drops EXIF, GPS, ICC and text chunks and anything
smuggled inside); PDFs are rewritten by qpdf without scripts, automatic actions or
embedded files. The name a user gave is kept only as display text; on disk a file is
``<random hex>.<ext>`` in ``PRIVATE_FILES_DIR``, outside the web root, and is sent only
through ``qandas.audit.disclosure.download``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import uuid
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MB = 1024 * 1024
MAX_PIXELS = 40_000_000
DISPLAY_NAME_MAX = 120

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
# Canonical extension of each accepted type, and the extensions a name may carry for it.
EXTENSION = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
ALIASES = {
    PDF: {"pdf"},
    JPEG: {"jpg", "jpeg", "jpe", "jfif"},
    PNG: {"png"},
}
KNOWN_EXTENSIONS = {alias: kind for kind, aliases in ALIASES.items() for alias in aliases}
TYPE_LABEL = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}

# Lists of people (``qandas.matching``) are kept as uploaded: they are never shown inline,
# only downloaded as attachments, and are read cell by cell by ``matching.tables``, which
# refuses formulas. Their bytes are checked there, not cleaned here.
CSV, XLSX = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_EXTENSION = {CSV: "csv", XLSX: "xlsx"}

STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|jpg|png|csv|xlsx)")

# Bidirectional controls that can make "gpj.exe" read as "exe.jpg" (and marks).
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))} | {
    "\u200e",
    "\u200f",
    "\u061c",
    "\ufeff",
}
# Characters Windows refuses in file names; replaced so a downloaded file can be saved.
UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*]')
LOOKS_LIKE_EXTENSION = re.compile(r"[A-Za-z0-9]{1,5}")
# Harmless padding some scanners leave after an image's end marker.
PADDING = b"\x00\r\n\t "


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed ``clean_upload``: safe bytes and what to call them."""

    data: bytes
    content_type: str
    extension: str  # without the dot: pdf, jpg or png
    display_name: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_upload(uploaded: UploadedFile) -> CleanFile:
    """Check and clean an uploaded file, or raise ``ValidationError`` saying why not."""
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise _too_big(uploaded.size, limit)
    data = _read_at_most(uploaded, limit)
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError(
            _(
                "This file is not a PDF, JPEG or PNG, whatever its name says. "
                "Scan or photograph the document again and save it as one of those."
            ),
            code="file_type",
        )
    name = uploaded.name or ""
    claimed = KNOWN_EXTENSIONS.get(_extension_of(_basename(name)).lower())
    if claimed is not None and claimed != content_type:
        raise ValidationError(
            _("This file's name says %(claimed)s but its contents are a %(real)s. Rename it.")
            % {"claimed": TYPE_LABEL[claimed], "real": TYPE_LABEL[content_type]},
            code="file_type_mismatch",
        )
    cleaned = clean_pdf(data) if content_type == PDF else clean_image(data, content_type)
    extension = EXTENSION[content_type]
    return CleanFile(cleaned, content_type, extension, display_name(name, extension))


def _too_big(size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("This file is %(size).1f MB; the limit is %(limit)s MB.")
        % {"size": size / MB, "limit": f"{limit / MB:g}"},
        code="file_size",
    )


def _read_at_most(uploaded: UploadedFile, limit: int) -> bytes:
    """Read the file in chunks, stopping as soon as it exceeds the limit."""
    uploaded.seek(0)
    buffer = bytearray()
    for chunk in uploaded.chunks():
        buffer.extend(chunk)
        if len(buffer) > limit:
            raise _too_big(uploaded.size or len(buffer), limit)
    if not buffer:
        raise ValidationError(_("This file is empty."), code="file_empty")
    return bytes(buffer)


def sniff(data: bytes) -> str | None:
    """The accepted type these bytes really are, by their signature, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


# Images --------------------------------------------------------------------------------


def clean_image(data: bytes, content_type: str) -> bytes:
    """Decode and re-encode an image: upright, and without any metadata."""
    end = png_end(data) if content_type == PNG else jpeg_end(data)
    if end is None:
        raise _unreadable_image()
    if data[end:].strip(PADDING):
        raise ValidationError(
            _(
                "This image has other data hidden after its end, which can be used to "
                "attack browsers. Open it and save it again as a new image (or take a "
                "screenshot), then upload that."
            ),
            code="file_trailing_data",
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns above ~89 megapixels; the check below refuses far earlier,
            # before any pixel is decoded. Past twice that, open() itself refuses.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                if image.format != {PNG: "PNG", JPEG: "JPEG"}[content_type]:
                    raise _unreadable_image()
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, content_type)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(0, 0) from exc
    except ValidationError:
        raise
    except Exception as exc:  # any failure to decode means we cannot vouch for the file
        raise _unreadable_image() from exc


def _encode(image: Image.Image, content_type: str) -> bytes:
    """Save pixels only: no EXIF, GPS, ICC profile, comments or text chunks."""
    transparency = image.info.get("transparency")
    image.info = {}
    out = io.BytesIO()
    if content_type == JPEG:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90, optimize=True)
    else:
        options: dict[str, Any] = {}
        if transparency is not None and image.mode in ("P", "L", "RGB"):
            options["transparency"] = transparency
        image.save(out, format="PNG", optimize=False, **options)
    return out.getvalue()


def _too_many_pixels(width: int, height: int) -> ValidationError:
    if width and height:
        message = _(
            "This image is %(width)s × %(height)s pixels; the limit is 40 megapixels. "
            "Scan it at a lower resolution."
        ) % {"width": width, "height": height}
    else:
        message = _("This image has too many pixels; the limit is 40 megapixels.")
    return ValidationError(message, code="file_pixels")


def _unreadable_image() -> ValidationError:
    return ValidationError(
        _("This image could not be read; it may be damaged. Save it again and retry."),
        code="file_unreadable",
    )


def png_end(data: bytes) -> int | None:
    """Offset just past the IEND chunk, or None if the chunks do not add up."""
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position if position <= len(data) else None
    return None


def jpeg_end(data: bytes) -> int | None:
    """Offset just past the first image's EOI marker, or None if there is none."""
    position = 2
    size = len(data)
    while position + 4 <= size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    return None
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position += 2
                    continue
                break
    if position + 2 <= size and data[position : position + 2] == b"\xff\xd9":
        return position + 2
    return None


# PDFs ----------------------------------------------------------------------------------

# Keys that run something, open something or carry files, wherever they appear.
PDF_DANGEROUS_KEYS = (
    "/OpenAction",
    "/AA",
    "/JS",
    "/JavaScript",
    "/EmbeddedFiles",
    "/EF",
    "/AF",
    "/XFA",
    "/Collection",
    "/RichMediaContent",
)
# Annotations that exist to play or carry something.
PDF_DANGEROUS_ANNOTATIONS = {
    "/FileAttachment",
    "/RichMedia",
    "/Screen",
    "/Movie",
    "/Sound",
    "/3D",
}
# Actions a cleaned PDF keeps: moving inside the document, links and viewer commands.
PDF_SAFE_ACTIONS = {"/GoTo", "/URI", "/Named"}


def clean_pdf(data: bytes) -> bytes:
    """Rewrite a PDF without scripts, automatic actions, attachments or metadata."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise _encrypted_pdf() from exc
    except Exception as exc:  # qpdf could not parse it: nothing we can vouch for
        raise _unreadable_pdf() from exc
    with pdf:
        if pdf.is_encrypted:
            raise _encrypted_pdf()
        try:
            _strip_pdf(pdf)
            out = io.BytesIO()
            # Copy streams as they are: decoding them could inflate a compression bomb.
            pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        except Exception as exc:
            raise _unreadable_pdf() from exc
    return out.getvalue()


def _strip_pdf(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    for key in ("/Metadata", "/OpenAction", "/AA", "/Collection"):
        if key in root:
            del root[key]
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
        if "/Annots" in page.obj:
            kept = [
                annotation
                for annotation in page.obj.Annots
                if isinstance(annotation, pikepdf.Dictionary)
                and str(annotation.get("/Subtype", "")) not in PDF_DANGEROUS_ANNOTATIONS
            ]
            page.obj.Annots = pikepdf.Array(kept)
    _scrub(root)


def _scrub(start: Any) -> None:
    """Walk every object reachable from ``start`` and remove what could run or carry files.

    Iterative, with a visited set, so deep or cyclic structures cannot exhaust the stack.
    """
    seen: set[tuple[int, int]] = set()
    queue: deque[Any] = deque([start])
    while queue:
        obj = queue.popleft()
        if isinstance(obj, pikepdf.Array):
            queue.extend(obj)
            continue
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        for key in PDF_DANGEROUS_KEYS:
            if key in obj:
                del obj[key]
        if "/A" in obj and not _safe_action(obj.get("/A")):
            del obj["/A"]
        if str(obj.get("/Type", "")) == "/Action" and not _safe_action(obj):
            del obj["/S"]
        for key in list(obj.keys()):
            if key != "/Parent":
                queue.append(obj[key])


def _safe_action(action: Any) -> bool:
    if not isinstance(action, pikepdf.Dictionary):
        return True  # a destination array, not an action
    return str(action.get("/S", "")) in PDF_SAFE_ACTIONS and "/Next" not in action


def _encrypted_pdf() -> ValidationError:
    return ValidationError(
        _(
            "This PDF is encrypted or protected with a password. Save an unprotected "
            "copy (for example with “Print to PDF”) and upload that."
        ),
        code="file_encrypted",
    )


def _unreadable_pdf() -> ValidationError:
    return ValidationError(
        _("This PDF could not be read; it may be damaged. Save it again and retry."),
        code="file_unreadable",
    )


# Names ---------------------------------------------------------------------------------


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension if dot and stem else ""


def display_name(original: str, extension: str) -> str:
    """A name safe to show and to offer on download, ending in the real extension.

    Basename only; control and bidirectional-override characters removed; whitespace
    collapsed; at most 120 characters. A wrong extension is dropped (``x.pdf.exe``
    becomes ``x.pdf``) and the real one added.
    """
    name = unicodedata.normalize("NFC", _basename(original or ""))
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace()
        or (ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cs"))
    )
    name = UNSAFE_IN_NAMES.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, current = name.rpartition(".")
    if dot and stem and LOOKS_LIKE_EXTENSION.fullmatch(current):
        if KNOWN_EXTENSIONS.get(current.lower()) is None:
            # Not ours (x.pdf.exe): drop it, and look again at what is left.
            name = stem.strip(" .")
            stem, dot, current = name.rpartition(".")
        if dot and stem and current.lower() in _aliases_of(extension):
            name = stem.strip(" .")
    name = name or "scan"
    return name[: DISPLAY_NAME_MAX - len(extension) - 1].rstrip(" .") + "." + extension


def _aliases_of(extension: str) -> set[str]:
    kind = next((kind for kind, ext in EXTENSION.items() if ext == extension), None)
    return ALIASES[kind] if kind else {extension}


# Storage -------------------------------------------------------------------------------


def _directory() -> Path:
    directory = Path(settings.PRIVATE_FILES_DIR)
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
    return directory


def store(data: bytes, extension: str) -> str:
    """Write ``data`` under a new random name and return that name.

    Written to a temporary file in the same directory and renamed, so a reader never
    sees half a file.
    """
    if extension not in {*EXTENSION.values(), *TABLE_EXTENSION.values()}:
        raise SuspiciousFileOperation("unknown extension")
    directory = _directory()
    storage_name = f"{uuid.uuid4().hex}.{extension}"
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, directory / storage_name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return storage_name


def path_of(storage_name: str) -> Path:
    """Where a stored file lives. Only names ``store`` makes are accepted."""
    if not isinstance(storage_name, str) or not STORAGE_NAME.fullmatch(storage_name):
        raise SuspiciousFileOperation("not a storage name")
    return Path(settings.PRIVATE_FILES_DIR) / storage_name


def delete_stored(storage_name: str) -> None:
    """Remove a stored file; a file already gone is not an error."""
    path_of(storage_name).unlink(missing_ok=True)
