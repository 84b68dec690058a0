import re
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from accounts import avatars
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SETTINGS = reverse("accounts:settings")
REMOVE = reverse("accounts:avatar_remove")
CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def upload(client, content: bytes, name="avatar.png", content_type="image/png"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(SETTINGS, {"action": "avatar", "avatar": file})


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's shape."""
    buffer = BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    struct.pack_into(">II", data, 16, width, height)  # IHDR width and height
    struct.pack_into(">I", data, 29, zlib.crc32(data[12:29]))  # IHDR checksum
    return bytes(data)


def form_errors(response) -> str:
    return " ".join(response.context["avatar_form"].errors["avatar"])


def test_settings_needs_login(client):
    response = client.get(SETTINGS)
    assert response["Location"] == f"{reverse('accounts:login')}?next={SETTINGS}"


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
)
def test_upload_stores_a_small_square_thumbnail(
    client, reader, image_bytes, image_format, content_type
):
    client.force_login(reader)
    content = image_bytes(image_format, size=(600, 300))
    response = upload(client, content, name=f"me.{image_format.lower()}", content_type=content_type)
    assert response["Location"] == SETTINGS
    reader.refresh_from_db()
    assert reader.avatar.name.startswith(f"avatars/{reader.pk}-")
    assert reader.avatar_url == f"/media/{reader.avatar.name}"
    with default_storage.open(reader.avatar.name) as stored, Image.open(stored) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (avatars.THUMBNAIL_SIZE, avatars.THUMBNAIL_SIZE)


def test_uploaded_avatar_is_served_and_shown_in_the_header(client, reader, image_bytes):
    client.force_login(reader)
    upload(client, image_bytes())
    reader.refresh_from_db()
    html = client.get("/").content.decode()
    assert (
        f'<img class="avatar avatar--32" src="{reader.avatar_url}" width="32" height="32" alt="">'
        in html
    )
    served = client.get(reader.avatar_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"


def test_exif_metadata_is_not_kept(client, reader):
    client.force_login(reader)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = BytesIO()
    Image.new("RGB", (200, 200), "red").save(buffer, format="JPEG", exif=exif)
    upload(client, buffer.getvalue(), name="me.jpg", content_type="image/jpeg")
    reader.refresh_from_db()
    with default_storage.open(reader.avatar.name) as stored:
        assert b"SecretCam" not in stored.read()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just some text, not a picture", "notes.png", "isn’t a JPEG, PNG or WebP image"),
        (b"GIF89a" + b"\x00" * 40, "anim.gif", "isn’t a JPEG, PNG or WebP image"),
        (b"", "empty.png", "That file is empty"),
    ],
)
def test_non_images_and_other_formats_are_refused(client, reader, content, name, message):
    client.force_login(reader)
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert message in form_errors(response)
    reader.refresh_from_db()
    assert not reader.avatar


def test_a_real_gif_is_refused(client, reader, image_bytes):
    client.force_login(reader)
    response = upload(client, image_bytes("GIF"), name="me.gif", content_type="image/gif")
    assert "isn’t a JPEG, PNG or WebP image" in form_errors(response)


def test_too_large_a_file_is_refused(client, reader, image_bytes):
    client.force_login(reader)
    content = image_bytes() + b"\0" * avatars.MAX_UPLOAD_BYTES
    response = upload(client, content)
    assert "That file is too big: an avatar can be at most 2.0\xa0MB." in form_errors(response)


def test_too_many_pixels_is_refused_before_decoding(client, reader):
    client.force_login(reader)
    response = upload(client, png_declaring(5000, 5000))
    assert "5000 × 5000 pixels; the most we accept is 4096 × 4096" in form_errors(response)


def test_a_decompression_bomb_is_refused(client, reader):
    client.force_login(reader)
    response = upload(client, png_declaring(60_000, 60_000))
    assert response.status_code == 200
    assert "far too many pixels" in form_errors(response)


