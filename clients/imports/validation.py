"""Checking an import's rows against the database: each row's outcome and what it would write.

``check_client_rows`` and ``check_volume_rows`` never write. They give, per row, an outcome for
the preview (new / update / error with the reasons, by column) and a plan that the commit applies.
The commit runs them again inside its transaction, so a preview that went stale is caught.

Decisions (documented on the upload page):
- a client is matched by tax number; without a match, by exact name (a same-named client with
  another tax number is another company);
- an empty cell leaves the existing value alone; it never blanks a field;
- an unknown segment or region is created (shown in the preview as a note);
- a row has at most one key contact, matched to the client's contacts by full name;
- a client may appear once per file (a second row for it is an error).
"""

import copy
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programme.enums import Assessment
from programme.models import Enrolment
from programme.services import check_assignment_allowed

from ..models import Client, ClientVolume, KeyContact, Region, Segment
from .columns import CHOICES, choice_codes, parse_choice

CHUNK = 900  # keeps IN (...) lists under SQLite's limit on query parameters
PROGRESS_EVERY = 250
TAX_NUMBER = re.compile(r"\d{10}|\d{12}")

CLIENT_FIELDS = (
    "name",
    "tax_number",
    "kind",
    "legal_name",
    "registration_number",
    "legal_address",
    "city",
    "tier",
    "notes",
)
CONTACT_FIELDS = {
    "contact_name": "full_name",
    "contact_role": "role",
    "contact_job_title": "job_title",
    "contact_phone": "phone",
    "contact_email": "email",
}


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def clean_tax_number(text: str) -> str:
    return re.sub(r"[\s\u00a0-]", "", text or "")


class _Row:
    """Collects one row's errors and notes."""

    def __init__(self, line, label):
        self.line = line
        self.label = label
        self.errors = []
        self.notes = []

    def error(self, column, message):
        self.errors.append({"column": column, "message": str(message)})

    def errors_from(self, error: ValidationError, columns: dict):
        for field, messages in error.message_dict.items():
            for message in messages:
                self.error(columns.get(field, field), message)

    def outcome(self, action, **extra):
        return {
            "line": self.line,
            "action": "error" if self.errors else action,
            "label": self.label,
            "errors": self.errors,
            "notes": self.notes,
            **extra,
        }


def _choice(row: _Row, key: str, text: str):
    if not text:
        return None
    value = parse_choice(key, text)
    if value is None:
        row.error(
            key,
            _("Unknown value “%(value)s”; use one of: %(codes)s (or their Russian names).")
            % {"value": text, "codes": choice_codes(key)},
        )
    return value


