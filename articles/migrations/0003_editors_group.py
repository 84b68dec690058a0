from django.db import migrations

from newsroom.permissions import ensure_group, model_permissions


def create_editors(apps, schema_editor):
    # Editors write, tag and publish articles in the admin, creating tags as they go.
    ensure_group(apps, "Editors", {"articles": model_permissions("article", "section", "tag")})


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
