from django.db import migrations

from newsroom.permissions import ensure_group, model_permissions


def grant_tags(apps, schema_editor):
    # Editors tag articles in the admin, creating tags as they go.
    ensure_group(apps, "Editors", {"articles": model_permissions("article", "section", "tag")})


def revoke_tags(apps, schema_editor):
    ensure_group(apps, "Editors", {"articles": model_permissions("article", "section")})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_publishing_depth"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_tags, revoke_tags)]
