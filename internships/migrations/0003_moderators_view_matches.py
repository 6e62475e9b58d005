"""Moderators may look at matches and their history in the admin (decisions are
taken on the site's moderation pages)."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    moderators = apps.get_model("auth", "Group").objects.get(name="Moderators")
    for model in ("match", "matchevent"):
        content_type, _ = ContentType.objects.get_or_create(app_label="internships", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=f"view_{model}", defaults={"name": f"Can view {model}"}
        )
        moderators.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("internships", "0002_internship_lifecycle"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
