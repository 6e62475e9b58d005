"""The moderation queue's two partial indexes: pending singles in queue order, and the pending
matches of swaps and cycles grouped by exchange (both read without touching the table)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("internships", "0003_moderators_view_matches")]

    operations = [
        migrations.AddIndex(
            model_name="match",
            index=models.Index(
                condition=models.Q(("exchange", ""), ("status", "pending")),
                fields=["-risk", "-score", "id"],
                name="match_queue_singles",
            ),
        ),
        migrations.AddIndex(
            model_name="match",
            index=models.Index(
                condition=models.Q(("status", "pending"), models.Q(("exchange", ""), _negated=True)),
                fields=["exchange", "risk", "score", "id"],
                name="match_queue_exchanges",
            ),
        ),
    ]
