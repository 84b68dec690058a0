from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from newsroom import ratelimit

from . import live as live_threads
from . import moderation, threads
from .forms import CommentForm, EditCommentForm, ReportForm
from .models import Comment


def _permalink(comment, location: threads.Location | None) -> str:
    """The comment's place on its article's page (the conversation, if not shown there)."""
    if location is None:
        return f"{comment.article.get_absolute_url()}#comments"
    params = [f"page={location.page}"] if location.page > 1 else []
    if location.expand:  # a collapsed reply: land on it with its thread expanded
        params.append(f"expand={location.expand}")
    query = f"?{'&'.join(params)}" if params else ""
    return f"{comment.article.get_absolute_url()}{query}#{comment.anchor}"


def _too_many(request, template, context, error: ratelimit.RateLimited):
    context["rate_limited"] = error
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


@contextmanager
def _refusal_is_forbidden():
    """A workflow's refusal (a ban, one's own comment) answers 403 with its message."""
    try:
        yield
    except moderation.CommentRefused as refusal:
        raise PermissionDenied(refusal.message) from refusal


@login_required
@require_POST
def post_comment(request, article_pk):
    article = get_object_or_404(Article.objects.public(), pk=article_pk)
    form = CommentForm(request.POST, article=article, author=request.user)
    context = {"form": form, "article": article}
    if not form.is_valid():
        context["parent"] = form.cleaned_data.get("parent")
        return render(request, "comments/comment_form.html", context)
    context["parent"] = form.cleaned_data["parent"]
    try:
        comment = moderation.post_comment(
            author=request.user,
            article=article,
            body=form.cleaned_data["body"],
            parent=form.cleaned_data["parent"],
        )
    except ratelimit.RateLimited as error:
        return _too_many(request, "comments/comment_form.html", context, error)
    except moderation.CommentRefused as refusal:
        form.add_error(None, refusal)
        status = 403 if refusal.rule == "banned" else 200
        return render(request, "comments/comment_form.html", context, status=status)
    if comment.is_pending:
        messages.info(request, "Thanks! Your comment will appear once a moderator has seen it.")
    return redirect(_permalink(comment, threads.locate(comment, request.user)))


@login_required
def reply(request, pk):
    """The no-JavaScript reply form: shows the comment being answered."""
    parent = get_object_or_404(Comment.objects.public().select_related("author", "article"), pk=pk)
    with _refusal_is_forbidden():
        moderation.refuse_if_banned(request.user)
    article = parent.article
    form = None
    if article.comments_open:
        form = CommentForm(initial={"parent": parent.pk}, article=article, author=request.user)
    return render(
        request,
        "comments/comment_form.html",
        {"form": form, "article": article, "parent": parent},
    )


def _own_comment(request, pk) -> Comment:
    comment = get_object_or_404(Comment.objects.live().select_related("article"), pk=pk)
    if not comment.can_delete(request.user):  # the author, while the comment exists
        raise PermissionDenied("You can only change your own comments.")
    return comment


@login_required
def edit(request, pk):
    comment = _own_comment(request, pk)
    if not comment.article.is_public:  # unpublished since: nowhere to show the new text
        raise Http404("No such article.")
    if not comment.can_edit(request.user):
        raise PermissionDenied("Comments can only be edited shortly after posting.")
    with _refusal_is_forbidden():
        moderation.refuse_if_banned(request.user)
    form = EditCommentForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid():
        try:
            edited = moderation.edit_comment(comment=comment, body=form.cleaned_data["body"])
        except moderation.CommentRefused as refusal:
            form.add_error(None, refusal)
        except ratelimit.RateLimited as error:
            context = {"form": form, "comment": comment}
            return _too_many(request, "comments/edit_form.html", context, error)
        else:
            if edited.is_pending:
                messages.info(
                    request,
                    "Your comment was updated and will appear once a moderator has seen it.",
                )
            else:
                messages.success(request, "Your comment was updated.")
            return redirect(_permalink(edited, threads.locate(edited, request.user)))
    return render(request, "comments/edit_form.html", {"form": form, "comment": comment})


