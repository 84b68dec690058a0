import secrets
import unicodedata

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.files import File
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from . import avatars, identity

DELETED_READER = "Deleted reader"


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

    def looking_like(self, name: str):
        """Accounts shown by a name (username or display name) that looks like `name`."""
        shape = identity.skeleton(name)
        return self.filter(Q(username_skeleton=shape) | Q(display_name_skeleton=shape))

    def email_unconfirmed(self):
        return self.filter(email_confirmed_at__isnull=True)


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

    # TR39 skeletons of the username and the display name (accounts/identity.py): one
    # indexed lookup finds any account shown by a name that looks like a new one.
    username_skeleton = models.CharField(max_length=150, editable=False, db_index=True, default="")
    display_name_skeleton = models.CharField(
        max_length=300, editable=False, blank=True, db_index=True
    )
    # Empty until the reader follows the link we e-mailed to `email`.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # A new address asked for on the settings page; it replaces `email` once confirmed.
    pending_email = models.EmailField(blank=True)
    # The version of the terms of use the reader accepted at sign-up, and when.
    terms_version = models.CharField(max_length=40, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    # Set when the reader deleted their account: the row stays, pseudonymous, so
    # comments that others replied to keep their place.
    deleted_at = models.DateTimeField(null=True, blank=True)

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
        self.username_skeleton = identity.skeleton(self.username)
        full_name = self.get_full_name()
        self.display_name_skeleton = identity.skeleton(full_name) if full_name else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "first_name", "last_name"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {
                *update_fields, "username_skeleton", "display_name_skeleton"
            }  # fmt: skip
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"username": self.username})

    @property
    def display_name(self) -> str:
        if self.is_deleted:
            return DELETED_READER
        return self.get_full_name() or self.username

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def confirm_email(self, email: str) -> None:
        """The reader followed a confirmation link for `email` (their address or a new one)."""
        self.email = email
        self.pending_email = ""
        self.email_confirmed_at = timezone.now()
        self.save(update_fields=["email", "pending_email", "email_confirmed_at"])

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


class RetiredNameQuerySet(models.QuerySet):
    def held(self):
        """Names still kept from new accounts."""
        return self.filter(held_until__gt=timezone.now())

    def matching(self, name: str):
        return self.filter(digest=identity.retired_digest(name))


class RetiredName(models.Model):
    """The username of a deleted account, kept from anyone else for a while.

    Only a digest of the name's skeleton is stored: enough to refuse the name and
    its look-alikes, not to tell who the reader was.
    """

    digest = models.CharField(max_length=64, unique=True)
    held_until = models.DateTimeField()

    objects = RetiredNameQuerySet.as_manager()

    def __str__(self):
        return f"Retired name {self.digest[:12]}… held until {self.held_until:%d %b %Y}"
