from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator

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
