"""Opening uploaded pictures: one guard against image bombs for every upload.

A small file can declare an enormous image (a decompression bomb) that would
eat the server's memory once decoded. Opening an upload here reads only its
header, and refuses what Pillow counts as a bomb before any pixel is decoded;
each caller then applies its own, lower limits to the size it reads.
"""

import warnings

from PIL import Image


class TooManyPixels(Exception):
    """The file declares more pixels than Pillow will decode safely."""


class NotAnImage(Exception):
    """Pillow cannot identify the file as a picture in one of the formats asked for."""


def open_upload(upload, *, formats=None) -> Image.Image:
    """Open an uploaded file with Pillow from its start, reading its header only.

    Pillow only warns between its two bomb limits; that counts as a refusal too.
    """
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(upload, formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels from exc
    except Exception as exc:
        raise NotAnImage from exc
