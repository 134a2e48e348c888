from __future__ import annotations

from django.urls import include, path

from bestaanszekerheid.web.casework import (
    admin_views,
    dashboard_views,
    duplicate_views,
    edit_views,
    sharing_views,
    views,
)

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/", views.caseload, name="caseload"),
    path("inwoners/nieuw/", views.resident_create, name="resident-create"),
    path("inwoners/<int:pk>/", views.resident_detail, name="resident"),
    path("trajecten/<int:pk>/gesprek/", views.conversation_create, name="conversation-create"),
    path("trajecten/<int:pk>/routes/", views.routes_update, name="routes"),
    path("trajecten/<int:pk>/doelen/", views.goal_create, name="goal-create"),
    path("trajecten/<int:pk>/vervolg/", views.follow_up_create, name="follow-up-create"),
    path("trajecten/<int:pk>/verwijzingen/", views.referral_create, name="referral-create"),
    path("trajecten/<int:pk>/afsluiten/", views.trajectory_close, name="close"),
    path("trajecten/<int:pk>/heropenen/", views.trajectory_reopen, name="reopen"),
    path("trajecten/<int:pk>/delen/", sharing_views.sharing, name="sharing"),
    path("trajecten/<int:pk>/delen/toevoegen/", sharing_views.share, name="share"),
    path("trajecten/<int:pk>/delen/<int:user_pk>/stoppen/", sharing_views.unshare, name="unshare"),
    path("trajecten/<int:pk>/overdragen/", sharing_views.hand_over, name="hand-over"),
    path("gesprekken/<int:pk>/bewerken/", edit_views.conversation_edit, name="conversation-edit"),
    path("vervolg/<int:pk>/bewerken/", edit_views.follow_up_edit, name="follow-up-edit"),
    path("acties/<int:pk>/gedaan/", edit_views.action_done, name="action-done"),
    path("doelen/<int:pk>/bewerken/", edit_views.goal_edit, name="goal-edit"),
    path("doelen/<int:pk>/status/", views.goal_status, name="goal-status"),
    path("doelen/<int:pk>/acties/", views.action_create, name="action-create"),
    path("gesprekken/<int:pk>/signaal-opgepakt/", views.signal_resolved, name="signal-resolved"),
    path(
        "trajecten/<int:pk>/toestemming-ingetrokken/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("vervolg/<int:pk>/gedaan/", views.follow_up_done, name="follow-up-done"),
    path("verwijzingen/<int:pk>/status/", views.referral_transition, name="referral-transition"),
    path("beheer/", admin_views.index, name="admin"),
    path("beheer/partners/<int:pk>/actief/", admin_views.partner_toggle, name="partner-toggle"),
    path("beheer/", include("bestaanszekerheid.web.casework.admin_urls")),
    path("team/", dashboard_views.dashboard, name="dashboard"),
    path("team/export.xlsx", dashboard_views.dashboard_export, name="dashboard-export"),
    path("analyse/", include("bestaanszekerheid.web.casework.analyst_urls")),
    path("team/overdragen/", sharing_views.team_hand_over, name="team-hand-over"),
    path("team/dubbele-registraties/", duplicate_views.duplicates, name="duplicates"),
    path(
        "team/dubbele-registraties/<int:pk>/afgehandeld/",
        duplicate_views.duplicate_handled,
        name="duplicate-handled",
    ),
]
