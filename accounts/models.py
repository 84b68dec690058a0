import secrets
import unicodedata

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.files import File
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.urls import reverse

from . import avatars


def fold_username(username: str) -> str:
    """The form shared by usernames that count as the same name (NFKC + case fold)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_username(self, username: str):
        """Accounts whose username matches `username` ignoring case.

        Stored usernames are NFKC-normalised, so fullwidth or other compatibility
        forms of a name fold onto it too. The comparison is PostgreSQL's lower(),
        the same expression the unique constraint indexes.
        """
        username = unicodedata.normalize("NFKC", username)
        return self.alias(username_lower=Lower("username")).filter(
            username_lower=Lower(Value(username))
        )

    def with_username_taken(self, username: str):
        """Accounts that would clash with `username` at sign-up.

        Stricter than `with_username`: it also tries the full Unicode case fold,
        so a new "Straße" is refused when "strasse" exists.
        """
        plain = unicodedata.normalize("NFKC", username)
        folded = fold_username(username)
        return self.alias(username_lower=Lower("username")).filter(
            Q(username_lower=Lower(Value(plain))) | Q(username_lower=Lower(Value(folded)))
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        # Log-in and createsuperuser look accounts up here: "Alice" finds "alice".
        # The unique constraint on lower(username) means this never finds two.
        return self.with_username(username).get()


class User(AbstractUser):
    """The site's user: readers, editors and moderators alike."""

    avatar = models.ImageField(
        upload_to="avatars/",
        blank=True,
        help_text="A small square thumbnail made from the reader's upload.",
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="That username is taken.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Sign-up normalises already; this also covers the admin, scripts and fixtures,
        # so the case-insensitive constraint compares like with like.
        self.username = self.normalize_username(self.username)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"username": self.username})

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def avatar_url(self) -> str | None:
        return self.avatar.url if self.avatar else None

    @property
    def avatar_initials(self) -> str:
        return avatars.initials(self.first_name, self.last_name, self.username)

    @property
    def avatar_colour(self) -> int:
        return avatars.colour_index(self.username)

    def set_avatar(self, thumbnail: File) -> None:
        """Store `thumbnail` (already validated and resized) as this reader's avatar."""
        old_name = self.avatar.name
        # A fresh random name for every upload, so browsers and caches never show a
        # stale picture and names do not reveal how often someone changed theirs.
        name = f"{self.pk}-{secrets.token_urlsafe(8)}.{avatars.THUMBNAIL_EXTENSION}"
        self.avatar.save(name, thumbnail, save=False)
        self.save(update_fields=["avatar"])
        if old_name:
            self._delete_avatar_file_on_commit(old_name)

    def remove_avatar(self) -> None:
        old_name = self.avatar.name
        if not old_name:
            return
        self.avatar = ""
        self.save(update_fields=["avatar"])
        self._delete_avatar_file_on_commit(old_name)

    def _delete_avatar_file_on_commit(self, name: str) -> None:
        # Only once the row no longer points at it: a rolled-back change keeps its file.
        storage = self.avatar.storage
        transaction.on_commit(lambda: storage.delete(name))
