"""The Russian catalogue stays complete and well-formed."""

import re
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/ru/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w+\}")


def entries():
    return [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete]


def test_catalogue_header_is_russian_with_three_plural_forms():
    catalogue = polib.pofile(str(CATALOGUE))

    assert catalogue.metadata["Language"] == "ru"
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert not catalogue.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy():
    incomplete = [e.msgid for e in entries() if not e.translated() or "fuzzy" in e.flags]

    assert incomplete == []


def test_plural_entries_have_exactly_the_three_russian_forms():
    wrong = [e.msgid for e in entries() if e.msgid_plural and sorted(e.msgstr_plural) != [0, 1, 2]]

    assert wrong == []


def test_translations_keep_every_placeholder():
    broken = []
    for entry in entries():
        expected = sorted(set(PLACEHOLDER.findall(entry.msgid)))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != expected:
                broken.append(entry.msgid)
    assert broken == []


# ``_("…")`` inside an f-string's braces: makemessages (xgettext) does not look there, so the
# string would silently drop out of the catalogue at the next update and show in English.
GETTEXT_IN_FSTRING = re.compile(r"""\bf(["']).*\{[^}]*\b(_|gettext|ngettext|pgettext)\(""")


def test_no_string_is_translated_inside_an_f_string():
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}:{number}"
        for app in ("clients", "programme", "feedback", "vipcrm")
        for path in (root / app).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if GETTEXT_IN_FSTRING.search(line)
    ]
    assert found == []
