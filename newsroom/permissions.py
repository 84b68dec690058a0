"""Staff groups, created by data migrations so every deployment has them."""

from django.contrib.auth.management import create_permissions


def ensure_group(apps, name: str, permissions: dict[str, list[str]]) -> None:
    """Create `name` holding exactly `permissions` ({app_label: [codename, ...]})."""
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=name)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codenames in permissions.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


def model_permissions(*models: str) -> list[str]:
    return [
        f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")
    ]
