"""A GIN index on Offer.search_vector, on PostgreSQL only.

SQLite has no GIN index and no full-text search (the offer search falls back to
plain matching there), so the model cannot declare the index: it is created here,
by hand, when the database is PostgreSQL, and the migration state does not know it.
"""

from django.db import migrations

INDEX = "offer_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON businesses_offer USING GIN (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("businesses", "0002_reference_data")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
