import functools
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.context_processors import csrf
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.views.generic import DetailView, ListView

from comments import section
from comments.models import Comment
from newsroom import freshness, shell
from notifications.context_processors import unread

from . import page_cache
from .forms import SearchForm
from .models import Article, Section, Tag

RELATED_ARTICLES = 4


class HomeView(ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.public().for_listing()

    def get_context_data(self, **kwargs):
        most_discussed = Comment.objects.most_discussed(
            Article.objects.public(), days=settings.MOST_DISCUSSED_DAYS
        )
        return super().get_context_data(
            most_discussed=most_discussed,
            most_discussed_days=settings.MOST_DISCUSSED_DAYS,
            **kwargs,
        )


class SectionView(ListView):
    template_name = "articles/section_detail.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return Article.objects.public().for_listing().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(ListView):
    template_name = "articles/tag_detail.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.public().for_listing().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(ListView):
    template_name = "articles/author_detail.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        # Only people with a public byline have an author page.
        self.author = get_object_or_404(
            Article.objects.public().authors(), username=self.kwargs["username"]
        )
        return Article.objects.public().for_listing().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SearchView(ListView):
    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = settings.SEARCH_RESULTS_PER_PAGE

    def get_queryset(self):
        self.form = SearchForm(self.request.GET)
        self.query = self.form.cleaned_data["q"] if self.form.is_valid() else ""
        if not self.query:
            return Article.objects.none()
        return Article.objects.public().for_listing().search(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, query=self.query, **kwargs)


RELATED_CACHE_SECONDS = 600
SHELL_SECONDS = 600


def messages_html(request) -> str:
    """The reader's flash messages, if any (most requests have none: nothing rendered)."""
    if not get_messages(request):
        return ""
    return render_to_string("includes/_messages.html", request=request)


def account_nav_html(request) -> str:
    """The header's links for this reader, given only what they show (not every
    context processor's output)."""
    if not request.user.is_authenticated:  # the same for everyone at this address
        return _anonymous_account_nav(request.resolver_match.view_name, request.get_full_path())
    return get_template("includes/_account_nav.html").render(
        {
            "request": request,
            "user": request.user,
            "csrf_token": csrf(request)["csrf_token"],
            **unread(request),
        }
    )


@functools.lru_cache(maxsize=1024)
def _anonymous_account_nav(view_name: str, full_path: str) -> str:
    """Log in / Sign up, back to this address: all the links depend on (a few bytes
    rendered once per process per address)."""
    request = SimpleNamespace(
        resolver_match=SimpleNamespace(view_name=view_name), get_full_path=lambda: full_path
    )
    return get_template("includes/_account_nav.html").render(
        {"request": request, "user": AnonymousUser()}
    )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        # Read before any data: whatever this request caches is filed under these.
        self.versions = page_cache.page_versions(slug)
        if request.user.is_staff:  # previews: the whole template, from the database
            response = super().get(request, *args, **kwargs)
            page_cache.private(response)
            return response
        if not page_cache.is_shared(request):
            response = self.render_from_shell(request)
            page_cache.private(response)
            return response
        name = f"articles:anonymous-page:{slug}"
        page = freshness.get(name, self.versions.page, local=True)
        if page is not freshness.MISSING and page.is_current:
            # One cache round trip (the versions), no SQL.
            return page_cache.marked(page.response(request), hit=True)
        rendered = self.render_from_shell(request)
        # Only a page with nothing personal in it: no cookie set, no CSRF token used.
        personal = rendered.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        if personal:
            page_cache.private(rendered)
            return rendered
        if not self.versions.page.stored:  # no validators that the next request could not keep
            page_cache.shared(rendered)
            return page_cache.marked(rendered, hit=False)
        page = page_cache.Page.of(
            rendered.content, self.versions.page, open_until=self.object.comments_close_at
        )
        freshness.put(
            name, self.versions.page, page, timeout=page_cache.ANONYMOUS_PAGE_SECONDS, local=True
        )
        return page_cache.marked(page.response(request), hit=False)

    def render_from_shell(self, request) -> HttpResponse:
        """The page from its shell (newsroom.shell), the same for every reader until the
        article or the site changes; each request renders only its holes."""
        self.object = self.get_object()
        pieces = freshness.cached(
            f"articles:shell:{self.object.slug}:{timezone.localdate().year}",  # the footer's year
            self.versions.content,
            lambda: shell.record(
                self.template_name, self.get_context_data(object=self.object), request
            ),
            timeout=SHELL_SECONDS,
            local=True,
        )
        return HttpResponse(
            shell.fill(
                pieces,
                {
                    "account_nav": lambda: account_nav_html(request),
                    "messages": lambda: messages_html(request),
                    "comments": lambda: section.render(request, self.object, self.versions),
                },
            )
        )

    def get_queryset(self):
        # Staff preview drafts and scheduled articles; everyone else gets a 404.
        return Article.objects.visible_to(self.request.user).for_listing().with_byline_and_tags()

    def get_object(self, queryset=None):
        if self.request.user.is_staff:
            return super().get_object(queryset)  # previews: always from the database
        # Readers: the public article from the cache, checked against the clock here.
        article = freshness.cached(
            f"articles:public-article:{self.kwargs['slug']}",
            self.versions.content,
            lambda: super(ArticleDetailView, self).get_object(queryset),
            timeout=page_cache.ANONYMOUS_PAGE_SECONDS,
            local=True,  # every reader's request reads it: no round trip once a process has it
        )
        if not article.is_public:
            raise Http404("No such article.")
        return article

    def get_context_data(self, **kwargs):
        article = self.object
        # Keyed on the site's version too, so an unpublished article drops out at once
        # (a newly public one may lag a little).
        related = freshness.cached(
            f"articles:related:{article.pk}",
            self.versions.content,
            lambda: list(
                Article.objects.public()
                .related_to(article)
                .select_related("section")[:RELATED_ARTICLES]
            ),
            timeout=RELATED_CACHE_SECONDS,
            local=True,
        )
        return super().get_context_data(
            related_articles=related,
            # Under the site's token read with the page's: no second read of it.
            nav_sections=Section.navigation(self.versions.page.part(freshness.SITE)),
            **kwargs,
        )
