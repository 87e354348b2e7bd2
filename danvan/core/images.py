"""Photos that people upload: checked by their content, then made into the
sizes the pages show, without their metadata.

`check_image` runs in the request. It reads at most IMAGE_MAX_BYTES, lets only
Pillow's JPEG, PNG and WebP decoders look at the bytes (a file's name and its
declared type are not believed), refuses a picture of more than
IMAGE_MAX_PIXELS before a pixel is decoded (a "decompression bomb": a few
hundred kilobytes of PNG that would inflate to gigabytes), then decodes it
whole so that a truncated or corrupt file is refused now, with a Vietnamese
message, rather than failing later. A JPEG is decoded at reduced scale (its
`draft` mode), which costs a fraction of a full decode.

`renditions` runs in a background job. It turns the picture upright (EXIF
orientation), flattens transparency onto white, and writes each size in
`SIZES` as a fresh JPEG: nothing of the original's EXIF (camera, date, GPS
position), XMP, ICC data or comment is carried over, because the new file is
built from pixels alone.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPT = "image/jpeg,image/png,image/webp"
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int
    crop: bool = False
    """Cut to exactly width × height (a share preview); else fit within them."""


SIZES = (
    Size("card", 480, 480),  # a card in a gallery: ~200–380 CSS px wide, on 2× screens too
    Size("large", 1280, 1280),  # the detail page
    Size("share", 1200, 630, crop=True),  # og:image, the size Zalo and Facebook ask for
)
QUALITY = 82


@dataclass(frozen=True)
class Checked:
    format: str
    width: int
    height: int
    data: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class Rendition:
    name: str
    data: bytes
    width: int
    height: int


def max_bytes() -> int:
    return int(getattr(settings, "IMAGE_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "IMAGE_MAX_PIXELS", 40_000_000))


def _refuse(what: str, why: str, code: str) -> ValidationError:
    return ValidationError(f"{what} {why}", code=code)


def read_upload(upload: IO[bytes] | Any, what: str = "Ảnh") -> bytes:
    """The upload's bytes, refused beyond the limit without reading more than it."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(what, f"quá lớn (tối đa {limit // (1024 * 1024)} MB).", "too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(what, f"quá lớn (tối đa {limit // (1024 * 1024)} MB).", "too_large")
    return bytes(data)


def _open(data: bytes) -> Image.Image:
    # A warning for a picture over Pillow's own threshold becomes an error; our
    # lower limit is checked from the header right after.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=FORMATS)


def _format(image: Image.Image) -> str:
    """The picture's format; a JPEG carrying further pictures (MPF: a camera's
    preview, a depth map, the other half of a stereo pair), which Pillow opens as
    "MPO", is a JPEG whose first picture is the photo."""
    return "JPEG" if image.format == "MPO" else str(image.format)


def check_image(upload: IO[bytes] | Any, what: str = "Ảnh") -> Checked:
    """The upload as a checked JPEG, PNG or WebP picture, or a ValidationError
    naming `what` ("Ảnh 2") with the reason in Vietnamese."""
    data = read_upload(upload, what)
    if not data:
        raise _refuse(what, "là tệp rỗng.", "empty")
    not_image = _refuse(what, "không phải ảnh JPG, PNG hoặc WebP, hoặc bị hỏng.", "not_image")
    try:
        image = _open(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(what, "có kích thước điểm ảnh quá lớn.", "too_many_pixels") from None
    except (OSError, ValueError, SyntaxError):
        raise not_image from None
    width, height = image.size
    if width < 1 or height < 1:
        raise not_image
    if width * height > max_pixels():
        raise _refuse(what, "có kích thước điểm ảnh quá lớn.", "too_many_pixels")
    fmt = _format(image)
    if fmt != "JPEG" and getattr(image, "n_frames", 1) > 1:
        raise _refuse(what, "là ảnh động; hãy gửi ảnh tĩnh.", "animated")
    try:
        if fmt == "JPEG":
            image.draft("RGB", (width // 8 or 1, height // 8 or 1))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
        raise not_image from None
    finally:
        image.close()
    return Checked(fmt, width, height, data)


def _upright_rgb(data: bytes) -> Image.Image:
    image = _open(data)
    image.load()
    upright = ImageOps.exif_transpose(image) or image
    # Transparency: an alpha channel, or a colour made transparent (a PNG's tRNS
    # chunk, in palette, grey or RGB pictures).
    if upright.mode in ("RGBA", "LA", "P", "PA") or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = upright.convert("RGB")
    # Pixels only: Pillow writes some of `info` back when saving (a JPEG's comment).
    flat.info.clear()
    return flat


def renditions(data: bytes, sizes: tuple[Size, ...] = SIZES) -> list[Rendition]:
    """Each size as a new JPEG built from the pixels only (no EXIF, XMP, ICC)."""
    source = _upright_rgb(data)
    out = []
    for size in sizes:
        if size.crop:
            picture = ImageOps.fit(source, (size.width, size.height), Image.Resampling.LANCZOS)
        else:
            picture = source.copy()
            picture.thumbnail((size.width, size.height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        out.append(Rendition(size.name, buffer.getvalue(), picture.width, picture.height))
    return out


def check_images(uploads: list[Any], what: str = "Ảnh") -> list[Checked]:
    """Each upload checked (`check_image`); every refusal named by its place
    ("Ảnh 2 (ruong.png) …") in one ValidationError, so all are told at once."""
    checked, errors = [], []
    for n, upload in enumerate(uploads, start=1):
        name = str(getattr(upload, "name", "") or "")[:60]
        label = f"{what} {n} ({name})" if name else f"{what} {n}"
        try:
            checked.append(check_image(upload, label))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked
