"""The Celery app: configured from Django settings (CELERY_*), tasks found per app."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

app = Celery("exchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def load_task_modules(sender: Celery, **kwargs: object) -> None:
    """Register every app's tasks as soon as the registry is first read, in web processes too."""
    # Autodiscovery is lazy: a worker imports the task modules when it starts, but a web process
    # only registers the tasks it happens to import. businesses/ looks internships' tasks up by
    # name (it may not import them), so the registry must hold them everywhere.
    from django.apps import apps

    if apps.ready:
        sender.autodiscover_tasks(force=True)


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
    # Saving a need or an offer re-matches it at once; the nightly run reassigns every place
    # globally and withdraws what changed in other ways (verification, competitors, profiles).
    "internships-match-all": {
        "task": "internships.tasks.match_all",
        "schedule": crontab(hour=2, minute=30),
    },
    "internships-activate-due": {
        "task": "internships.tasks.activate_due_internships",
        "schedule": crontab(hour=0, minute=5),
    },
    "internships-starting-soon": {
        "task": "internships.tasks.notify_internships_starting_soon",
        "schedule": crontab(hour=7, minute=0),
    },
    "internships-remind-unanswered": {
        "task": "internships.tasks.remind_unanswered_requests",
        "schedule": crontab(minute=10),
    },
    "feedback-send-reminders": {
        "task": "feedback.tasks.send_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "internships-expire-unanswered": {
        "task": "internships.tasks.expire_unanswered_requests",
        "schedule": crontab(minute=20),
    },
}
