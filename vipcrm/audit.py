"""Audit history: who changed what, when, on the client and everything hanging off it.

The library is django-simple-history, not django-pghistory. pghistory records every write, the
bulk ones too, with database triggers, but triggers tie it to PostgreSQL and our embedded
default database is SQLite. simple-history records ``save()`` and ``delete()`` (the signed-in
user comes from ``HistoryRequestMiddleware``); a bulk write (``bulk_create``, ``bulk_update``,
``QuerySet.update``, an ``INSERT … SELECT``) is invisible to it, so every bulk write of an audited
model records its history here, set-wise, with the acting user and a reason.
"""

from django.db import connection
from django.db.models import CharField, DateTimeField, F, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Why a change was made, for bulk writes (stored as the code, shown in the reader's language).
REASONS = {
    "form": _("Assignment form"),
    "bulk": _("Bulk assignment"),
    "auto_split": _("Automatic split"),
    "import": _("Import"),
    "api": _("API"),
    "admin": _("Admin"),
    "system": _("System"),
    "added_to_list": _("Added to the programme's list"),
}


def reason_label(code: str | None) -> str:
    if not code:
        return ""
    return str(REASONS.get(code, code))


def history_record_setwise(model, queryset, *, user, reason: str, history_type: str = "~") -> int:
    """One historical row per row of ``queryset`` (its current values), in one
    ``INSERT … SELECT``: 100,000 rows cost one statement, no objects in Python.

    Call it after an UPDATE (``history_type="~"``) or an INSERT (``"+"``) of ``model``."""
    history_model = model.history.model
    now = timezone.now()
    tracked = [field.attname for field in history_model.tracked_fields]
    annotations = {f"audit_{index}": F(name) for index, name in enumerate(tracked)}
    extra = {
        "history_date": Value(now, output_field=DateTimeField()),
        "history_change_reason": Value(reason, output_field=CharField()),
        "history_type": Value(history_type, output_field=CharField()),
        "history_user": Value(user.pk if user else None, output_field=IntegerField()),
    }
    annotations.update({f"audit_{name}": value for name, value in extra.items()})
    select = queryset.order_by().annotate(**annotations).values_list(*annotations)
    sql, params = select.query.sql_with_params()
    meta = history_model._meta
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in [field.name for field in history_model.tracked_fields] + list(extra)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) {sql}",  # noqa: S608 (our SQL)
            params,
        )
        return cursor.rowcount
