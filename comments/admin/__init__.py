"""The moderators' workspace in the Django admin, by concern."""

from . import audit, queue, readers, rules  # noqa: F401
