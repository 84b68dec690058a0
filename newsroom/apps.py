from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project as an app: site-wide checks, URL converters and the demo command; no models."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from django.urls import register_converter

        from . import checks  # noqa: F401  (registers them)
        from .converters import UsernameConverter

        register_converter(UsernameConverter, "username")
