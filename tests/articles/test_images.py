import struct
import zlib
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def picture(size=(2000, 1000), fmt="JPEG", mode="RGB", name=None) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new(mode, size, "teal").save(buffer, fmt)
    extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    return SimpleUploadedFile(name or f"photo.{extension}", buffer.getvalue())


def png_claiming(width: int, height: int) -> SimpleUploadedFile:
    """A tiny PNG whose header claims huge dimensions: an image bomb."""
    data = picture((10, 10), "PNG").read()
    ihdr = struct.pack(">II", width, height) + data[24:29]
    chunk = b"IHDR" + ihdr
    patched = data[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return SimpleUploadedFile("bomb.png", patched + data[33:])


def _post_article(client, section, **extra):
    data = {
        "title": "Pictured story",
        "slug": "",
        "section": section.pk,
        "standfirst": "Summary.",
        "body": "Body.",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        "lead_image_alt": "A teal rectangle.",
        "lead_image_caption": "The rectangle at dawn.",
        "lead_image_credit": "Photo: Staff",
        **extra,
    }
    return client.post(reverse("admin:articles_article_add"), data)


def _form_errors(response):
    return response.context["adminform"].form.errors


def test_upload_is_resized_into_renditions(client, editor):
    client.force_login(editor)
    response = _post_article(client, SectionFactory(), lead_image=picture((2000, 1000)))
    assert response.status_code == 302, _form_errors(response)
    article = Article.objects.get()
    sizes = article.lead_image_renditions["sizes"]
    assert [(s["width"], s["height"]) for s in sizes] == [(480, 240), (960, 480), (1600, 800)]
    storage = article.lead_image.storage
    for size in sizes:
        with storage.open(size["name"]) as f, Image.open(f) as image:
            assert image.size == (size["width"], size["height"]) and image.format == "JPEG"


def test_small_pictures_are_not_enlarged(client, editor):
    client.force_login(editor)
    _post_article(client, SectionFactory(), lead_image=picture((700, 500), "PNG"))
    sizes = Article.objects.get().lead_image_renditions["sizes"]
    assert [(s["width"], s["height"]) for s in sizes] == [(480, 343), (700, 500)]


def test_exact_and_tiny_widths(client, editor):
    client.force_login(editor)
    _post_article(client, SectionFactory(), lead_image=picture((1600, 900)))
    _post_article(client, SectionFactory(), lead_image=picture((300, 200)), title="Tiny")
    widths = [
        [s["width"] for s in article.lead_image_renditions["sizes"]]
        for article in Article.objects.order_by("pk")
    ]
    assert widths == [[480, 960, 1600], [300]]


def test_transparent_webp_is_accepted(client, editor):
    client.force_login(editor)
    response = _post_article(
        client, SectionFactory(), lead_image=picture((600, 400), "WEBP", "RGBA")
    )
    assert response.status_code == 302, _form_errors(response)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.jpg", b"just some text, not a picture"), "not a picture"),
        (picture((50, 50), "GIF"), "GIF images are not accepted"),
        (png_claiming(30_000, 30_000), "too many pixels"),  # Pillow's own bomb limit
        (png_claiming(8_000, 6_000), "too many pixels"),  # our lower limit
    ],
)
def test_bad_uploads_are_refused_with_a_form_error(client, editor, upload, message):
    client.force_login(editor)
    response = _post_article(client, SectionFactory(), lead_image=upload)
    assert response.status_code == 200
    assert message in " ".join(_form_errors(response)["lead_image"])
    assert not Article.objects.exists()


def truncated_jpeg(fraction=0.6, **options) -> SimpleUploadedFile:
    """A JPEG cut short, as an interrupted upload leaves it: its header is intact."""
    noise = Image.effect_noise((1200, 800), 64).convert("RGB")
    buffer = BytesIO()
    noise.save(buffer, "JPEG", **options)
    data = buffer.getvalue()
    return SimpleUploadedFile("cut.jpg", data[: int(len(data) * fraction)])


