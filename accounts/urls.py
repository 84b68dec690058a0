"""Reader accounts: sign-up, log-in, passwords, settings and public profiles."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import LoginForm

app_name = "accounts"


def page(view, template: str, *, then: str | None = None, **options):
    """`view` (one of django.contrib.auth's) showing templates/accounts/<template>.html,
    going on to the accounts page named `then` once its form succeeds."""
    if then:
        options["success_url"] = reverse_lazy(f"accounts:{then}")
    return view.as_view(template_name=f"accounts/{template}.html", **options)


urlpatterns = [
    path("people/<username:username>/", views.ProfileView.as_view(), name="profile"),
    path("accounts/signup/", views.signup, name="signup"),
    # Every page names its template, all under templates/accounts/. Django's default
    # registration/ names would not do for the password pages: the admin's use them too.
    path(
        "accounts/login/",
        page(
            auth_views.LoginView,
            "login",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/settings/", views.account_settings, name="settings"),
    path("accounts/settings/avatar/remove/", views.remove_avatar, name="avatar_remove"),
    path("accounts/settings/export/", views.export_data, name="export"),
    path("accounts/settings/delete/", views.delete_account, name="delete"),
    path("accounts/confirm/resend/", views.resend_confirmation, name="resend_confirmation"),
    path("accounts/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path(
        "accounts/password/change/",
        page(auth_views.PasswordChangeView, "password_change", then="password_change_done"),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        page(auth_views.PasswordChangeDoneView, "password_change_done"),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        page(
            views.PasswordResetView,
            "password_reset",
            then="password_reset_done",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            # Links in the e-mail use the configured address, never the request's
            # Host header, which an attacker could set to a domain of their own.
            extra_email_context={"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME},
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        page(auth_views.PasswordResetDoneView, "password_reset_sent"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        page(
            auth_views.PasswordResetConfirmView,
            "password_reset_confirm",
            then="password_reset_complete",
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        page(auth_views.PasswordResetCompleteView, "password_reset_complete"),
        name="password_reset_complete",
    ),
]
