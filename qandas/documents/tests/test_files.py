"""The malicious-file corpus (security R17) against ``qandas.lib.files``."""

import io
import os
import stat
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qandas.documents.tests.helpers import png_bytes
from qandas.lib import files
from qandas.lib.files import clean_upload, display_name

# Pure Python (file cleaning, settings parsing): the same on either database.
pytestmark = pytest.mark.once


def upload(name: str, data: bytes) -> files.CleanFile:
    return clean_upload(SimpleUploadedFile(name, data))


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        upload(name, data)
    return " ".join(caught.value.messages)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90°
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (24.0, 51.0, 36.0), 3: "E", 4: (67.0, 0.0, 36.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(
        out, format="JPEG", exif=exif.tobytes(), icc_profile=b"\0" * 64
    )
    return out.getvalue()


def pdf_with_script_and_attachment() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root.OpenAction = pdf.make_indirect(script)
    pdf.Root.AA = pikepdf.Dictionary(WC=script)
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), script]))
    )
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ-payload-bytes")
    page.AA = pikepdf.Dictionary(O=script)
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    page.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Link,
                        Rect=[0, 0, 10, 10],
                        A=launch,
                    )
                ),
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.FileAttachment,
                        Rect=[0, 0, 10, 10],
                        FS=pikepdf.Dictionary(
                            Type=pikepdf.Name.Filespec,
                            F=pikepdf.String("b.exe"),
                            EF=pikepdf.Dictionary(F=pdf.make_stream(b"MZ-attached-annotation")),
                        ),
                    )
                ),
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Link,
                        Rect=[0, 0, 10, 10],
                        A=pikepdf.Dictionary(
                            S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")
                        ),
                    )
                ),
            ]
        )
    )
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


# Types and names ---------------------------------------------------------------------------


def test_a_program_renamed_pdf_is_refused() -> None:
    message = refusal("x.pdf", b"MZ\x90\x00" + b"\0" * 200)
    assert message.startswith("This file is not a PDF, JPEG or PNG")


def test_html_and_svg_are_refused_whatever_their_name() -> None:
    assert "not a PDF, JPEG or PNG" in refusal("x.png", b"<html><script>alert(1)</script>")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert "not a PDF, JPEG or PNG" in refusal("x.svg", svg)


def test_a_name_that_contradicts_the_bytes_is_refused() -> None:
    assert "name says PNG but its contents are a PDF" in refusal(
        "scan.png", pdf_with_script_and_attachment()
    )