@pytest.mark.parametrize("options", [{}, {"progressive": True}])
def test_a_truncated_jpeg_is_refused_and_nothing_is_stored(client, editor, settings, options):
    client.force_login(editor)
    response = _post_article(client, SectionFactory(), lead_image=truncated_jpeg(**options))
    assert response.status_code == 200
    assert "damaged or incomplete" in " ".join(_form_errors(response)["lead_image"])
    assert not Article.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_too_large_a_file_is_refused(client, editor, settings):
    settings.LEAD_IMAGE_MAX_BYTES = 1000
    client.force_login(editor)
    response = _post_article(client, SectionFactory(), lead_image=picture((800, 800)))
    assert "lead images can be at most" in " ".join(_form_errors(response)["lead_image"])


def test_picture_needs_alt_text(client, editor):
    client.force_login(editor)
    response = _post_article(client, SectionFactory(), lead_image=picture(), lead_image_alt="")
    assert "Describe the picture" in " ".join(_form_errors(response)["lead_image_alt"])


def test_article_page_serves_srcset_with_dimensions_and_caption(client):
    article = ArticleFactory(
        lead_image=picture((2000, 1000)),
        lead_image_alt="A teal rectangle.",
        lead_image_caption="The rectangle at dawn.",
        lead_image_credit="Photo: Staff",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    sizes = article.lead_image_sizes
    srcset = ", ".join(f"{s['url']} {s['width']}w" for s in sizes)
    assert f'srcset="{srcset}"' in html
    assert 'width="960" height="480" alt="A teal rectangle."' in html
    # The largest image in view when the page opens: fetched first (Lighthouse's LCP audit).
    assert 'loading="eager" fetchpriority="high"' in html
    assert "The rectangle at dawn." in html and "Photo: Staff" in html
    assert f'<meta property="og:image" content="{settings.SITE_URL}{sizes[-1]["url"]}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_replacing_the_picture_makes_new_renditions(client, editor):
    article = ArticleFactory(lead_image=picture((2000, 1000)), lead_image_alt="x")
    first = article.lead_image_renditions
    article.lead_image = picture((1000, 1000), name="other.jpg")
    article.save()
    assert article.lead_image_renditions != first
    assert article.lead_image_renditions["sizes"][-1]["height"] == 1000
    article.title = "Retitled"
    article.save()  # no new picture: renditions untouched
    assert Article.objects.get().lead_image_renditions == article.lead_image_renditions


def test_removing_the_picture_clears_renditions():
    article = ArticleFactory(lead_image=picture(), lead_image_alt="x")
    article.lead_image = None
    article.save()
    assert article.lead_image_renditions == {}


def test_the_editors_save_returns_before_renditions_and_the_page_shows_the_original(
    client, editor, run_worker
):
    from django_tasks_db.models import DBTaskResult

    client.force_login(editor)
    response = _post_article(
        client, SectionFactory(), lead_image=picture((2000, 1000)), status="published",
        published_at_0="2026-01-01", published_at_1="10:00",
    )  # fmt: skip
    assert response.status_code == 302, _form_errors(response)
    article = Article.objects.get()
    assert article.lead_image_renditions["sizes"] == []  # queued, not made in the request
    assert DBTaskResult.objects.ready().count() == 1
    html = client.get(article.get_absolute_url()).content.decode()
    original = article.lead_image.url
    assert f'src="{original}" srcset="{original} 2000w"' in html
    assert 'width="2000" height="1000"' in html

    run_worker()
    article.refresh_from_db()
    assert [s["width"] for s in article.lead_image_renditions["sizes"]] == [480, 960, 1600]
    html = client.get(article.get_absolute_url()).content.decode()  # the page was refreshed
    assert 'width="960" height="480"' in html and f'src="{original}"' not in html


def test_renditions_of_a_replaced_picture_are_not_stored(editor):
    from articles.models import render_lead_image

    article = ArticleFactory(lead_image=picture((2000, 1000)), lead_image_alt="x")
    old = article.lead_image.name
    article.lead_image = picture((1000, 1000), name="other.jpg")
    article.save()
    assert render_lead_image.call(article_id=article.pk, source=old) == {}
    assert Article.objects.get().lead_image_renditions["source"] == article.lead_image.name
