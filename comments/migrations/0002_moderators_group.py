from django.db import migrations

from newsroom.permissions import ensure_group


def create_moderators(apps, schema_editor):
    ensure_group(
        apps,
        "Moderators",
        {
            "comments": [
                "view_comment",
                "moderate_comment",
                "view_report",
                "view_moderationaction",
                "view_ban",
                "add_ban",
                "change_ban",
                "ban_commenter",
                "view_commenter",
                "view_readernote",
                "add_readernote",
                "view_premoderatedreader",
                "add_premoderatedreader",
                "delete_premoderatedreader",
                "view_blockedterm",
                "add_blockedterm",
                "change_blockedterm",
                "delete_blockedterm",
                "view_moderationpolicy",
                "change_moderationpolicy",
            ],
            # Read-only, for context: moderators never change articles.
            "articles": ["view_article"],
        },
    )


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0003_editors_group"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
