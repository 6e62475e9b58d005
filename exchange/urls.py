from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from exchange import views

# Staff sign in through allauth's login, which asks for their second factor, not the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

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
