from django.urls import path

from internships.views import matches, moderation

app_name = "internships"

urlpatterns = [
    path("matches/<int:pk>/", matches.detail, name="match"),
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/bulk-approve/", moderation.bulk_approve, name="moderation_bulk_approve"),
    path("moderation/matches/<int:pk>/", moderation.match, name="moderation_match"),
    path("moderation/matches/<int:pk>/approve/", moderation.approve, name="moderation_approve"),
    path("moderation/matches/<int:pk>/reject/", moderation.reject, name="moderation_reject"),
    path("moderation/businesses/", moderation.businesses, name="moderation_businesses"),
    path("moderation/businesses/<slug:slug>/", moderation.business, name="moderation_business"),
]
