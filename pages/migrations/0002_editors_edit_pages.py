from django.contrib.auth.management import create_permissions
from django.db import migrations

PAGE_PERMISSIONS = ["add_page", "change_page", "view_page"]


def _page_permissions(apps):
    # Permissions are normally created after migrations; make sure these exist now.
    pages = apps.get_app_config("pages")
    pages.models_module = True
    create_permissions(pages, apps=apps, verbosity=0)
    pages.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="pages", codename__in=PAGE_PERMISSIONS)


def allow_editors(apps, schema_editor):
    # Editors keep what they had (other apps add to the group too) and write the
    # guidelines, privacy notice and terms; they never delete them.
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.add(*_page_permissions(apps))


def disallow_editors(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(*_page_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("articles", "0003_editors_group"),
    ]

    operations = [migrations.RunPython(allow_editors, disallow_editors)]
