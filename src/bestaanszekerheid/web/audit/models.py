"""The append-only, hash-chained audit log of every read and write of personal data.

Each event stores the hash of the previous event; changing, inserting or removing a row in
the middle breaks the chain, which :func:`bestaanszekerheid.web.audit.service.verify_chain`
detects. Events hold pseudonymous references (model and primary key), never names or
notes, so erasing a resident does not require touching the log.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("inzien")
    CREATE = "create", _("aanmaken")
    UPDATE = "update", _("wijzigen")
    DELETE = "delete", _("verwijderen")
    EXPORT = "export", _("exporteren")
    ERASE = "erase", _("wissen")


class AppendOnlyError(RuntimeError):
    """Audit events cannot be changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Het auditlog is alleen-toevoegen: bijwerken kan niet.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Het auditlog is alleen-toevoegen: verwijderen kan niet.")


class AuditEvent(models.Model):
    """One processing of personal data: who, what, which action, why, when."""

    timestamp = models.DateTimeField(_("tijdstip"))
    # PROTECT: an account with audit history is deactivated, not deleted (SET_NULL would
    # update audit rows, which the database trigger refuses).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("medewerker"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    # Kept separately so the event stays readable after an account is removed.
    actor_username = models.CharField(_("gebruikersnaam"), max_length=150)
    action = models.CharField(_("handeling"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("soort gegeven"), max_length=100)
    object_id = models.CharField(_("kenmerk"), max_length=64, blank=True)
    resident_id = models.BigIntegerField(_("inwoner (kenmerk)"), null=True, db_index=True)
    purpose = models.CharField(_("doel"), max_length=200)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(_("vorige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditlog")
        ordering = ("id",)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Het auditlog is alleen-toevoegen: bijwerken kan niet.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Het auditlog is alleen-toevoegen: verwijderen kan niet.")


class AuditChainHead(models.Model):
    """A single row holding the latest hash; locking it serialises appends on PostgreSQL."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("kop van de auditketen")
