"""What the pages of checked tables last published (see :mod:`.published`)."""

from __future__ import annotations

from django.db import models


class PublishedPage(models.Model):
    """The figures of one page of checked tables as last published, kept until enough has
    changed to publish new ones (differencing over time, ADR 0075).

    ``figures`` holds what the page showed (labels, cell texts, the CSV and log offered with
    it): aggregates that passed disclosure control. ``units`` holds, per table and published
    cell, keyed hashes of the units in it (for a mean: with a hash of each unit's value), so
    that the next view can count how many units a cell's change is made of. No unit id, no
    value and no name is stored; the hashes are keyed with the page and the site's secret.
    """

    key = models.CharField(max_length=100, unique=True)
    published_at = models.DateTimeField()
    figures = models.JSONField()
    units = models.JSONField()

    def __str__(self) -> str:
        return f"{self.key} ({self.published_at:%Y-%m-%d %H:%M})"
