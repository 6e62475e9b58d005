"""The Celery app: configured from Django settings (CELERY_*), tasks found per app."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

app = Celery("exchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule lives here, in code (django-celery-beat does not support
# Django 6.1). Every periodic task must be safe to run twice.
app.conf.beat_schedule = {
    "notifications-relay": {
        "task": "notifications.tasks.relay_pending",
        "schedule": crontab(minute="*"),
    },
    "businesses-pause-stale-offers": {
        "task": "businesses.tasks.pause_stale_offers",
        "schedule": crontab(hour=3, minute=15),
    },
}
