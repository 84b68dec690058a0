from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comments.models import Comment

from . import unsubscribe as tokens
from . import workflows
from .forms import PreferencesForm
from .models import MutedThread, Notification, Preferences

PAGE_SIZE = 50


@login_required
def notification_list(request):
    """The reader's latest notifications; those shown are marked read."""
    notifications = list(
        Notification.objects.for_reader(request.user)
        .shown()
        .select_related("comment__author", "comment__article")
        .order_by("-created_at", "-pk")[:PAGE_SIZE]
    )
    muted = set(
        MutedThread.objects.filter(
            user=request.user, thread_id__in={n.thread_id for n in notifications}
        ).values_list("thread_id", flat=True)
    )
    # The items are shown as unread once (the page shows what was new), but the header no
    # longer counts those this page shows: the reader is reading them.
    unread_here = sum(n.is_unread for n in notifications)
    if hasattr(request.user, "unread_notifications"):
        request.user.unread_notifications = max(0, request.user.unread_notifications - unread_here)
    response = render(
        request,
        "notifications/list.html",
        {
            "notifications": notifications,
            "muted": muted,
        },
    )
    workflows.mark_read(user=request.user, notifications=[n for n in notifications if n.is_unread])
    return response


@login_required
@require_POST
def mute(request, thread_id: int):
    thread = Comment.objects.filter(pk=thread_id, parent=None).first()
    if thread is None:
        messages.error(request, "That conversation no longer exists.")
    elif request.POST.get("action") == "unmute":
        workflows.unmute_thread(user=request.user, thread_id=thread.pk)
        messages.success(request, "You will be told about new replies in this conversation again.")
    else:
        workflows.mute_thread(user=request.user, thread_id=thread.pk)
        messages.success(request, "You won’t be told about this conversation any more.")
    return redirect("notifications:list")


@login_required
@require_POST
def preferences(request):
    form = PreferencesForm(request.POST, instance=Preferences.of(request.user))
    if form.is_valid():
        form.save()
        messages.success(request, "Your notification choices are saved.")
    else:
        messages.error(request, "Please choose one of the options for e-mails about replies.")
    return redirect("accounts:settings")


@csrf_exempt  # RFC 8058: mail clients POST here, with no session and no CSRF token
def unsubscribe(request, token: str):
    """An e-mail's unsubscribe link: a page with one button (GET), which unsubscribes
    (POST, also what mail clients send for List-Unsubscribe-Post). No login needed."""
    try:
        user_id = tokens.user_id_from(token)
        user = get_user_model().objects.get(pk=user_id)
    except (tokens.InvalidToken, get_user_model().DoesNotExist) as error:
        expired = getattr(error, "expired", False)
        return render(
            request, "notifications/unsubscribe_invalid.html", {"expired": expired}, status=400
        )
    if request.method == "POST":
        workflows.unsubscribe(user=user)
        return render(request, "notifications/unsubscribed.html", {"person": user})
    return render(request, "notifications/unsubscribe.html", {"person": user})
