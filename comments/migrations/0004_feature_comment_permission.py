from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_featuring(apps, schema_editor):
    # Permissions are normally created after migrations; make sure the new one exists now.
    comments = apps.get_app_config("comments")
    comments.models_module = True
    create_permissions(comments, apps=apps, verbosity=0)
    comments.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    feature = Permission.objects.get(content_type__app_label="comments", codename="feature_comment")
    # Moderators also from the admin's comment list; editors, who never open the
    # moderation queue, with the button under each comment on the article page.
    for group in Group.objects.filter(name__in=["Moderators", "Editors"]):
        group.permissions.add(feature)


def revoke_featuring(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    feature = Permission.objects.filter(codename="feature_comment")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Moderators", "Editors"]):
        group.permissions.remove(*feature)


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_recommendations_featuring_visits")]

    operations = [migrations.RunPython(grant_featuring, revoke_featuring)]
