from __future__ import annotations

from django.urls import path

from bestaanszekerheid.web.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("bewaartermijn/", views.retention, name="retention"),
    path("inwoners/<int:pk>/export.json", views.export, name="export"),
    path("inwoners/<int:pk>/export.pdf", views.export_pdf, name="export-pdf"),
    path("inwoners/<int:pk>/wissen/", views.erase, name="erase"),
]
