"""Demo sections and articles: scheduled, draft and published, tagged, some with pictures."""

import random
from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from articles import publishing
from articles.models import Article, Section, Tag

SECTIONS = [
    ("News", "What is happening at home and abroad, reported and checked."),
    ("Politics", "Parliament, councils and the people who run them."),
    ("Business", "Companies, markets, work and money."),
    ("Science", "Research, discovery and the environment."),
    ("Technology", "How software, networks and devices shape daily life."),
    ("Culture", "Books, film, music, food and the arts."),
]

HEADLINES = [
    "Council approves riverside flood barrier after decade of delays",
    "Night buses return to outer suburbs as ridership recovers",
    "Inside the allotment waiting list that stretches to 2031",
    "Ministers set out plan to cut hospital waiting times by spring",
    "Local elections: the five wards that will decide the council",
    "Opposition demands inquiry into procurement of school laptops",
    "Small bakeries feel the squeeze as flour prices climb again",
    "Harbour redevelopment promises 2,000 jobs, but critics are wary",
    "Why the four-day week trial is being extended for another year",
    "Family firm marks a century of making bicycles by hand",
    "Astronomers spot a comet that will be visible without a telescope",
    "Hedgehog numbers rise in city gardens, volunteer survey finds",
    "The quiet science of predicting when a glacier will break",
    "Soil carbon study challenges assumptions about no-till farming",
    "Library app outage leaves thousands unable to renew loans",
    "Broadband rollout reaches the last villages in the valley",
    "What happens to your data when a smart-home company closes",
    "Open-source volunteers keep a decades-old weather model alive",
    "A festival of new plays opens in a converted tram depot",
    "Review: a quietly devastating novel about a seaside boarding house",
    "The chef bringing forgotten regional recipes back to the menu",
    "Choir of retired miners releases its first album at 80",
    "Heatwave warning issued as temperatures set to reach 34C",
    "Ferry operator apologises after week of cancelled crossings",
    "Budget preview: what the chancellor is expected to announce",
    "Rail fares to rise by less than inflation for the first time in years",
    "Museum returns ceremonial objects after a long campaign",
    "City trials car-free Sundays on the main shopping street",
    "Students design a solar boat that crosses the estuary",
    "How a neighbourhood saved its last independent cinema",
    "Water company fined over sewage spills into bathing waters",
    "Secondhand clothing shops boom as shoppers rethink fast fashion",
    "Scientists map the underground fungal networks of an ancient wood",
    "Planning row over tower block splits the conservation society",
]

# A tag applies to a headline containing any of its words.
TAGS = {
    "Climate and environment": ["flood", "heatwave", "glacier", "soil", "hedgehog", "sewage", "fungal", "solar", "comet"],
    "Transport": ["bus", "rail", "ferry", "car-free", "bicycles", "boat"],
    "Local government": ["council", "elections", "planning", "library", "allotment"],
    "Public money": ["budget", "ministers", "procurement", "fined", "fares", "prices"],
    "Work": ["jobs", "four-day", "bakeries", "firm", "shops"],
    "Arts": ["festival", "novel", "choir", "museum", "cinema", "chef"],
    "Community": ["volunteer", "neighbourhood", "residents", "students", "family", "saved"],
    "Data and privacy": ["data", "app", "broadband", "open-source"],
}  # fmt: skip

# Headlines (by position) that get a generated lead picture, and its palette.
PICTURES = {
    3: ("#0b3d91", "#6ec6ff"), 4: ("#5b2a86", "#f7b2bd"), 6: ("#1e6b34", "#d9f99d"),
    8: ("#7a1013", "#fbbf24"), 10: ("#0f172a", "#a5b4fc"), 13: ("#134e4a", "#99f6e4"),
    18: ("#78350f", "#fde68a"), 22: ("#9a3412", "#fed7aa"),
}  # fmt: skip

