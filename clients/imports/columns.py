"""The columns each import understands, in English and Russian, and the coded values it accepts.

Headers are matched loosely (case, ``ё``/``е``, spaces and underscores do not matter), so an
accounting export usually works as it is. Coded values (kind, tier, role, assessment) are
accepted as the English code or label and as the Russian label or a common Russian word.
"""

import functools
import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programme.enums import Assessment

from ..enums import ClientKind, ContactRole, ImportanceTier


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    russian: str  # the header in the Russian template
    example: str
    required: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


def normalise(text) -> str:
    text = str(text or "").strip().lower().replace("ё", "е")
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" *:")


CLIENT_COLUMNS = (
    Column(
        "name",
        _("Name"),
        "Название",
        "Alfa Steel",
        required=True,
        aliases=("client", "client name", "company", "наименование", "клиент"),
    ),
    Column(
        "tax_number",
        _("Tax number"),
        "ИНН",
        "7701234567",
        required=True,
        aliases=("inn", "tax id", "инн клиента"),
    ),
    Column("kind", _("Kind"), "Тип клиента", "corporate", aliases=("type", "тип")),
    Column(
        "legal_name",
        _("Legal name"),
        "Юридическое название",
        "Alfa Steel LLC",
        aliases=("полное наименование", "юридическое наименование"),
    ),
    Column(
        "registration_number",
        _("Registration number"),
        "ОГРН",
        "1027700000000",
        aliases=("огрнип",),
    ),
    Column("legal_address", _("Legal address"), "Юридический адрес", "Moscow, Tverskaya 1"),
    Column("segment", _("Segment"), "Сегмент", "Metals", aliases=("industry", "отрасль")),
    Column("region", _("Region"), "Регион", "Moscow region"),
    Column("city", _("City"), "Город", "Moscow"),
    Column(
        "tier",
        _("Importance tier"),
        "Категория важности",
        "A",
        aliases=("tier", "importance", "категория", "важность"),
    ),
    Column(
        "original_salesperson",
        _("Original salesperson"),
        "Коммерсант",
        "",
        aliases=("salesperson", "коммерсант, привлекший клиента"),
    ),
    Column("notes", _("Notes"), "Примечание", "", aliases=("comment", "примечания", "комментарий")),
    Column(
        "contact_name",
        _("Key contact"),
        "Ключевое лицо",
        "Pavel Ivanov",
        aliases=("contact", "contact name", "контактное лицо", "фио контакта"),
    ),
    Column(
        "contact_role",
        _("Key contact's role"),
        "Роль ключевого лица",
        "decision_maker",
        aliases=("role", "contact role", "роль", "роль контакта"),
    ),
    Column(
        "contact_job_title",
        _("Job title"),
        "Должность",
        "Purchasing director",
        aliases=("contact job title",),
    ),
    Column(
        "contact_phone",
        _("Phone"),
        "Телефон",
        "+7 495 123-45-67",
        aliases=("contact phone",),
    ),
    Column(
        "contact_email",
        _("E-mail"),
        "E-mail",
        "p.ivanov@alfa-steel.example",
        aliases=("email", "contact email", "эл. почта", "электронная почта", "почта"),
    ),
)

# Only for an import into a programme: applied to the client's place on its list.
PROGRAMME_COLUMNS = (
    Column(
        "assessment",
        _("Relationship assessment"),
        "Оценка отношений",
        "excellent",
        aliases=("relationship assessment", "оценка"),
    ),
    Column(
        "assignee",
        _("Assignee"),
        "Ответственный",
        "",
        aliases=("assignee username", "исполнитель", "сотрудник"),
    ),
)

VOLUME_COLUMNS = (
    Column("tax_number", _("Tax number"), "ИНН", "7701234567", aliases=("inn", "tax id")),
    Column(
        "name",
        _("Client"),
        "Клиент",
        "Alfa Steel",
        aliases=("client", "client name", "название", "наименование"),
    ),
    Column(
        "period",
        _("Period"),
        "Период",
        "2026-01",
        required=True,
        aliases=("month", "месяц"),
    ),
    Column(
        "amount",
        _("Amount"),
        "Сумма",
        "125000.00",
        required=True,
        aliases=("volume", "объем", "выручка"),
    ),
)


@functools.lru_cache(maxsize=16)
def header_lookup(columns) -> dict[str, str]:
    """Every accepted spelling of a header → the column's key."""
    lookup = {}
    for column in columns:
        spellings = {column.key, column.russian, *column.aliases}
        with translation.override("en"):
            spellings.add(str(column.label))
        with translation.override("ru"):
            spellings.add(str(column.label))
        for spelling in spellings:
            lookup[normalise(spelling)] = column.key
    return lookup


# --- Coded values -------------------------------------------------------------------------------

_RUSSIAN_WORDS = {
    "kind": {
        ClientKind.CORPORATE: (
            "корпоративный",
            "корпоративный клиент",
            "юрлицо",
            "юридическое лицо",
            "компания",
        ),
        ClientKind.PRIVATE: (
            "частный",
            "частный клиент",
            "частное лицо",
            "физлицо",
            "физическое лицо",
        ),
    },
    "tier": {
        # Russian spreadsheets often type the Cyrillic look-alikes of A, B, C.
        ImportanceTier.A: ("а", "key", "ключевой", "ключевой клиент"),
        ImportanceTier.B: ("в", "important", "важный", "важный клиент"),
        ImportanceTier.C: ("с", "regular", "обычный", "обычный клиент"),
    },
    "contact_role": {
        ContactRole.DECISION_MAKER: (
            "лпр",
            "лицо, принимающее решение",
            "лицо принимающее решение",
            "принимает решение",
        ),
        ContactRole.INFLUENCER: ("влияющее лицо", "влияет на решение"),
        ContactRole.USER: ("пользователь",),
        ContactRole.GATEKEEPER: ("привратник", "секретарь"),
    },
    "assessment": {
        Assessment.EXCELLENT: ("отличная", "отличные", "отлично"),
        Assessment.UNCERTAIN: ("неопределенная", "неопределенные", "неясная"),
        Assessment.MONOPOLISED: (
            "monopolized",
            "монополизирован",
            "монополизирована",
            "монополизированный",
            "монополизированная",
            "монополизированные",
        ),
    },
}

CHOICES = {
    "kind": ClientKind,
    "tier": ImportanceTier,
    "contact_role": ContactRole,
    "assessment": Assessment,
}


@functools.lru_cache(maxsize=16)
def _choice_lookup(key) -> dict[str, str]:
    enum = CHOICES[key]
    lookup = {}
    for value, label in enum.choices:
        spellings = {value, value.replace("_", " ")}
        for language in ("en", "ru"):
            with translation.override(language):
                text = str(label)
                spellings.add(text)
                # "A — key client": the part before the dash is accepted on its own too.
                spellings.add(text.split("—")[0])
        spellings.update(_RUSSIAN_WORDS[key].get(enum(value), ()))
        for spelling in spellings:
            lookup[normalise(spelling)] = value
    return lookup


def parse_choice(key: str, text: str) -> str | None:
    """The code for a coded value, or None when it is not one of the accepted spellings."""
    return _choice_lookup(key).get(normalise(text))


def choice_codes(key: str) -> str:
    return ", ".join(value for value, _label in CHOICES[key].choices)
