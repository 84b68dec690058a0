from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from newsroom import ratelimit

from . import profiles
from .forms import AvatarForm, PasswordResetForm, ProfileForm, SignupForm
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


def over_limit(request, action: str, form) -> bool:
    """Refuse a flood of sign-ups or reset e-mails from one address; the form says why."""
    try:
        ratelimit.hit(action, client_ip(request), limit=settings.ACCOUNT_RATE_LIMIT, period=3600)
    except ratelimit.RateLimited as error:
        minutes = -(-error.retry_after // 60)
        form.add_error(
            None, f"Too many attempts from your network. Please try again in {minutes} minutes."
        )
        return True
    return False


def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    status = 200
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid() and over_limit(request, "signup", form):
            status = 429
        elif form.is_valid():
            try:
                with transaction.atomic():
                    user = form.save()
            except IntegrityError:
                # Two people chose the same name at the same moment; the database's
                # case-insensitive constraint caught the second.
                form.add_error("username", SignupForm.error_messages["username_taken"])
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to {settings.SITE_NAME}, {user.username}.")
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
        if over_limit(self.request, "password-reset", form):
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
    profile_form = ProfileForm(instance=user)
    avatar_form = AvatarForm()
    if request.method == "POST":
        if request.POST.get("action") == "avatar":
            avatar_form = AvatarForm(request.POST, request.FILES)
            if avatar_form.is_valid():
                profiles.change_avatar(user=user, thumbnail=avatar_form.cleaned_data["avatar"])
                messages.success(request, "Your new avatar is in place.")
                return redirect("accounts:settings")
        else:
            profile_form = ProfileForm(request.POST, instance=user)
            if profile_form.is_valid():
                profiles.update_details(form=profile_form)
                messages.success(request, "Your details are saved.")
                return redirect("accounts:settings")
    return render(
        request,
        "accounts/settings.html",
        {"profile_form": profile_form, "avatar_form": avatar_form},
    )


@login_required
@require_POST
def remove_avatar(request):
    profiles.remove_avatar(user=request.user)
    messages.success(request, "Your avatar is removed; your initials show instead.")
    return redirect("accounts:settings")