SENTENCES = [
    "Residents who spoke to us described the change as long overdue.",
    "Officials said the figures would be reviewed again in the autumn.",
    "The proposal has drawn support from unlikely quarters, including several former opponents.",
    "Critics argue that the timetable is ambitious and the funding uncertain.",
    "Independent experts cautioned against reading too much into a single year of data.",
    "The decision follows a public consultation that received more than four thousand responses.",
    "Those closest to the project say the hardest part is still to come.",
    "Local businesses have mixed feelings, with some expecting a boost and others fearing disruption.",
    "A spokesperson declined to comment on the detail but said talks were continuing.",
    "Campaigners welcomed the news while warning that promises must now be kept.",
    "The report, published on Tuesday, sets out three options for the years ahead.",
    "Nobody we interviewed expected the issue to be settled quickly.",
    "Similar schemes elsewhere have had both notable successes and costly failures.",
    "The cost has risen sharply since the plan was first announced.",
    "Volunteers have spent months gathering the evidence that informed the change.",
    "For many families the practical effect will be felt from next month.",
    "There are still open questions about who will pay for maintenance.",
    "Researchers said the results were encouraging but not yet conclusive.",
    "At a packed meeting on Thursday evening, the mood was cautiously optimistic.",
    "The organisation says it will publish its full accounts later this year.",
]


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(3, 5)))


def seed(rng: random.Random, *, authors) -> None:
    """Sections, articles by `authors` (one scheduled, two drafts), tags and pictures."""
    sections = seed_sections()
    seed_articles(rng, sections, authors)
    keep_one_scheduled()
    seed_tags()
    seed_pictures()


def seed_sections() -> list[Section]:
    sections = []
    for order, (name, description) in enumerate(SECTIONS):
        section, _ = Section.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "description": description, "order": order},
        )
        sections.append(section)
    publishing.sections_changed()
    return sections


def seed_articles(rng: random.Random, sections: list[Section], authors) -> None:
    now = timezone.now()
    for i, title in enumerate(HEADLINES):
        slug = slugify(title)
        if Article.objects.filter(slug=slug).exists():
            continue
        if i == 0:
            status, published_at = Article.Status.PUBLISHED, now + timedelta(days=2)
        elif i in (1, 2):
            status, published_at = Article.Status.DRAFT, None
        else:
            status = Article.Status.PUBLISHED
            published_at = now - timedelta(days=(i - 3) * 1.4, hours=rng.randint(1, 10))
        body = "\n\n".join(paragraph(rng) for _ in range(rng.randint(4, 7)))
        body += "\n\n## What happens next\n\n" + paragraph(rng)
        article = Article.objects.create(
            title=title,
            slug=slug,
            section=sections[i % len(sections)],
            standfirst=paragraph(rng).split(". ")[0] + ".",
            body=body,
            status=status,
            published_at=published_at,
        )
        article.authors.set(rng.sample(authors, rng.randint(1, 2)))
        publishing.article_saved(article=article, before=None)


def keep_one_scheduled() -> None:
    """The first headline stays scheduled, however long ago the demo was first seeded."""
    article = Article.objects.get(slug=slugify(HEADLINES[0]))
    if not article.is_scheduled:
        publishing.publish(article=article, at=timezone.now() + timedelta(days=2))


def seed_tags() -> None:
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    for article in Article.objects.filter(slug__in=[slugify(t) for t in HEADLINES]):
        if article.tags.exists():
            continue
        title = article.title.lower()
        wanted = [tags[name] for name, words in TAGS.items() if any(w in title for w in words)]
        publishing.save_article(article=article, tags=wanted or [tags["Community"]])


def seed_pictures() -> None:
    for i, colours in PICTURES.items():
        article = Article.objects.filter(slug=slugify(HEADLINES[i])).first()
        if article is None or article.lead_image:
            continue
        picture = ContentFile(demo_picture(i, *colours), name=f"{article.slug[:60]}.jpg")
        article.lead_image = picture
        article.lead_image_alt = "An abstract pattern of circles over a coloured gradient."
        article.lead_image_caption = "Illustration for the demo site."
        article.lead_image_credit = "Newsroom demo"
        publishing.save_article(article=article)


def demo_picture(seed: int, top: str, bottom: str, size=(1600, 900)) -> bytes:
    """A gradient with a few translucent circles: a stand-in photograph, drawn locally."""
    rng = random.Random(seed)
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(7):
        r = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(30, 90)))
    draw.rectangle((0, height - 40, width, height), fill=(0, 0, 0, 60))
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
