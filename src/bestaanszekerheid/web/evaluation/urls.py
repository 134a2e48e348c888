"""URL map of the evaluation pages: measurements, pilots, exports and the programme monitor.

Each part has its own module so that its views, names and tests stay together.
"""

from __future__ import annotations

from django.urls import include, path

app_name = "evaluation"
urlpatterns = [
    path("metingen/", include("bestaanszekerheid.web.evaluation.measurement_urls")),
    path("pilots/", include("bestaanszekerheid.web.evaluation.pilot_urls")),
    path("exports/", include("bestaanszekerheid.web.evaluation.export_urls")),
    path("monitor/", include("bestaanszekerheid.web.evaluation.monitor_urls")),
]
