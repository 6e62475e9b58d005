from django.contrib import admin
from django.urls import include, path

from exchange import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", include("notifications.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("businesses/", include("businesses.urls")),
    path("", include("internships.urls")),
    path("", include("feedback.urls")),
    path("admin/", admin.site.urls),
]
