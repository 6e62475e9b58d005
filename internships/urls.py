from django.urls import path

from internships.views import calendar, internship, matches, moderation, plans, requests, work

app_name = "internships"

urlpatterns = [
    path("matches/<int:pk>/", matches.detail, name="match"),
    path("matches/<int:pk>/request/", requests.create, name="request"),
    path("internships/", internship.index, name="index"),
    path("internships/<int:pk>/", internship.detail, name="detail"),
    path("internships/<int:pk>/calendar.ics", calendar.ics, name="calendar"),
    path("internships/<int:pk>/accept/", requests.accept, name="accept"),
    path("internships/<int:pk>/decline/", requests.decline, name="decline"),
    path("internships/<int:pk>/counter/", requests.counter, name="counter"),
    path("internships/<int:pk>/counter/accept/", requests.accept_counter, name="accept_counter"),
    path("internships/<int:pk>/counter/decline/", requests.decline_counter, name="decline_counter"),
    path("internships/<int:pk>/confirm/", requests.confirm, name="confirm"),
    path("internships/<int:pk>/cancel/", requests.cancel, name="cancel"),
    path("internships/<int:pk>/tasks/new/", work.task_create, name="task_create"),
    path("internships/<int:pk>/tasks/<int:task_pk>/done/", work.task_done, name="task_done"),
    path("internships/<int:pk>/tasks/<int:task_pk>/review/", work.task_review, name="task_review"),
    path("internships/<int:pk>/plan/", plans.edit, name="plan"),
    path("internships/<int:pk>/plan/submit/", plans.submit, name="plan_submit"),
    path("internships/<int:pk>/plan/approve/", plans.approve, name="plan_approve"),
    path("internships/<int:pk>/plan/changes/", plans.request_changes, name="plan_changes"),
    path("internships/<int:pk>/assessment/", plans.final_assessment, name="final_assessment"),
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/bulk-approve/", moderation.bulk_approve, name="moderation_bulk_approve"),
    path("moderation/matches/<int:pk>/", moderation.match, name="moderation_match"),
    path("moderation/matches/<int:pk>/approve/", moderation.approve, name="moderation_approve"),
    path("moderation/matches/<int:pk>/reject/", moderation.reject, name="moderation_reject"),
    path("moderation/businesses/", moderation.businesses, name="moderation_businesses"),
    path("moderation/businesses/<slug:slug>/", moderation.business, name="moderation_business"),
]
