from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The site's user: readers, editors and moderators alike."""

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
