"""Changes to what other readers see of a reader: name, avatar, staff badge.

Comments show these beside every comment a reader wrote, in cached threads, so
each change here also has the comments app rebuild the threads they appear in
(in the same transaction). A login or a password change touches none of them
and rebuilds nothing.
"""

from django.core.files import File
from django.db import transaction

from comments.moderation import author_changed

from . import confirmation
from .forms import ProfileForm
from .models import User

# What a comment shows of its author (comments.rendering keys its fragments on them).
SHOWN_WITH_COMMENTS = {"username", "first_name", "last_name", "avatar", "is_staff"}


def shown_details_changed(*, user: User, changed: set[str]) -> None:
    """After saving `changed` fields of `user`, inside that save's transaction."""
    if SHOWN_WITH_COMMENTS.intersection(changed):
        author_changed(author=user)


@transaction.atomic
def update_details(*, form: ProfileForm) -> User:
    """Save the reader's own settings form (already valid)."""
    user = form.save()
    shown_details_changed(user=user, changed=set(form.changed_data))
    return user


@transaction.atomic
def change_avatar(*, user: User, thumbnail: File) -> None:
    user.set_avatar(thumbnail)
    shown_details_changed(user=user, changed={"avatar"})


@transaction.atomic
def remove_avatar(*, user: User) -> None:
    if user.avatar:
        user.remove_avatar()
        shown_details_changed(user=user, changed={"avatar"})


@transaction.atomic
def change_email(*, user: User, email: str) -> None:
    """Ask for a new address: it replaces the current one once its link is followed."""
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    confirmation.send_confirmation(user=user, email=email)
