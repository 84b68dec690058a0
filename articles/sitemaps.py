from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Section


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        latest = Article.objects.public().first()
        return latest.modified_at if latest else None


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.7

    def items(self):
        return Section.objects.with_last_published()

    def lastmod(self, section):
        return section.last_published


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.public()
            .only("slug", "published_at", "revised_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        # Any save counts: corrections and new pictures change the page too.
        return max(article.updated_at, article.published_at)


sitemaps = {"home": HomeSitemap, "sections": SectionSitemap, "articles": ArticleSitemap}
