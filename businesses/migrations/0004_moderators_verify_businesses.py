"""Moderators verify businesses in the admin (the back office): they may view and
change businesses and view memberships and invitations."""

from django.db import migrations

GRANTS = {"business": ["view", "change"], "membership": ["view"], "invitation": ["view"]}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    moderators = Group.objects.get(name="Moderators")
    for model, actions in GRANTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="businesses", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            moderators.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("businesses", "0003_offer_search_index"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
