from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Accounts"

    def ready(self):
        from django.urls import register_converter

        from . import checks  # noqa: F401  (registers them)
        from .converters import UsernameConverter

        register_converter(UsernameConverter, "username")
