"""Dev-only demo accounts: staff in their groups, and readers, with well-known passwords."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User

READERS = [
    ("alice", "Alice", "Moreno"),
    ("bashir", "Bashir", "Rahman"),
    ("chloe", "Chloe", "Davies"),
    ("dmitri", "Dmitri", "Volkov"),
    ("ewa", "Ewa", "Nowak"),
    ("fergus", "Fergus", "Doyle"),
    ("grace", "Grace", "Adeyemi"),
    ("troll", "Rex", "Grimsby"),
]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str


@dataclass(frozen=True)
class People:
    editor: User
    reporter: User
    moderator: User
    readers: list[User]
    logins: list[Login]


def seed() -> People:
    logins = []

    def account(username, first, last, **kwargs) -> User:
        user, login = _account(username, first, last, **kwargs)
        logins.append(login)
        return user

    editor = account("editor", "Elena", "Marsh", staff=True, group="Editors")
    reporter = account("reporter", "Tom", "Okafor", staff=True, group="Editors")
    account("admin", "Site", "Admin", staff=True, superuser=True)
    moderator = account("moderator", "Priya", "Shah", staff=True, group="Moderators")
    readers = [account(username, first, last) for username, first, last in READERS]
    return People(editor, reporter, moderator, readers, logins)


def _account(
    username, first, last, *, staff=False, superuser=False, group=None
) -> tuple[User, Login]:
    """The account `username`, created with a known password if it is missing."""
    password = f"{username}-demo-pass"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.com",
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "email_confirmed_at": timezone.now(),
        },
    )
    if created:
        user.set_password(password)
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user, Login(username, password, "superuser" if superuser else (group or "reader"))
