"""The client's audit history: the changes to the client and to everything hanging off it
(key contacts, enrolments, visit reports, corrective actions, opportunities, referrals), newest
first, each with who, when and the fields that changed (old → new) in readable labels.

A page costs a fixed number of queries whatever it lists: one per audited model for the page,
one per model for the versions before them, one per kind of linked object named in the page."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from heapq import merge

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vipcrm.audit import reason_label

from .models import Client, KeyContact

PAGE_SIZE = 50

# Book-keeping fields that change on every save and say nothing to the reader.
HIDDEN_FIELDS = {"id", "updated_at", "created_at", "version", "added_at"}

ACTIONS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    action: str
    kind: str
    subject: str
    reason: str
    changes: list = field(default_factory=list)


def _audited(client_pk):
    """``(model, filter on its history rows)`` for everything that hangs off the client."""
    from feedback.models import CorrectiveAction, Opportunity, Referral, VisitReport
    from programme.models import Enrolment

    return [
        (Client, Q(id=client_pk)),
        (KeyContact, Q(client_id=client_pk)),
        (Enrolment, Q(client_id=client_pk)),
        (VisitReport, Q(visit__client_id=client_pk)),
        (CorrectiveAction, Q(client_id=client_pk)),
        (Opportunity, Q(client_id=client_pk)),
        (Referral, Q(referring_client_id=client_pk) | Q(became_client_id=client_pk)),
    ]


def _user_label(user) -> str:
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()


def _subject(model, row, names) -> str:
    """What the change is about, from the historical row itself."""
    name = model._meta.model_name
    if name == "client":
        return row.name
    if name == "keycontact":
        return row.full_name
    if name == "enrolment":
        return names.get(("programme", row.programme_id), "")
    if name == "visitreport":
        return names.get(("visit", row.visit_id), "")
    if name == "correctiveaction":
        return row.complaint[:80]
    if name == "opportunity":
        topic = row.topic or names.get(("position", row.position_id), "")
        return f"{row.get_kind_display()}: {topic}" if topic else row.get_kind_display()
    if name == "referral":
        return row.person_name
    return ""


def _labels_for(pairs) -> dict:
    """``{(kind, pk): label}`` for the linked objects named on the page, one query per kind."""
    from feedback.models import Visit
    from programme.models import Programme

    from .models import ClientPosition, Position, Region, Segment

    wanted = {}
    for kind, pk in pairs:
        if pk is not None:
            wanted.setdefault(kind, set()).add(pk)
    labels = {}
    loaders = {
        "user": lambda ids: (
            (u.pk, _user_label(u)) for u in get_user_model().objects.filter(pk__in=ids)
        ),
        "visit": lambda ids: (
            (v.pk, formats.localize(timezone.localtime(v.scheduled_at)))
            for v in Visit.objects.filter(pk__in=ids).only("pk", "scheduled_at")
        ),
        "client": lambda ids: Client.objects.filter(pk__in=ids).values_list("pk", "name"),
        "keycontact": lambda ids: KeyContact.objects.filter(pk__in=ids).values_list(
            "pk", "full_name"
        ),
        "programme": lambda ids: Programme.objects.filter(pk__in=ids).values_list("pk", "name"),
        "segment": lambda ids: Segment.objects.filter(pk__in=ids).values_list("pk", "name"),
        "region": lambda ids: Region.objects.filter(pk__in=ids).values_list("pk", "name"),
        "position": lambda ids: Position.objects.filter(pk__in=ids).values_list("pk", "name"),
        "clientposition": lambda ids: ClientPosition.objects.filter(pk__in=ids).values_list(
            "pk", "position__name"
        ),
    }
    for kind, ids in wanted.items():
        loader = loaders.get(kind)
        if loader is None:
            continue
        for pk, label in loader(ids):
            labels[(kind, pk)] = str(label)
    return labels


def _fk_kind(model_field) -> str | None:
    related = model_field.related_model
    if related is None:
        return None
    if related is get_user_model():
        return "user"
    return related._meta.model_name


def _show(model_field, value, names) -> str:
    if value is None or value == "":
        return "—"
    kind = _fk_kind(model_field) if model_field.is_relation else None
    if kind:
        return names.get((kind, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value))
    if isinstance(value, date | Decimal | float | int):
        return formats.localize(value)
    return str(value)


def _changed_fields(model, row, previous):
    """The visible fields that differ from the version before (all filled ones on creation)."""
    result = []
    for tracked in model.history.model.tracked_fields:
        if tracked.name in HIDDEN_FIELDS:
            continue
        new = getattr(row, tracked.attname)
        old = getattr(previous, tracked.attname) if previous is not None else None
        if previous is None and new in (None, "", False, {}, []):
            continue
        if previous is not None and old == new:
            continue
        result.append((tracked, old, new))
    return result


def client_history(client: Client, *, page: int = 1):
    """Returns ``(entries, has_next)`` for one page of the client's history, newest first."""
    page = max(1, page)
    limit = page * PAGE_SIZE
    per_model = []
    for model, condition in _audited(client.pk):
        rows = list(
            model.history.filter(condition)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: limit + 1]
        )
        per_model.append([(row.history_date, row.history_id, model, row) for row in rows])
    merged = list(merge(*per_model, key=lambda item: (item[0], item[1]), reverse=True))
    has_next = len(merged) > limit
    shown = merged[(page - 1) * PAGE_SIZE : limit]

    # The version before each shown row: one query per model for the objects on the page.
    previous = {}
    by_model = {}
    for _when, _id, model, row in shown:
        by_model.setdefault(model, []).append(row)
    for model, rows in by_model.items():
        pk_name = model._meta.pk.attname
        ids = {getattr(row, pk_name) for row in rows}
        latest = max(row.history_date for row in rows)
        versions = model.history.filter(
            **{f"{pk_name}__in": ids}, history_date__lte=latest
        ).order_by(pk_name, "history_date", "history_id")
        last = {}
        for version in versions:
            key = (model, getattr(version, pk_name))
            previous[(model, version.history_id)] = last.get(key)
            last[key] = version

    # The labels of the linked objects the page names, one query per kind.
    changes, pairs = [], []
    for _when, _id, model, row in shown:
        before = previous.get((model, row.history_id))
        fields = [] if row.history_type == "-" else _changed_fields(model, row, before)
        changes.append(fields)
        for tracked, old, new in fields:
            kind = _fk_kind(tracked) if tracked.is_relation else None
            if kind:
                pairs += [(kind, old), (kind, new)]
        name = model._meta.model_name
        if name == "enrolment":
            pairs.append(("programme", row.programme_id))
        elif name == "visitreport":
            pairs.append(("visit", row.visit_id))
        elif name == "opportunity":
            pairs.append(("position", row.position_id))
    names = _labels_for(pairs)

    entries = []
    for (_when, _id, model, row), fields in zip(shown, changes, strict=True):
        if row.history_type == "~" and not fields:
            continue  # a save that changed nothing the reader would see
        entries.append(
            Entry(
                when=row.history_date,
                who=_user_label(row.history_user),
                action=str(ACTIONS.get(row.history_type, row.history_type)),
                kind=str(model._meta.verbose_name),
                subject=_subject(model, row, names),
                reason=reason_label(row.history_change_reason),
                changes=[
                    FieldChange(
                        label=str(tracked.verbose_name),
                        old="" if row.history_type == "+" else _show(tracked, old, names),
                        new=_show(tracked, new, names),
                    )
                    for tracked, old, new in fields
                ],
            )
        )
    return entries, has_next