def test_a_damaged_image_is_refused(client, reader):
    client.force_login(reader)
    noise = Image.effect_noise((400, 400), 64).convert("RGB")
    buffer = BytesIO()
    noise.save(buffer, format="JPEG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    response = upload(client, truncated, name="me.jpg", content_type="image/jpeg")
    assert "damaged or incomplete" in form_errors(response)


def test_a_truncated_progressive_jpeg_is_refused_and_nothing_stored(client, reader, settings):
    client.force_login(reader)
    noise = Image.effect_noise((400, 400), 64).convert("RGB")
    buffer = BytesIO()
    noise.save(buffer, format="JPEG", progressive=True)
    truncated = buffer.getvalue()[: len(buffer.getvalue()) * 9 // 10]
    response = upload(client, truncated, name="me.jpg", content_type="image/jpeg")
    assert "damaged or incomplete" in form_errors(response)
    reader.refresh_from_db()
    assert not reader.avatar
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_submitting_without_a_file_asks_for_one(client, reader):
    client.force_login(reader)
    response = client.post(SETTINGS, {"action": "avatar"})
    assert form_errors(response) == "Choose an image to upload."


def test_replacing_an_avatar_deletes_the_old_file(
    client, reader, image_bytes, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    upload(client, image_bytes())
    reader.refresh_from_db()
    first = reader.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, image_bytes(colour=(0, 200, 0)))
    reader.refresh_from_db()
    assert reader.avatar.name != first
    assert default_storage.exists(reader.avatar.name)
    assert not default_storage.exists(first)


def test_removing_an_avatar(client, reader, image_bytes, django_capture_on_commit_callbacks):
    client.force_login(reader)
    upload(client, image_bytes())
    reader.refresh_from_db()
    name = reader.avatar.name
    assert client.get(REMOVE).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REMOVE)
    assert response["Location"] == SETTINGS
    reader.refresh_from_db()
    assert not reader.avatar
    assert reader.avatar_url is None
    assert not default_storage.exists(name)
    html = client.get("/").content.decode()
    assert (
        f'avatar--c{reader.avatar_colour}" aria-hidden="true">{reader.avatar_initials}</span>'
        in html
    )


def test_removing_needs_login(client):
    assert client.post(REMOVE)["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("first", "last", "username", "expected"),
    [
        ("Alice", "Moreno", "alice", "AM"),
        ("Mary Anne", "de la Cruz", "x", "MC"),
        ("Alice", "", "alice", "A"),
        ("", "", "mary_jones", "MJ"),
        ("", "", "reader7", "R"),
        ("", "", "j.r.r.tolkien", "JR"),
        ("ömer", "", "omer", "Ö"),
        ("", "", "ßeta", "S"),
        ("", "", "___", "?"),
    ],
)
def test_initials(first, last, username, expected):
    assert avatars.initials(first, last, username) == expected
    user = UserFactory.build(first_name=first, last_name=last, username=username)
    assert user.avatar_initials == expected


def test_colour_is_stable_in_range_and_varied():
    colours = {avatars.colour_index(f"reader{n}") for n in range(200)}
    assert colours == set(range(avatars.COLOURS))
    # A fixed value: the same name has the same colour in every process and release.
    assert avatars.colour_index("alice") == avatars.colour_index("ALICE") == 1


def test_avatar_include_runs_no_sql(reader, django_assert_max_num_queries, image_bytes):
    with django_assert_max_num_queries(0):
        initials = render_to_string("includes/_avatar.html", {"person": reader}).strip()
    assert initials == (
        f'<span class="avatar avatar--40 avatar--c{reader.avatar_colour}" aria-hidden="true">'
        f"{reader.avatar_initials}</span>"
    )
    reader.set_avatar(avatars.thumbnail_from_upload(SimpleUploadedFile("a.png", image_bytes())))
    with django_assert_max_num_queries(0):
        image = render_to_string("includes/_avatar.html", {"person": reader, "size": 96}).strip()
    assert image == (
        f'<img class="avatar avatar--96" src="{reader.avatar_url}" width="96" height="96" alt="">'
    )


def _contrast_with_white(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_avatar_colour_has_a_css_class_with_accessible_contrast():
    css = CSS.read_text()
    found = dict(re.findall(r"\.avatar--c(\d+) \{ background: (#[0-9a-f]{6}); \}", css))
    assert sorted(map(int, found)) == list(range(avatars.COLOURS))
    for colour in found.values():
        assert _contrast_with_white(colour) >= 4.5, colour


def test_admin_can_remove_an_offensive_avatar(
    client, superuser, reader, image_bytes, django_capture_on_commit_callbacks
):
    reader.set_avatar(avatars.thumbnail_from_upload(SimpleUploadedFile("a.png", image_bytes())))
    name = reader.avatar.name
    client.force_login(superuser)
    change_page = client.get(reverse("admin:accounts_user_change", args=[reader.pk]))
    assert f'src="{reader.avatar_url}"' in change_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "remove_avatars", "_selected_action": [reader.pk]},
            follow=True,
        )
    assert "Removed 1 avatar(s)." in response.content.decode()
    reader.refresh_from_db()
    assert not reader.avatar
    assert not default_storage.exists(name)
