"""Exchange reviews, follow-ups and a host's impact; feedback/urls.py includes them (app_name "feedback")."""

from django.urls import path

from feedback.views import outcomes

urlpatterns = [
    path("internships/<int:pk>/review/", outcomes.review, name="outcomes_review"),
    path("internships/<int:pk>/follow-ups/", outcomes.follow_ups, name="outcomes_follow_ups"),
    path("internships/<int:pk>/follow-ups/<int:day>/", outcomes.follow_up, name="outcomes_follow_up"),
    path("impact/<slug:slug>/", outcomes.impact, name="outcomes_impact"),
]
