"""The append-only, hash-chained audit log of every read and write of personal data.

A request appends its :class:`AuditEvent` (and a :class:`PendingSeal` marker) in its own
transaction, without waiting for anyone; one sealer at a time then chains the pending events
in :class:`AuditSeal` rows, each with the hash of the previous seal and of its event's
content (ADR 0053). Changing, removing or inserting an event or a seal in the middle breaks
the chain, which :func:`bestaanszekerheid.web.audit.service.verify_chain` detects; removing
the last ones is caught against the chain head, and against the heads exported outside the
database. Events hold pseudonymous references (model and primary key), never names or
notes, so erasing a resident does not require touching the log.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

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


_Row = TypeVar("_Row", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_Row]):
    """Refuses bulk updates and deletes (the events and the seals)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Het auditlog is alleen-toevoegen: bijwerken kan niet.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Het auditlog is alleen-toevoegen: verwijderen kan niet.")


class AppendOnlyModel(models.Model):
    """A row that is written once: saving it again or deleting it is refused (the events and
    the seals; the database trigger refuses the same below the application)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Het auditlog is alleen-toevoegen: bijwerken kan niet.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Het auditlog is alleen-toevoegen: verwijderen kan niet.")


class AuditEvent(AppendOnlyModel):
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

    objects = AppendOnlyQuerySet["AuditEvent"].as_manager()

    class Meta:
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditlog")
        ordering = ("id",)


class AuditSeal(AppendOnlyModel):
    """One link of the hash chain: the ``seq``-th sealed event, chained to the seal before.

    Append-only like the events (database trigger). ``event_id`` is a plain column, not a
    foreign key, so that a removed event leaves its seal behind as evidence."""

    seq = models.BigIntegerField(_("volgnummer"), primary_key=True)
    event_id = models.BigIntegerField(_("gebeurtenis"), unique=True)
    previous_hash = models.CharField(_("vorige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    sealed_at = models.DateTimeField(_("verzegeld op"))

    objects = AppendOnlyQuerySet["AuditSeal"].as_manager()

    class Meta:
        verbose_name = _("zegel in de auditketen")
        verbose_name_plural = _("zegels in de auditketen")
        ordering = ("seq",)


class PendingSeal(models.Model):
    """An event written but not sealed yet (an outbox: the sealer removes the row when it
    seals the event). Keeps the sealer's work proportional to what is new, not to the log."""

    event_id = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = _("nog te verzegelen gebeurtenis")


class AuditChainHead(models.Model):
    """The sealer's state: the latest seal's number and hash. Only the sealer locks it
    (skipping when another sealer holds it), so requests never wait for each other."""

    last_hash = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("kop van de auditketen")


class AuditCheckpoint(models.Model):
    """A point up to which the chain was verified: the next check starts here (incremental).
    A full check (``bsz_audit_verify --volledig``) ignores checkpoints and writes one."""

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField()
    full = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("controlepunt van de auditketen")
        ordering = ("-seq", "-id")
