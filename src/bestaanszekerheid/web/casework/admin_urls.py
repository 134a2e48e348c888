"""Functional administration pages under ``/beheer/`` (included in the casework namespace)."""

from __future__ import annotations

from django.urls import path

from bestaanszekerheid.web.casework import admin_views, reset_views

urlpatterns = [
    path("medewerkers/", admin_views.users, name="admin-users"),
    path("medewerkers/nieuw/", admin_views.user_create, name="admin-user-create"),
    path("medewerkers/<int:pk>/", admin_views.user_edit, name="admin-user"),
    path("medewerkers/<int:pk>/actief/", admin_views.user_active, name="admin-user-active"),
    path(
        "medewerkers/<int:pk>/tweestapsverificatie/",
        admin_views.user_reset_otp,
        name="admin-user-reset-otp",
    ),
    path(
        "medewerkers/<int:pk>/wachtwoordlink/",
        admin_views.user_password_link,
        name="admin-user-password-link",
    ),
    path("herstelverzoeken/", reset_views.reset_requests, name="admin-resets"),
    path(
        "herstelverzoeken/<int:pk>/goedkeuren/",
        reset_views.reset_approve,
        name="admin-reset-approve",
    ),
    path(
        "herstelverzoeken/<int:pk>/afwijzen/", reset_views.reset_cancel, name="admin-reset-cancel"
    ),
    path(
        "herstelverzoeken/<int:pk>/wachtwoordlink/",
        reset_views.reset_password_link,
        name="admin-reset-link",
    ),
    path("teams/", admin_views.teams, name="admin-teams"),
    path("teams/<int:pk>/", admin_views.team_edit, name="admin-team"),
    path("partners/<int:pk>/", admin_views.partner_edit, name="admin-partner"),
    path("partners/partners.csv", admin_views.partners_export, name="admin-partners-export"),
]
