"""Chinese first: the zh-Hans catalogue has a reviewed translation for every message."""

from __future__ import annotations

from pathlib import Path

import polib

import aftersales

CATALOGUE = Path(aftersales.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_a_fuzzy_guess():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 400
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert not catalogue.metadata_is_fuzzy


def test_placeholders_survive_translation():
    """A translation that drops or renames %(name)s would crash or mislead at run time."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(CATALOGUE)):
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            assert sorted(placeholder.findall(translated)) == sorted(placeholder.findall(entry.msgid)), (
                entry.msgid
            )
