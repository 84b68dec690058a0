from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from newsroom.site import absolute_url

from .models import Article, Section

FEED_LENGTH = 30


class LatestRssFeed(Feed):
    """The newest public articles. Links are absolute on SITE_URL, never the request's host."""

    feed_type = Rss201rev2Feed
    url_name = "articles:feed_rss"

    def title(self):
        return f"{settings.SITE_NAME}: latest"

    def link(self):
        return absolute_url(reverse("articles:home"))

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, args=[obj.slug] if obj else []))

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def description(self):
        return f"The latest articles from {settings.SITE_NAME}."

    def items(self, section=None):
        articles = Article.objects.public().for_listing().prefetch_related("tags")
        if section is not None:
            articles = articles.filter(section=section)
        return articles[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_author_name(self, item):
        return ", ".join(author.display_name for author in item.authors.all()) or None

    def item_categories(self, item):
        return [item.section.name, *(tag.name for tag in item.tags.all())]


class LatestAtomFeed(LatestRssFeed):
    feed_type = Atom1Feed
    url_name = "articles:feed_atom"
    subtitle = LatestRssFeed.description


class SectionRssFeed(LatestRssFeed):
    url_name = "articles:section_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, section):
        return f"{settings.SITE_NAME}: {section.name}"

    def link(self, section):
        return absolute_url(section.get_absolute_url())

    def description(self, section):
        return section.description or f"The latest {section.name} articles."


class SectionAtomFeed(SectionRssFeed):
    feed_type = Atom1Feed
    url_name = "articles:section_feed_atom"
    subtitle = SectionRssFeed.description
