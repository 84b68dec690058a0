from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.template import loader
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString

from newsroom.mail import send_email

from . import avatars, identity
from .models import RetiredName, User

USERNAME_MAX_LENGTH = 30


LOOKS_TAKEN = "That username is taken, or looks too much like one that is. Please choose another."
INVISIBLE = "Names can’t contain invisible characters; please remove them."
MIXED_SCRIPTS = (
    "Please write each word of a name in one alphabet: mixing, say, Latin and Cyrillic "
    "letters makes names that look like someone else’s."
)


def check_scripts(name: str) -> None:
    """Checked after look-alikes, whose message says more about why a name is refused."""
    if identity.is_mixed_script(name):
        raise forms.ValidationError(MIXED_SCRIPTS, code="mixed_scripts")


class SignupForm(UserCreationForm):
    error_messages = {
        **UserCreationForm.error_messages,
        "username_taken": LOOKS_TAKEN,
    }

    accept_terms = forms.BooleanField(
        # Lazy: the URLs can only be reversed once the URLconf is loaded.
        label=lazy(format_html, SafeString)(
            'I accept the <a href="{}">terms of use</a> and the '
            '<a href="{}">community guidelines</a>, and have read the <a href="{}">privacy notice</a>.',
            reverse_lazy("pages:terms"),
            reverse_lazy("pages:guidelines"),
            reverse_lazy("pages:privacy"),
        ),
        error_messages={"required": "Please accept the terms of use to create an account."},
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]
        help_texts = {
            "username": (
                f"Shown with your comments. Up to {USERNAME_MAX_LENGTH} letters, digits "
                "and @ . + - _ characters."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Long names break the layout of comment threads; the model allows more for staff.
        username = self.fields["username"]
        username.max_length = USERNAME_MAX_LENGTH
        username.widget.attrs["maxlength"] = str(USERNAME_MAX_LENGTH)
        username.validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH))
        self.fields["email"].required = True
        self.fields["email"].help_text = (
            "We send a link to confirm it. Only for confirming it and resetting your "
            "password; never shown."
        )

    def clean_username(self):
        # The field has already NFKC-normalised the name, so "ａｄｍｉｎ" is "admin" here.
        username = self.cleaned_data["username"]
        if identity.is_blank(username):
            raise forms.ValidationError("Please choose a username with visible letters.")
        if identity.has_invisible(username):
            raise forms.ValidationError(INVISIBLE, code="invisible")
        taken = (
            User.objects.with_username_taken(username).exists()
            or User.objects.looking_like(username).exists()
            or RetiredName.objects.held().matching(username).exists()
        )
        if taken:
            raise forms.ValidationError(self.error_messages["username_taken"], code="taken")
        check_scripts(username)
        return username


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Usernames are not case-sensitive here, unlike Django's default wording says.
        "invalid_login": "That username and password don’t match. Passwords are case-sensitive.",
    }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name"]
        help_texts = {"first_name": "Your name is shown instead of your username if you add it."}

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get("first_name", ""), cleaned.get("last_name", "")]
        for field, part in zip(["first_name", "last_name"], parts, strict=True):
            if not identity.is_blank(part) and identity.has_invisible(part):
                self.add_error(field, INVISIBLE)
        name = " ".join(p for p in parts if p and not identity.is_blank(p))
        if self.errors or not name:
            # Blank parts are dropped: a name of only invisible characters is no name.
            cleaned["first_name"], cleaned["last_name"] = [
                "" if identity.is_blank(p) else p for p in parts
            ]
            return cleaned
        if User.objects.looking_like(name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "Another account is shown by that name, or one that looks just like it. "
                "Add a middle initial, or leave your name empty to be shown by your username.",
                code="taken",
            )
        check_scripts(name)
        return cleaned


class PasswordCheckedForm(forms.Form):
    """A form for a change only the account's owner may make: it asks for their password."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That isn’t your current password.", code="wrong_password")
        return password


class EmailChangeForm(PasswordCheckedForm):
    """A new e-mail address: it replaces the current one once the reader confirms it."""

    email = forms.EmailField(label="New e-mail address")
    field_order = ["email", "password"]


class DeleteAccountForm(PasswordCheckedForm):
    def clean(self):
        if self.user.is_staff:
            raise forms.ValidationError(
                "Staff accounts are closed by an administrator; please ask one.", code="staff"
            )
        return super().clean()


class AvatarForm(forms.Form):
    """An avatar upload.

    A plain Form, not a ModelForm: what is stored is not the upload but a
    thumbnail made from it, by `User.set_avatar`.
    """

    avatar = forms.FileField(
        label="New avatar",
        help_text=(
            f"A JPEG, PNG or WebP image up to {avatars.MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
            "We crop it to a square from the centre."
        ),
        error_messages={
            "required": "Choose an image to upload.",
            "empty": "That file is empty. Please choose another.",
        },
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_avatar(self):
        return avatars.thumbnail_from_upload(self.cleaned_data["avatar"])


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with the e-mail queued for a worker (newsroom/mail.py) instead of
    sent inside the request: a slow or failing mail server neither delays the page nor
    loses the message."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email,
        html_email_template_name=None,
    ):  # fmt: skip
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = ""
        if html_email_template_name:
            html_body = loader.render_to_string(html_email_template_name, context)
        send_email(
            to=to_email, subject=subject, body=body, html_body=html_body,
            from_email=from_email or "",
        )  # fmt: skip
