"""One comment's HTML, written in Python: the article page renders a hundred of them
whenever a thread changes, and the template engine spent most of a cold page on them.

Every value a reader wrote (names, usernames, choice labels) goes through escape();
the body is the comment's stored `body_html`, made safe when it was saved
(comments/text.py). URLs come from reverse() once per batch, not per comment, so a
script prefix still applies. tests/comments/ pin the markup.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape

from .personal import ACTIONS_FORM

AVATAR_SIZE = 40
_PK = 2_147_000_001  # stands for a comment's id in a reversed URL


def when(value, zone) -> tuple[str, str]:
    """A moment as `<time datetime>` and as text (as `|html_datetime` and `|date:"j F Y, H:i"`)
    in `zone`, the current time zone (looked up once a page: it lives in a context-local)."""
    local = timezone.localtime(value, zone)
    return (
        local.isoformat(timespec="seconds"),
        f"{local.day} {MONTHS[local.month]} {local.year:04d}, {local:%H:%M}",
    )


def _where_urls_are() -> tuple:
    """What reverse() depends on besides its arguments: keys for the memos below."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


@functools.cache
def _comment_urls(_where: tuple) -> dict[str, tuple[str, str]]:
    """The escaped URL of each comment action, split where the comment's id goes."""
    urls = {}
    for name in ("permalink", "reply", "edit", "delete", "report", "feature", "recommend"):
        before, after = escape(reverse(f"comments:{name}", args=[_PK])).split(str(_PK))
        urls[name] = (before, after)
    return urls


@functools.lru_cache(maxsize=4096)
def _profile_path(_where: tuple, username: str) -> str:
    return reverse("accounts:profile", kwargs={"username": username})


def profile_path(person) -> str:
    """person.get_absolute_url(), remembered: a page of threads links fifty people twice."""
    return _profile_path(_where_urls_are(), person.username)


class Fragments:
    """Renders comments for one page: URLs and each author's header are made once."""

    def __init__(self, byline_ids):
        self.byline_ids = byline_ids
        self.urls = _comment_urls(_where_urls_are())
        self.zone = timezone.get_current_timezone()
        self._authors = {}

    def url(self, name: str, pk: int) -> str:
        before, after = self.urls[name]
        return f"{before}{pk}{after}"

    def _author(self, author) -> tuple[str, str]:
        """The author's avatar and name (as includes/_avatar.html writes it), and their
        escaped display name."""
        known = self._authors.get(author.pk)
        if known is not None:
            return known
        name = escape(author.display_name)
        size = AVATAR_SIZE
        if url := author.avatar_url:
            avatar = (
                f'<img class="avatar avatar--{size}" src="{escape(url)}" width="{size}" '
                f'height="{size}" alt="">'
            )
        else:
            avatar = (
                f'<span class="avatar avatar--{size} avatar--c{escape(author.avatar_colour)}" '
                f'aria-hidden="true">{escape(author.avatar_initials)}</span>'
            )
        if author.is_deleted:
            link = f'<span class="comment__author comment__author--deleted">{name}</span>'
        else:
            href = escape(profile_path(author))
            link = f'<a class="comment__author" href="{href}">{name}</a>'
        self._authors[author.pk] = known = (
            f'{avatar}\n<div class="comment__meta">\n{link}\n',
            name,
        )
        return known

    def render(self, node, controls) -> str:
        """The comment's <article>, as templates once wrote it, for these controls."""
        comment, author = node.comment, node.comment.author
        pk, visible = comment.pk, comment.is_visible
        classes = "comment" if node.shown else "comment comment--placeholder"
        if not visible:
            classes += f" comment--{escape(comment.status)}"
        out = [f'<article class="{classes}" id="comment-{pk}">\n']
        if not node.shown:
            if author.is_deleted:
                text = f"{escape(author.display_name)}: comment removed with the account"
            elif comment.is_deleted:
                text = "Comment deleted"
            else:
                text = "This comment was removed by a moderator."
            out.append(f'<p class="comment__placeholder">{text}</p>\n</article>\n')
            return "".join(out)
        header, name = self._author(author)
        out.append('<header class="comment__header">\n')
        out.append(header)
        if comment.author_id in self.byline_ids:
            out.append('<span class="badge badge--author">Author</span>\n')
        elif author.is_staff:
            out.append('<span class="badge badge--staff">Staff</span>\n')
        if comment.is_featured:
            out.append('<span class="badge badge--featured">Featured</span>\n')
        stamp, text = when(comment.created_at, self.zone)
        out.append(
            f'<a class="comment__time" href="{self.url("permalink", pk)}" title="Link to this '
            f'comment"><time datetime="{stamp}">{text}</time></a>\n'
        )
        if comment.is_edited:
            edited = when(comment.edited_at, self.zone)[1]
            out.append(f'<span class="comment__edited" title="Edited {edited}">edited</span>\n')
        out.append("</div>\n</header>\n")
        if reply_to := node.reply_to:
            out.append(
                f'<p class="comment__reply-to">Replying to <a href="#comment-{reply_to.pk}">'
                f"{escape(reply_to.author.display_name)}</a></p>\n"
            )
        if comment.is_pending:
            out.append(
                '<p class="comment__status" role="note">Awaiting moderation: only you can see '
                "this comment for now.</p>\n"
            )
        if comment.is_hidden:
            reason = comment.hidden_reason and f": {escape(comment.get_hidden_reason_display())}"
            out.append(
                '<p class="comment__status comment__status--removed" role="note">Removed by a '
                f"moderator{reason}. Only you can see this comment.</p>\n"
            )
        out.append(f'<div class="comment__body">{comment.body_html}</div>\n')
        count = comment.recommendation_count
        if controls.any or (count and visible):
            out.append('<footer class="comment__actions">\n')
            out.extend(self._actions(comment, controls, name))
            out.append("</footer>\n")
        out.append("</article>\n")
        return "".join(out)

    def _actions(self, comment, controls, name):
        pk, visible, count = comment.pk, comment.is_visible, comment.recommendation_count
        if visible and controls.recommend:
            # As personal.recommend_button() writes it, unpressed: personal.personalise()
            # presses it for the readers who recommended the comment.
            yield (
                f'<button type="submit" form="{ACTIONS_FORM}" formaction="'
                f'{self.url("recommend", pk)}" name="recommend" value="on" class="recommend" '
                f'aria-pressed="false" data-recommend="{pk}" data-count="{count}">'
                f"{escape(settings.COMMENTS_RECOMMEND_LABEL)} "
                f'<span class="recommend__count">{count}</span></button>\n'
            )
        elif visible and count:
            plural = "" if count == 1 else "s"
            yield f'<span class="recommend-count">{count} recommendation{plural}</span>\n'
        if controls.reply and visible:
            yield (
                f'<a class="comment__reply" href="{self.url("reply", pk)}" data-reply-to="{pk}" '
                f'data-reply-name="{name}">Reply</a>\n'
            )
        if controls.edit:
            yield f'<a href="{self.url("edit", pk)}">Edit</a>\n'
        if controls.delete:
            yield f'<a href="{self.url("delete", pk)}">Delete</a>\n'
        if controls.report and visible:
            yield f'<a class="comment__report" href="{self.url("report", pk)}" rel="nofollow">Report</a>\n'
        if controls.feature and visible:
            on = "off" if comment.featured_at else "on"
            label = "Unfeature" if comment.featured_at else "Feature"
            yield (
                f'<button type="submit" form="comment-actions" formaction="{self.url("feature", pk)}" '
                f'name="featured" value="{on}" class="link-button comment__feature">{label}</button>\n'
            )
