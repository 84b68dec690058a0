from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.template import loader

from newsroom.mail import send_email

from . import avatars
from .models import User

USERNAME_MAX_LENGTH = 30


class SignupForm(UserCreationForm):
    error_messages = {
        **UserCreationForm.error_messages,
        "username_taken": "That username is taken.",
    }

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
        self.fields["email"].help_text = "Only for resetting your password; never shown."

    def clean_username(self):
        # The field has already NFKC-normalised the name, so "ａｄｍｉｎ" is "admin" here.
        username = self.cleaned_data["username"]
        if User.objects.with_username_taken(username).exists():
            raise forms.ValidationError(self.error_messages["username_taken"], code="taken")
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