@login_required
def delete(request, pk):
    comment = _own_comment(request, pk)
    if request.method == "POST":
        moderation.delete_comment(comment=comment)
        messages.success(request, "Your comment was deleted.")
        return redirect(f"{comment.article.get_absolute_url()}#comments")
    return render(request, "comments/delete_confirm.html", {"comment": comment})


def permalink(request, pk):
    """/comments/<id>/ lands on the page of the article where the comment is shown.

    A comment the page doesn't show this reader is not found, except that
    moderators are taken to it in the moderation admin, with its thread around it.
    """
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    article_shown = Article.objects.visible_to(request.user).filter(pk=comment.article_id).exists()
    location = threads.locate(comment, request.user) if article_shown else None
    if location is not None:
        return redirect(_permalink(comment, location))
    if request.user.has_perm("comments.moderate_comment"):
        return redirect("admin:comments_comment_change", comment.pk)
    raise Http404("No such comment.")


@login_required
def report(request, pk):
    """Readers flag a comment for moderators; works without JavaScript."""
    comment = get_object_or_404(
        Comment.objects.reportable().select_related("author", "article"), pk=pk
    )
    form = ReportForm(request.POST or None)
    context = {"form": form, "comment": comment}
    with _refusal_is_forbidden():
        if request.method != "POST" or not form.is_valid():
            moderation.refuse_if_cannot_report(reporter=request.user, comment=comment)
            return render(request, "comments/report_form.html", context)
        try:
            _, created = moderation.report_comment(
                reporter=request.user, comment=comment, **form.cleaned_data
            )
        except ratelimit.RateLimited as error:
            return _too_many(request, "comments/report_form.html", context, error)
    if created:
        messages.success(request, "Thank you. Our moderators will review this comment.")
    else:
        messages.info(request, "You have already reported this comment; we count each reader once.")
    return redirect(f"{comment.article.get_absolute_url()}#comments")


def _wants_json(request) -> bool:
    """comments.js asks for JSON to update the page in place; forms get a redirect."""
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def recommend(request, pk):
    """Recommend a comment, or (recommend=off) take it back; works without JavaScript."""
    comment = get_object_or_404(Comment.objects.public().select_related("article"), pk=pk)
    on = request.POST.get("recommend") != "off"
    try:
        with _refusal_is_forbidden():
            comment = moderation.recommend(reader=request.user, comment=comment, on=on)
    except ratelimit.RateLimited as error:
        if _wants_json(request):
            response = JsonResponse({"error": str(error)}, status=429)
        else:
            response = render(
                request, "comments/too_many.html", {"error": error, "comment": comment}, status=429
            )
        response["Retry-After"] = str(error.retry_after)
        return response
    if _wants_json(request):
        return JsonResponse({"pressed": on, "count": comment.recommendation_count})
    return redirect(_permalink(comment, threads.locate(comment, request.user)))


@login_required
@require_POST
def feature(request, pk):
    """Staff put a comment in the article's Featured block (featured=off: take it out)."""
    if not request.user.has_perm("comments.feature_comment"):
        raise PermissionDenied("Only editors and moderators can feature comments.")
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    try:
        if request.POST.get("featured") == "off":
            comment = moderation.unfeature(comment=comment, moderator=request.user)
            messages.success(request, "The comment is no longer featured.")
        else:
            comment = moderation.feature(comment=comment, moderator=request.user)
            messages.success(request, "The comment is featured above the conversation.")
    except ValueError as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{comment.article.get_absolute_url()}#comments")
    return redirect(_permalink(comment, threads.locate(comment, request.user)))


@require_GET
def live(request, slug):
    """What an open article page polls: 304 while its conversation is unchanged (one
    cache read, no SQL), else its recently visible comments (comments/live.py)."""
    versions = live_threads.stamp(slug)
    etag = live_threads.etag(versions)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        state = live_threads.state(slug, versions)
        if state is None:
            return JsonResponse({"error": "No such article."}, status=404)
        response = JsonResponse({"version": versions.tag, **state})
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True)
    return response
