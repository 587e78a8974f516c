"""An iCalendar (RFC 5545) feed of an employee's planned meetings, written by hand: the format
is small, and a library would be a dependency for forty lines."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

MEETING_LENGTH = dt.timedelta(hours=1)


def escape_text(value: str) -> str:
    """TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (§3.1), never
    splitting a UTF-8 character."""
    parts, current = [], b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current = b" "
            limit = 75
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(visits, *, host: str = "vipcrm") -> str:
    """The whole VCALENDAR for these visits (with ``client`` loaded and ``contacts``
    prefetched)."""
    now = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//VIP CRM//Meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape_text(_("VIP visits")),
    ]
    for visit in visits:
        people = ", ".join(contact.full_name for contact in visit.contacts.all())
        description = _("VIP visit to %(client)s") % {"client": visit.client.name}
        if people:
            description += "\n" + _("Key contacts: %(people)s") % {"people": people}
        lines += [
            "BEGIN:VEVENT",
            f"UID:visit-{visit.pk}@{host}",
            f"DTSTAMP:{now}",
            f"LAST-MODIFIED:{_utc(visit.updated_at)}",
            f"DTSTART:{_utc(visit.scheduled_at)}",
            f"DTEND:{_utc(visit.scheduled_at + MEETING_LENGTH)}",
            "SUMMARY:" + escape_text(_("VIP visit: %(client)s") % {"client": visit.client.name}),
            "DESCRIPTION:" + escape_text(description),
        ]
        if visit.place:
            lines.append("LOCATION:" + escape_text(visit.place))
        lines += ["STATUS:CONFIRMED", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
