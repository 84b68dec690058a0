from django.db import migrations

from accounts import identity


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all().iterator():
        full_name = f"{user.first_name} {user.last_name}".strip()
        user.username_skeleton = identity.skeleton(user.username)
        user.display_name_skeleton = identity.skeleton(full_name) if full_name else ""
        # Accounts made before confirmation existed are taken as confirmed: their
        # comments are not held now for a step they were never asked to take.
        user.email_confirmed_at = user.email_confirmed_at or user.date_joined
        user.save(
            update_fields=["username_skeleton", "display_name_skeleton", "email_confirmed_at"]
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_reader_identity_and_privacy")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