def test_the_type_comes_from_the_bytes_not_the_name() -> None:
    clean = upload("x.pdf.exe", png_bytes())
    assert (clean.content_type, clean.extension, clean.display_name) == (
        "image/png",
        "png",
        "x.pdf.png",
    )


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("x.pdf.exe", "x.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),
        ("a\u2066b\u2069c\u200e\u200f.PDF", "abc.pdf"),
        ("tab\tand\nnew  line\x00.pdf", "tab and new line.pdf"),
        ("", "scan.pdf"),
        ("..", "scan.pdf"),
        ('a<b>:"c|?*.pdf', "a_b___c___.pdf"),
        ("Паспорт Айгерим.pdf", "Паспорт Айгерим.pdf"),
        ("وثيقة\u200cمهمة.pdf", "وثيقة\u200cمهمة.pdf"),
        ("report", "report.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_display_names_are_sanitised(original: str, expected: str) -> None:
    assert display_name(original, "pdf") == expected


def test_jpeg_aliases_become_jpg() -> None:
    assert display_name("Photo.JPEG", "jpg") == "Photo.jpg"


# Size and pixels ---------------------------------------------------------------------------


def test_a_16_mb_file_is_refused_before_it_is_read() -> None:
    uploaded = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (16 * 1024 * 1024))
    uploaded.chunks = None  # type: ignore[assignment,method-assign]  # reading would fail
    with pytest.raises(ValidationError) as caught:
        clean_upload(uploaded)
    assert caught.value.messages == ["This file is 16.0 MB; the limit is 15 MB."]


def test_the_size_message_names_both_sizes() -> None:
    message = refusal("big.jpg", b"\xff\xd8\xff" + b"0" * (50 * 1024 * 1024 - 3))
    assert message == "This file is 50.0 MB; the limit is 15 MB."


def test_an_empty_file_is_refused() -> None:
    assert refusal("empty.pdf", b"") == "This file is empty."


def test_a_huge_dimension_png_is_refused() -> None:
    data = png_bytes((10_000, 10_000), mode="1")
    assert len(data) < 200_000  # small on disk, 100 megapixels when decoded
    assert "40 megapixels" in refusal("huge.png", data)


def test_a_decompression_bomb_past_pillows_own_limit_is_refused() -> None:
    data = png_bytes((20_000, 10_000), mode="1")
    assert "40 megapixels" in refusal("bomb.png", data)


# Polyglots and damaged files ----------------------------------------------------------------


def test_png_with_html_after_iend_is_refused() -> None:
    polyglot = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    assert "hidden after its end" in refusal("x.png", polyglot)


def test_jpeg_with_data_after_eoi_is_refused() -> None:
    polyglot = jpeg_with_gps() + b"PK\x03\x04zip-after-the-image"
    assert "hidden after its end" in refusal("x.jpg", polyglot)


def test_padding_after_the_end_marker_is_tolerated() -> None:
    assert upload("x.png", png_bytes() + b"\0\0\r\n").content_type == "image/png"


def test_a_truncated_image_is_refused() -> None:
    assert "could not be read" in refusal("x.png", png_bytes()[:40])
    assert "could not be read" in refusal("x.jpg", jpeg_with_gps()[:-200])


# Re-encoding -------------------------------------------------------------------------------


def test_jpeg_gps_exif_is_removed_and_orientation_applied() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    clean = upload("photo.jpg", original)
    image = Image.open(io.BytesIO(clean.data))
    assert image.size == (20, 40)  # turned upright
    assert not image.getexif()
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"Exif" not in clean.data and b"PhoneMaker" not in clean.data


def test_png_text_and_icc_chunks_are_removed() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Home: street 5")
    out = io.BytesIO()
    Image.new("RGBA", (5, 5)).save(out, format="PNG", pnginfo=info, icc_profile=b"\0" * 64)
    clean = upload("x.png", out.getvalue())
    assert b"street" not in clean.data and b"iCCP" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


# PDFs --------------------------------------------------------------------------------------


def test_pdf_scripts_actions_and_attachments_are_removed() -> None:
    original = pdf_with_script_and_attachment()
    assert b"app.alert" in original and b"MZ-payload-bytes" in original
    clean = upload("letter.pdf", original)
    assert clean.content_type == "application/pdf"
    for marker in (b"app.alert", b"MZ-payload", b"MZ-attached", b"cmd.exe", b"/JavaScript"):
        assert marker not in clean.data, marker
    with pikepdf.open(io.BytesIO(clean.data)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        assert len(pdf.attachments) == 0
        page = pdf.pages[0].obj
        assert "/AA" not in page
        annotations = list(page.Annots)
        assert [str(a.Subtype) for a in annotations] == ["/Link", "/Link"]
        assert "/A" not in annotations[0]  # the Launch action
        assert str(annotations[1].A.S) == "/URI"  # an ordinary link stays


def test_an_encrypted_pdf_is_refused() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    assert "encrypted or protected with a password" in refusal("x.pdf", out.getvalue())
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user=""))
    assert "encrypted or protected with a password" in refusal("x.pdf", out.getvalue())


def test_an_unparsable_pdf_is_refused() -> None:
    assert "could not be read" in refusal("x.pdf", b"%PDF-1.7\n garbage \x00\x01")


# Storage -----------------------------------------------------------------------------------


def test_store_writes_privately_under_a_generated_name(private_files: Path) -> None:
    name = files.store(b"data", "pdf")
    assert files.STORAGE_NAME.fullmatch(name)
    path = files.path_of(name)
    assert path.parent == private_files and path.read_bytes() == b"data"
    assert stat.S_IMODE(os.stat(private_files).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in private_files.iterdir()] == [name]  # no temporary file left
    files.delete_stored(name)
    assert not path.exists()
    files.delete_stored(name)  # already gone: fine


@pytest.mark.parametrize(
    "name",
    ["../etc/passwd", "x.pdf", "0" * 32 + ".exe", "/" + "0" * 32 + ".pdf", "A" * 32 + ".pdf"],
)
def test_path_of_refuses_names_it_did_not_make(name: str) -> None:
    with pytest.raises(SuspiciousFileOperation):
        files.path_of(name)
