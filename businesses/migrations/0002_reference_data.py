"""Reference data: NAICS 2022 sectors and subsectors, departments and practices.

Loaded from businesses/data/*.json, idempotently (re-running updates in place), and
the Moderators group gets to edit it in the admin. Reversing leaves the rows: other
tables point at them with PROTECT, and deleting reference data is never wanted.
"""

import json
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MODERATORS = "Moderators"
EDITABLE_MODELS = ["industry", "department", "practice"]
ACTIONS = ["add", "change", "view"]


def read(name):
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def load_industries(apps, schema_editor):
    Industry = apps.get_model("businesses", "Industry")
    for sector in read("naics2022.json")["sectors"]:
        parent, _ = Industry.objects.update_or_create(
            code=sector["code"], defaults={"title": sector["title"], "parent": None}
        )
        for subsector in sector["subsectors"]:
            Industry.objects.update_or_create(
                code=subsector["code"], defaults={"title": subsector["title"], "parent": parent}
            )


def load_practices(apps, schema_editor):
    Department = apps.get_model("businesses", "Department")
    Practice = apps.get_model("businesses", "Practice")
    departments = read("practices.json")["departments"]
    practices = {}
    for position, entry in enumerate(departments, start=1):
        department, _ = Department.objects.update_or_create(
            slug=entry["slug"], defaults={"name": entry["name"], "position": position}
        )
        for item in entry["practices"]:
            practices[item["slug"]], _ = Practice.objects.update_or_create(
                slug=item["slug"],
                defaults={
                    "department": department,
                    "name": item["name"],
                    "description": item["description"],
                    "suggested_days": item["suggested_days"],
                },
            )
    # Related practices, once all exist. A historical model's self-referential
    # many-to-many is not symmetrical (the state only says to="businesses.practice"),
    # so both directions are written, as the real model would.
    for entry in departments:
        for item in entry["practices"]:
            practice = practices[item["slug"]]
            for slug in item["related"]:
                other = practices[slug]
                practice.related.add(other)
                other.related.add(practice)


def grant_moderators(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now so
    # the group can hold them (post_migrate then finds them already there).
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    for model in EDITABLE_MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="businesses", model=model)
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("businesses", "0001_initial"),
        ("accounts", "0002_moderators_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(load_industries, migrations.RunPython.noop),
        migrations.RunPython(load_practices, migrations.RunPython.noop),
        migrations.RunPython(grant_moderators, migrations.RunPython.noop),
    ]