def check_client_rows(rows, *, programme=None, progress=None):
    """[(outcome, plan or None), ...] for the rows of a client import."""
    User = get_user_model()
    names = {values.get("name", "").strip() for _line, values in rows} - {""}
    tax_numbers = {clean_tax_number(values.get("tax_number", "")) for _line, values in rows} - {""}
    usernames = {
        values.get(key, "").strip()
        for _line, values in rows
        for key in ("original_salesperson", "assignee")
    } - {""}

    by_tax, by_name = {}, {}
    for chunk in _chunks(tax_numbers):
        for client in Client.objects.filter(tax_number__in=chunk):
            by_tax[client.tax_number] = client
    for chunk in _chunks(names):
        for client in Client.objects.filter(name__in=chunk):
            by_name.setdefault(client.name, []).append(client)
    users = {}
    for chunk in _chunks(usernames):
        for user in User.objects.filter(username__in=chunk, is_active=True):
            users[user.username] = user
    segments = {segment.name.lower(): segment for segment in Segment.objects.all()}
    regions = {region.name.lower(): region for region in Region.objects.all()}
    known_ids = {c.pk for c in by_tax.values()} | {c.pk for cs in by_name.values() for c in cs}
    contacts = {}
    for chunk in _chunks(known_ids):
        for contact in KeyContact.objects.filter(client_id__in=chunk):
            contacts[(contact.client_id, contact.full_name.strip().lower())] = contact
    enrolments, pool = {}, set()
    if programme is not None:
        for chunk in _chunks(known_ids):
            for enrolment in Enrolment.objects.filter(programme=programme, client_id__in=chunk):
                enrolments[enrolment.client_id] = enrolment
        pool = set(programme.staff.values_list("employee_id", flat=True))

    seen_tax, seen_name, seen_client = {}, {}, {}
    results = []
    for index, (line, values) in enumerate(rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)
        text = {key: (value or "").strip() for key, value in values.items()}
        name = text.get("name", "")
        row = _Row(line, name)
        if not name:
            row.error("name", _("A client needs a name."))
        tax_number = clean_tax_number(text.get("tax_number", ""))
        if tax_number and not TAX_NUMBER.fullmatch(tax_number):
            row.error(
                "tax_number",
                _(
                    "“%(value)s” is not a tax number: it has 10 digits for a company "
                    "and 12 for a person."
                )
                % {"value": text["tax_number"]},
            )
        elif tax_number:
            if tax_number in seen_tax:
                row.error(
                    "tax_number",
                    _("Row %(line)d has the same tax number.") % {"line": seen_tax[tax_number]},
                )
            seen_tax.setdefault(tax_number, line)
        elif name:
            if name in seen_name:
                row.error(
                    "name",
                    _("Row %(line)d has the same name and no tax number either.")
                    % {"line": seen_name[name]},
                )
            seen_name.setdefault(name, line)

        # Which existing client the row updates, if any.
        client = by_tax.get(tax_number) if tax_number else None
        if client is None and name:
            candidates = [c for c in by_name.get(name, []) if not (tax_number and c.tax_number)]
            if len(candidates) > 1:
                row.error(
                    "name",
                    _("Several clients are named “%(name)s”; add the tax number to say which.")
                    % {"name": name},
                )
            elif candidates:
                client = candidates[0]
        if client is not None:
            if client.pk in seen_client:
                row.error(
                    "name",
                    _("Row %(line)d already updates this client.")
                    % {"line": seen_client[client.pk]},
                )
            seen_client.setdefault(client.pk, line)

        choices = {key: _choice(row, key, text.get(key, "")) for key in CHOICES if key in text}
        salesperson = None
        if text.get("original_salesperson"):
            salesperson = users.get(text["original_salesperson"])
            if salesperson is None:
                row.error(
                    "original_salesperson",
                    _("No active user has the username “%(username)s”.")
                    % {"username": text["original_salesperson"]},
                )

        # The client as it would be saved.
        target = copy.copy(client) if client is not None else Client(tier="C")
        changes = []
        for field in CLIENT_FIELDS:
            value = choices.get(field) if field in CHOICES else text.get(field, "")
            if field == "tax_number":
                value = tax_number or None
            if value:
                old = getattr(target, field)
                if client is not None and old != value:
                    changes.append(field)
                setattr(target, field, value)
        if salesperson is not None:
            if client is not None and target.original_salesperson_id != salesperson.pk:
                changes.append("original_salesperson")
            target.original_salesperson = salesperson
        for key, names_map in (("segment", segments), ("region", regions)):
            label = text.get(key, "")
            if not label:
                continue
            if len(label) > 100:
                row.error(key, _("At most 100 characters."))
                continue
            existing = names_map.get(label.lower())
            if existing is None:
                message = (
                    _("A new segment “%(name)s” will be created.")
                    if key == "segment"
                    else _("A new region “%(name)s” will be created.")
                )
                row.notes.append(message % {"name": label})
            if client is not None and (
                existing is None or getattr(client, f"{key}_id") != existing.pk
            ):
                changes.append(key)
        try:
            target.full_clean(
                exclude=["segment", "region", "original_salesperson"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            row.errors_from(error, {})

        contact_plan = _check_contact(row, text, choices, client, contacts)
        enrolment_plan = None
        if programme is not None:
            enrolment_plan = _check_enrolment(
                row, text, choices, client, target, programme, enrolments, pool, users
            )

        if client is not None and changes:
            row.notes.insert(
                0,
                _("Changes: %(fields)s.")
                % {
                    "fields": ", ".join(
                        str(Client._meta.get_field(field).verbose_name) for field in changes
                    )
                },
            )
        outcome = row.outcome(
            "update" if client is not None else "new",
            client_id=(client.pk if client is not None else None),
        )
        plan = None
        if not row.errors:
            plan = {
                "client": target,
                "changes": changes,
                "segment": text.get("segment", ""),
                "region": text.get("region", ""),
                "contact": contact_plan,
                "enrolment": enrolment_plan,
            }
        results.append((outcome, plan))
    return results


def _check_contact(row, text, choices, client, contacts):
    given = {key: text.get(key, "") for key in CONTACT_FIELDS if text.get(key)}
    if not given:
        return None
    full_name = given.get("contact_name", "")
    if not full_name:
        row.error("contact_name", _("A key contact needs a full name."))
        return None
    existing = contacts.get((client.pk, full_name.lower())) if client is not None else None
    contact = copy.copy(existing) if existing is not None else KeyContact(full_name=full_name)
    contact.import_changed = existing is None
    for key, field in CONTACT_FIELDS.items():
        value = choices.get("contact_role") if key == "contact_role" else given.get(key)
        if value and getattr(contact, field) != value:
            contact.import_changed = True
            setattr(contact, field, value)
    if existing is None and not contact.role:
        row.error("contact_role", _("A new key contact needs a role."))
        return None
    try:
        contact.full_clean(
            exclude=["client", "added_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        row.errors_from(error, {field: key for key, field in CONTACT_FIELDS.items()})
        return None
    if existing is None:
        row.notes.append(_("New key contact: %(name)s.") % {"name": full_name})
    return contact


def _check_enrolment(row, text, choices, client, target, programme, enrolments, pool, users):
    """The client's place on the programme's list, checked against the programme's rules."""
    enrolment = enrolments.get(client.pk) if client is not None else None
    assessment = choices.get("assessment")
    assignee = None
    if text.get("assignee"):
        assignee = users.get(text["assignee"])
        if assignee is None:
            row.error(
                "assignee",
                _("No active user has the username “%(username)s”.")
                % {"username": text["assignee"]},
            )
            return None
        if assignee.pk not in pool:
            row.error(
                "assignee",
                _("%(username)s is not in this programme's staff pool.")
                % {"username": assignee.username},
            )
            return None
    if enrolment is None:
        row.notes.append(_("Will be put on the programme's list."))
        salesperson_id = target.original_salesperson_id
        current_assignee_id, current_assessment = None, ""
    else:
        salesperson_id = enrolment.original_salesperson_id
        current_assignee_id, current_assessment = enrolment.assignee_id, enrolment.assessment
    # The same rule the assignment service enforces, on the state the row would leave behind.
    effective = Enrolment(
        programme=programme,
        assessment=assessment or current_assessment,
        original_salesperson_id=salesperson_id,
    )
    effective_assignee_id = assignee.pk if assignee else current_assignee_id
    if effective_assignee_id is not None:
        try:
            check_assignment_allowed(
                enrolment=effective, assignee=assignee or _Pk(effective_assignee_id)
            )
        except ValidationError as error:
            column = "assignee" if assignee else "assessment"
            for message in error.messages:
                row.error(column, message)
            return None
    if assessment == Assessment.MONOPOLISED and not assignee and current_assignee_id is None:
        row.notes.append(_("Monopolised: assign it to someone other than its salesperson."))
    return {"assessment": assessment, "assignee": assignee}


class _Pk:
    def __init__(self, pk):
        self.pk = pk


# --- Volumes ------------------------------------------------------------------------------------

_PERIOD_FORMATS = (
    (re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"), ("year", "month")),
    (re.compile(r"(\d{4})\.(\d{1,2})"), ("year", "month")),
    (re.compile(r"(\d{1,2})[./](\d{4})"), ("month", "year")),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), ("day", "month", "year")),
)


def parse_period(text: str) -> dt.date | None:
    """The first day of the month of ``2026-03``, ``2026-03-15``, ``03.2026`` or ``15.03.2026``."""
    for pattern, parts in _PERIOD_FORMATS:
        match = pattern.fullmatch(text.strip())
        if match:
            found = dict(zip(parts, match.groups(), strict=False))
            try:
                if found.get("day"):
                    dt.date(int(found["year"]), int(found["month"]), int(found["day"]))
                return dt.date(int(found["year"]), int(found["month"]), 1)
            except ValueError:
                return None
    return None


def parse_amount(text: str) -> Decimal | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


MAX_AMOUNT = Decimal("999999999999.99")  # the column holds 14 digits, 2 of them decimals


def check_volume_rows(rows, *, progress=None):
    """[(outcome, plan or None), ...] for the rows of a volume import."""
    names = {values.get("name", "").strip() for _line, values in rows} - {""}
    tax_numbers = {clean_tax_number(values.get("tax_number", "")) for _line, values in rows} - {""}
    by_tax, by_name = {}, {}
    for chunk in _chunks(tax_numbers):
        for client in Client.objects.filter(tax_number__in=chunk).only("pk", "name", "tax_number"):
            by_tax[client.tax_number] = client
    for chunk in _chunks(names):
        for client in Client.objects.filter(name__in=chunk).only("pk", "name", "tax_number"):
            by_name.setdefault(client.name, []).append(client)
    client_ids = {c.pk for c in by_tax.values()} | {c.pk for cs in by_name.values() for c in cs}
    existing = {}
    for chunk in _chunks(client_ids):
        for volume in ClientVolume.objects.filter(client_id__in=chunk):
            existing[(volume.client_id, volume.period)] = volume

    seen = {}
    results = []
    for index, (line, values) in enumerate(rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)
        text = {key: (value or "").strip() for key, value in values.items()}
        tax_number = clean_tax_number(text.get("tax_number", ""))
        name = text.get("name", "")
        row = _Row(line, name or tax_number)
        client = None
        if tax_number:
            client = by_tax.get(tax_number)
            if client is None:
                row.error(
                    "tax_number",
                    _("No client has the tax number %(value)s.") % {"value": tax_number},
                )
        elif name:
            candidates = by_name.get(name, [])
            if len(candidates) == 1:
                client = candidates[0]
            elif candidates:
                row.error(
                    "name",
                    _("Several clients are named “%(name)s”; give the tax number instead.")
                    % {"name": name},
                )
            else:
                row.error("name", _("No client is named “%(name)s”.") % {"name": name})
        else:
            row.error("name", _("Give the client's tax number or name."))
        if client is not None:
            row.label = client.name

        period = parse_period(text.get("period", ""))
        if period is None:
            row.error(
                "period",
                _("“%(value)s” is not a month: write it as YYYY-MM (e.g. 2026-03) or a date.")
                % {"value": text.get("period", "")},
            )
        amount = parse_amount(text.get("amount", ""))
        if amount is None:
            row.error(
                "amount",
                _("“%(value)s” is not an amount.") % {"value": text.get("amount", "")},
            )
        elif amount < 0:
            row.error("amount", _("An amount cannot be negative."))
        elif amount > MAX_AMOUNT:
            row.error("amount", _("The amount is too large."))

        action = "new"
        if client is not None and period is not None:
            key = (client.pk, period)
            if key in seen:
                row.error(
                    "period",
                    _("Row %(line)d already gives this client's volume for %(period)s.")
                    % {"line": seen[key], "period": period.strftime("%Y-%m")},
                )
            seen.setdefault(key, line)
            previous = existing.get(key)
            if previous is not None:
                action = "update"
                row.notes.append(
                    _("%(period)s: %(old)s → %(new)s")
                    % {"period": period.strftime("%Y-%m"), "old": previous.amount, "new": amount}
                )
            else:
                row.notes.append(
                    _("%(period)s: %(new)s") % {"period": period.strftime("%Y-%m"), "new": amount}
                )
        outcome = row.outcome(action, client_id=client.pk if client is not None else None)
        plan = None
        if not row.errors:
            plan = {"client_id": client.pk, "period": period, "amount": amount}
        results.append((outcome, plan))
    return results
