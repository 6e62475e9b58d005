from django.urls import path

from businesses.views import assessment, browse, compare, competitors, members, needs, offers, profiles

app_name = "businesses"

urlpatterns = [
    path("new/", profiles.create, name="create"),
    path("offers/", browse.offers, name="browse"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else is no invitation, and never
    # reaches the database (PostgreSQL refuses a NUL byte in a query with an error).
    path("invitations/<slug:token>/", members.invitation, name="invitation"),
    path("<slug:slug>/", profiles.detail, name="detail"),
    path("<slug:slug>/edit/", profiles.edit, name="edit"),
    path("<slug:slug>/switch/", profiles.switch, name="switch"),
    path("<slug:slug>/members/", members.index, name="members"),
    path("<slug:slug>/members/invite/", members.invite, name="invite"),
    path("<slug:slug>/members/<int:pk>/role/", members.change_role, name="change_role"),
    path("<slug:slug>/members/<int:pk>/remove/", members.remove, name="remove_member"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", members.revoke, name="revoke_invitation"),
    path("<slug:slug>/assessment/", assessment.grid, name="assessment"),
    path("<slug:slug>/proposals/", assessment.proposals, name="proposals"),
    path("<slug:slug>/offers/", offers.index, name="offers"),
    path("<slug:slug>/offers/new/", offers.create, name="offer_create"),
    path("<slug:slug>/offers/<int:pk>/", offers.detail, name="offer_detail"),
    path("<slug:slug>/offers/<int:pk>/edit/", offers.edit, name="offer_edit"),
    path("<slug:slug>/offers/<int:pk>/pause/", offers.pause, name="offer_pause"),
    path("<slug:slug>/offers/<int:pk>/resume/", offers.resume, name="offer_resume"),
    path("<slug:slug>/offers/<int:pk>/discard/", offers.discard, name="offer_discard"),
    path("<slug:slug>/needs/", needs.index, name="needs"),
    path("<slug:slug>/needs/new/", needs.create, name="need_create"),
    path("<slug:slug>/needs/<int:pk>/edit/", needs.edit, name="need_edit"),
    path("<slug:slug>/needs/<int:pk>/close/", needs.close, name="need_close"),
    path("<slug:slug>/needs/<int:pk>/discard/", needs.discard, name="need_discard"),
    path("<slug:slug>/competitors/", competitors.index, name="competitors"),
    path("<slug:slug>/competitors/<int:pk>/delete/", competitors.delete, name="competitor_delete"),
    path("<slug:slug>/compare/<slug:other>/", compare.compare, name="compare"),
]
