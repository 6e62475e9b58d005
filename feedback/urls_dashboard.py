"""The moderators' platform-health page and its CSV export; feedback/urls.py includes these under app_name
"feedback"."""

from django.urls import path

from feedback.views import dashboard

urlpatterns = [
    path("moderation/health/", dashboard.dashboard, name="dashboard"),
    path("moderation/health.csv", dashboard.dashboard_csv, name="dashboard_csv"),
]
