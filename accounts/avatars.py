"""Reader avatars: checking an upload, making its thumbnail, and the initials fallback.

Everything is made on our own server; no third-party avatar service ever sees
a reader's name or address.
"""

import hashlib
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

from newsroom.images import NotAnImage, TooManyPixels, open_upload

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Checked from the header before any pixel is decoded: a small file can declare
# an enormous image (a decompression bomb) that would eat the server's memory.
MAX_DIMENSION = 4096
# Only these decoders ever see an upload; every other Pillow plugin is a needless risk.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
THUMBNAIL_SIZE = 128
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_EXTENSION = "webp"
# The number of .avatar--cN classes in static/css/site.css.
COLOURS = 12

NOT_AN_IMAGE = "That file isn’t a JPEG, PNG or WebP image. Please choose a photo or picture in one of those formats."
DAMAGED = "That image looks damaged or incomplete, so we couldn’t read it. Please try another file."


def thumbnail_from_upload(upload) -> ContentFile:
    """Check an uploaded file and return a square WebP thumbnail made from it.

    Raises ValidationError with a message meant for the reader for anything we
    will not store: too big a file, not an accepted format, too many pixels, or
    a file Pillow cannot decode.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "That file is too big: an avatar can be at most %(limit)s. "
            "Please choose a smaller picture.",
            code="file_too_large",
            params={"limit": filesizeformat(MAX_UPLOAD_BYTES)},
        )
    image = _open(upload)
    width, height = image.size
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise _too_many_pixels(width, height)
    try:
        image.verify()
        # verify() leaves the image unusable; decode afresh from the start.
        image = _open(upload)
        if image.format == "JPEG":
            # JPEG can decode at a fraction of full size, which is all we need.
            image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        thumbnail = ImageOps.fit(
            image, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), method=Image.Resampling.LANCZOS
        )
    except ValidationError:
        raise
    except Exception as exc:
        # Malformed files make Pillow raise many exception types (OSError,
        # ValueError, SyntaxError, struct.error...); all mean "we can't read it".
        raise ValidationError(DAMAGED, code="damaged") from exc
    # Re-encoding also drops EXIF metadata such as the GPS position of a phone photo.
    buffer = BytesIO()
    thumbnail.save(buffer, format=THUMBNAIL_FORMAT, quality=85)
    return ContentFile(buffer.getvalue())


def _open(upload) -> Image.Image:
    try:
        return open_upload(upload, formats=ACCEPTED_FORMATS)
    except TooManyPixels as exc:
        raise ValidationError(
            "That image has far too many pixels for us to process. Please choose a smaller one.",
            code="too_many_pixels",
        ) from exc
    except NotAnImage as exc:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from exc


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        "That image is %(width)s × %(height)s pixels; the most we accept is %(max)s × %(max)s. "
        "Please choose a smaller one.",
        code="too_many_pixels",
        params={"width": width, "height": height, "max": MAX_DIMENSION},
    )


def initials(first_name: str, last_name: str, username: str) -> str:
    """One or two capital letters standing for a person, for the generated avatar."""
    if first_name.strip() or last_name.strip():
        words = [*first_name.split()[:1], *last_name.split()[-1:]]
    else:
        # "mary_jones" -> MJ, "reader7" -> R.
        words = username.replace(".", " ").replace("_", " ").replace("-", " ").split()[:2]
    letters = [_first_letter(word) for word in words]
    return "".join(letter for letter in letters if letter)[:2] or "?"


def _first_letter(word: str) -> str:
    for char in word:
        if char.isalnum():
            # Some letters grow when capitalised ("ß" -> "SS"); keep one character.
            return char.upper()[0]
    return ""


def colour_index(username: str) -> int:
    """A stable 0..COLOURS-1 colour for a username, the same in every process.

    Python's hash() is salted per process, so a real digest is used instead.
    """
    digest = hashlib.sha256(username.casefold().encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % COLOURS
