from django.db import migrations

from newsroom.permissions import ensure_group, model_permissions


def allow_editors(apps, schema_editor):
    # Editors keep what they had and write the guidelines, privacy notice and terms.
    ensure_group(
        apps,
        "Editors",
        {
            "articles": model_permissions("article", "section", "tag"),
            "pages": ["add_page", "change_page", "view_page"],
        },
    )


def disallow_editors(apps, schema_editor):
    ensure_group(apps, "Editors", {"articles": model_permissions("article", "section", "tag")})


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("articles", "0003_editors_group"),
    ]

    operations = [migrations.RunPython(allow_editors, disallow_editors)]
