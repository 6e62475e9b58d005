from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("settings/", views.reminder_settings, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("failed/", views.failed, name="failed"),
    path("failed/<int:pk>/resend/", views.resend, name="resend"),
]
