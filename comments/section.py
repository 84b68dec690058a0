"""The conversation under an article: its heading, form, Featured block and a page of
threads, as the article page's hole (newsroom.shell) and as `{% comment_section %}`."""

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import resolve_url
from django.template.context_processors import csrf
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html

from articles import page_cache
from newsroom import freshness, shell

from . import moderation, personal, rendering, threads
from .forms import CommentForm

TEMPLATE = "comments/_section.html"
SHELL_SECONDS = 600


def render(request, article, versions) -> str:
    """The conversation's HTML for a page shell's hole (newsroom.shell), as the tag
    renders it. The section is a shell too, kept under the article's versions for each
    kind of viewer; a request fills in what a new comment changes (threads, count,
    featured comments, the live version) and its own CSRF token, time and reader."""
    values = context(request, article, versions)
    user = request.user
    csrf_token = csrf(request)["csrf_token"]  # lazy: made only if used
    template = get_template(TEMPLATE)
    if values["banned_message"]:  # rare, and their own: rendered whole
        return template.render({**values, "csrf_token": csrf_token})
    # Comments close at a time, with no change to any version: the state is in the name.
    kind = f"{user.is_authenticated}:{article.comments_open}:{values['controls']}:{values['sort']}"
    pieces = freshness.cached(
        f"comments:section{rendering.LAYOUT}:{article.pk}:{kind}",
        versions.article,  # what a new comment changes in it are holes: kept through it
        lambda: shell.split(template.render({**values, shell.RECORDING: True})),
        timeout=SHELL_SECONDS,  # settings it shows (limits, poll interval) apply within it
        local=True,
    )
    return shell.fill(
        pieces,
        {
            "threads": lambda: values["threads_html"],
            "count": lambda: str(values["comment_count"]),
            "live_version": lambda: values["live_version"],
            "featured": lambda: featured_html(values["featured"]),
            "csrf": lambda: render_csrf_input(csrf_token),
            "live_since": lambda: str(int(time.time())),
            "viewer": lambda: str(user.pk),
        },
    )


def featured_html(featured) -> str:
    return (
        get_template("comments/_featured.html").render({"featured": featured}) if featured else ""
    )


def render_csrf_input(token) -> str:
    """What `{% csrf_token %}` renders."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def context(request, article, versions) -> dict:
    """What the section's template shows this request's reader. `versions` are the
    article page's (articles.page_cache.page_versions), read before the article was."""
    user = request.user
    sort = threads.parse_sort(request.GET.get("sort"))
    page_number = threads.parse_page(request.GET.get("page"))
    expand = threads.parse_expand(request.GET.get("expand"))
    ban = moderation.active_ban(user) if user.is_authenticated else None
    can_comment = user.is_authenticated and ban is None and article.comments_open
    can_report = user.is_authenticated and ban is None
    # Readers are never staff: only staff pay for the permission lookup.
    can_feature = user.is_staff and user.has_perm("comments.feature_comment")
    viewer = rendering.Viewer(
        user,
        article,
        can_comment=can_comment,
        can_report=can_report,
        can_recommend=can_report,
        can_feature=can_feature,
    )

    # The whole anonymous page, about to be cached (articles/views.py), holds the
    # skeleton's bytes already: it is neither looked for nor written twice.
    whole_page = page_cache.is_shared(request) and versions.page.stored
    name = rendering.skeleton_name(article, viewer, sort, page_number, expand)
    skeleton = freshness.MISSING
    if not whole_page:
        skeleton = freshness.get(name, versions.conversation, local=True)
    if skeleton is freshness.MISSING:
        index = threads.thread_index(article, AnonymousUser(), sort=sort, page=page_number)
        skeleton = rendering.build_skeleton(index, viewer, article, versions.article, expand=expand)
        if not whole_page:
            # Kept under the page actually shown: a number past the end (which shows the
            # last page) must not add a cache entry for every number anyone asks for.
            name = rendering.skeleton_name(article, viewer, sort, index.number, expand)
            freshness.put(
                name,
                versions.conversation,
                skeleton,
                timeout=rendering.FRAGMENT_TIMEOUT,
                local=True,
            )
    if user.is_authenticated and user.pk in skeleton.held_authors:
        # Their held or removed comments change the tree itself: build it for them.
        page = threads.thread_page(article, user, sort=sort, page=page_number, expand=expand)
        threads_html = rendering.render_for(page, viewer, article)
    else:
        threads_html = rendering.assemble(skeleton, viewer)
    if user.is_authenticated:
        recommended = frozenset()
        if can_report and personal.has_recommendations(threads_html):
            recommended = personal.recommended_by(user, article, versions.conversation)
        since = personal.last_visit(user, article)
        new = personal.new_comments(skeleton.slots, user, since)
        threads_html = personal.personalise(threads_html, recommended=recommended, new=new)
    return {
        "article": article,
        "user": user,
        "request": request,
        "sort": sort,
        "login_url": resolve_url(settings.LOGIN_URL),
        "threads_html": threads_html,
        "comment_count": skeleton.comment_count,
        "featured": skeleton.featured,
        "actions_form": personal.ACTIONS_FORM if can_report or can_feature else "",
        # What comments.js needs to ask for new comments (comments/live.py).
        "live_url": reverse("comments:live", kwargs={"slug": article.slug}),
        "live_version": versions.conversation.tag,
        "live_poll_seconds": settings.COMMENTS_LIVE_POLL_SECONDS,
        "form": CommentForm(article=article, author=user) if can_comment else None,
        "banned_message": moderation.banned_message(ban) if ban else "",
        "controls": viewer.shared,  # names what the section shows this kind of viewer
    }
