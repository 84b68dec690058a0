"""URL converters shared by the apps."""

from django.contrib.auth.validators import UnicodeUsernameValidator


class UsernameConverter:
    """Only what a username can contain, so odd bytes (a NUL, say) are a 404, not a query."""

    regex = UnicodeUsernameValidator.regex.removeprefix("^").removesuffix(r"\Z")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
