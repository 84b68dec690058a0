"""Lead images: checking uploads and resizing them into renditions with Pillow.

Originals are kept as uploaded but never shown; pages use the renditions,
which are re-encoded (so metadata such as GPS positions is dropped), turned
upright according to EXIF orientation and capped at the widths below.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

from newsroom.images import NotAnImage, TooManyPixels, open_upload

RENDITION_WIDTHS = (480, 960, 1600)
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def check_upload(upload) -> None:
    """Refuse anything that is not a reasonably sized, readable JPEG, PNG or WebP picture.

    The header is read first: an image bomb (a small file that decodes to
    billions of pixels) is refused on its stated dimensions before any decoding.
    Then the whole picture is decoded, so a damaged or truncated file is refused
    here rather than failing later, when renditions are made.
    """
    if upload.size > settings.LEAD_IMAGE_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; lead images can be at most %(limit)s.",
            code="file_too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.LEAD_IMAGE_MAX_BYTES),
            },
        )
    try:
        with open_upload(upload) as image:
            image_format, (width, height) = image.format, image.size
    except TooManyPixels:
        raise _too_many_pixels() from None
    except NotAnImage:
        raise ValidationError(
            "This file is not a picture we can read. Upload a JPEG, PNG or WebP image.",
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted. Upload a JPEG, PNG or WebP image.",
            code="format",
            params={"format": image_format},
        )
    if width * height > settings.LEAD_IMAGE_MAX_PIXELS:
        raise _too_many_pixels()
    try:
        with Image.open(upload, formats=[image_format]) as image:
            image.load()
    except Exception:
        # Truncated or corrupt data: Pillow raises OSError, ValueError, SyntaxError...
        raise ValidationError(
            "This picture is damaged or incomplete, so we cannot read it. "
            "Upload the file again, or another one.",
            code="damaged",
        ) from None
    finally:
        upload.seek(0)


def _too_many_pixels():
    return ValidationError(
        "This picture has too many pixels; upload one of at most %(megapixels)s megapixels.",
        code="too_many_pixels",
        params={"megapixels": settings.LEAD_IMAGE_MAX_PIXELS // 1_000_000},
    )


def make_renditions(field_file) -> list[dict]:
    """Save resized JPEG copies of an image next to it; return their names and sizes."""
    storage = field_file.storage
    stem = PurePosixPath(field_file.name).stem
    folder = PurePosixPath(field_file.name).parent / "renditions"
    with field_file.open("rb") as f, Image.open(f) as original:
        image = _flatten(ImageOps.exif_transpose(original))
    widths = [w for w in RENDITION_WIDTHS if w <= image.width]
    if image.width < RENDITION_WIDTHS[-1] and image.width not in widths:
        widths.append(image.width)  # the sharpest we can offer without enlarging
    sizes = []
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        resized.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        name = storage.save(str(folder / f"{stem}-{width}w.jpg"), ContentFile(buffer.getvalue()))
        sizes.append({"name": name, "width": width, "height": height})
    return sizes


def _flatten(image: Image.Image) -> Image.Image:
    # JPEG has no transparency: lay transparent pictures on white, not black.
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")
