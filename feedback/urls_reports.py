"""The weekly reports of an internship; feedback/urls.py includes these under app_name "feedback"."""

from django.urls import path

from feedback.views import reports

urlpatterns = [
    path("internships/<int:pk>/reports/", reports.index, name="reports_index"),
    path("internships/<int:pk>/reports/<int:week>/", reports.week, name="reports_week"),
    path("internships/<int:pk>/reports/<int:week>/review/", reports.review, name="reports_review"),
]
