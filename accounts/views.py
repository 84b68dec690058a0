import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView

from newsroom import ratelimit
from pages.models import Page

from . import confirmation, deletion, export, profiles
from .forms import (
    AvatarForm,
    DeleteAccountForm,
    EmailChangeForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
)
from .models import User
from .throttling import client_ip


def _next_url(request: HttpRequest) -> str:
    """The `next` page asked for, if it is on this site; otherwise the default."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return settings.LOGIN_REDIRECT_URL


def over_limit(request, action: str, form, *, email: str = "") -> bool:
    """Count one `action`; past a limit, the form says why and what to do."""
    refusal = limit_refusal(request, action, email=email)
    if refusal:
        form.add_error(None, refusal)
    return refusal is not None


def limit_refusal(request, action: str, *, email: str = "") -> str | None:
    """Refuse a flood of sign-ups or e-mails: per network address, with a limit high enough
    for a whole office or school behind one address, and per e-mail address. Returns the
    message for the reader, or None when the action may go ahead."""
    try:
        ratelimit.hit(action, client_ip(request), limit=settings.ACCOUNT_RATE_LIMIT, period=3600)
    except ratelimit.RateLimited as error:
        return (
            f"Too many attempts from your network in the last hour. Please try again in "
            f"{_minutes(error)}. If you share a connection (at work, a school or a café), "
            "others there may have been signing up too."
        )
    if not email:
        return None
    try:
        ratelimit.hit(
            f"{action}-email",
            email.casefold(),
            limit=settings.ACCOUNT_EMAIL_RATE_LIMIT,
            period=3600,
        )
    except ratelimit.RateLimited as error:
        return (
            f"We have sent several e-mails to that address in the last hour. Please check its "
            f"inbox (and spam folder), or try again in {_minutes(error)}."
        )
    return None


def _minutes(error: ratelimit.RateLimited) -> str:
    minutes = -(-error.retry_after // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    status = 200
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid() and over_limit(
            request, "signup", form, email=form.cleaned_data["email"]
        ):
            status = 429
        elif form.is_valid():
            try:
                with transaction.atomic():
                    user = form.save(commit=False)
                    terms = Page.objects.terms().first()
                    user.terms_version = terms.version if terms else ""
                    user.terms_accepted_at = timezone.now()
                    user.save()
                    confirmation.send_confirmation(user=user, email=user.email)
            except IntegrityError:
                # Two people chose the same name at the same moment; the database's
                # case-insensitive constraint caught the second.
                form.add_error("username", SignupForm.error_messages["username_taken"])
            else:
                login(request, user, backend="accounts.backends.ReaderBackend")
                messages.success(
                    request,
                    f"Welcome to {settings.SITE_NAME}, {user.username}. We have e-mailed you a "
                    "link: please follow it to confirm your address.",
                )
                return redirect(_next_url(request))
    else:
        form = SignupForm()
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=status,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, limited per client address like sign-up.

    The limit applies whether or not the address has an account, so the page
    still reveals nothing about who is registered.
    """

    form_class = PasswordResetForm

    def form_valid(self, form):
        if over_limit(self.request, "password-reset", form, email=form.cleaned_data["email"]):
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class ProfileView(DetailView):
    template_name = "accounts/profile.html"
    # Not "user": that name already means the logged-in reader in every template.
    context_object_name = "person"

    def get_object(self, queryset=None):
        return get_object_or_404(User.objects.active().with_username(self.kwargs["username"]))

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.username != self.kwargs["username"]:
            # /people/ALICE/ finds alice; send browsers and search engines to one address.
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            is_own_profile=self.request.user.pk == self.object.pk, **kwargs
        )


@login_required
def account_settings(request):
    user = request.user
    forms = {
        "profile_form": ProfileForm(instance=user),
        "avatar_form": AvatarForm(),
        "email_form": EmailChangeForm(user=user),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "avatar":
            form = forms["avatar_form"] = AvatarForm(request.POST, request.FILES)
            if form.is_valid():
                profiles.change_avatar(user=user, thumbnail=form.cleaned_data["avatar"])
                messages.success(request, "Your new avatar is in place.")
                return redirect("accounts:settings")
        elif action == "email":
            form = forms["email_form"] = EmailChangeForm(request.POST, user=user)
            email = form.data.get("email", "")
            if form.is_valid() and over_limit(request, "confirm-email", form, email=email):
                status = 429
            elif form.is_valid():
                profiles.change_email(user=user, email=form.cleaned_data["email"])
                messages.info(
                    request,
                    f"We have e-mailed a link to {form.cleaned_data['email']}. Your address "
                    "changes once you follow it.",
                )
                return redirect("accounts:settings")
        else:
            form = forms["profile_form"] = ProfileForm(request.POST, instance=user)
            if form.is_valid():
                profiles.update_details(form=form)
                messages.success(request, "Your details are saved.")
                return redirect("accounts:settings")
    context = {**forms, "unconfirmed_refused": settings.ACCOUNT_UNCONFIRMED_COMMENTS == "refuse"}
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_POST
def resend_confirmation(request):
    user = request.user
    email = user.pending_email or (user.email if not user.email_confirmed else "")
    if not email:
        messages.info(request, "Your e-mail address is already confirmed.")
        return redirect("accounts:settings")
    refusal = limit_refusal(request, "confirm-email", email=email)
    if refusal:
        messages.error(request, refusal)
        return redirect("accounts:settings")
    confirmation.send_confirmation(user=user, email=email)
    messages.info(request, f"We have sent a new confirmation link to {email}.")
    return redirect("accounts:settings")


@require_http_methods(["GET", "POST"])
def confirm_email(request, token: str):
    """The e-mail's link shows the address and a Confirm button (GET); the button confirms
    (POST), so a mail scanner that opens the link confirms nothing."""
    try:
        if request.method == "GET":
            _, email = confirmation.check(token=token)
            return render(request, "accounts/confirm_email.html", {"email": email})
        user = confirmation.confirm(token=token)
    except confirmation.InvalidLink as error:
        return render(
            request, "accounts/confirm_email_failed.html", {"message": str(error)}, status=400
        )
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    return redirect("accounts:settings" if request.user.pk == user.pk else "accounts:login")


@login_required
def export_data(request):
    """The reader's data as a JSON file to download."""
    data = export.export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    filename = f"{settings.SITE_NAME.lower()}-{request.user.username}-data.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        deletion.delete_account(user=request.user)
        logout(request)
        messages.success(
            request, "Your account is deleted. We have sent a confirmation to your e-mail address."
        )
        return redirect("articles:home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "comments_kept": settings.ACCOUNT_DELETED_COMMENTS == "keep"},
    )


@login_required
@require_POST
def remove_avatar(request):
    profiles.remove_avatar(user=request.user)
    messages.success(request, "Your avatar is removed; your initials show instead.")
    return redirect("accounts:settings")
