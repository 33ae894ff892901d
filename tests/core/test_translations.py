"""Chinese first: the zh-Hans catalogue has a reviewed translation for every message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def test_the_catalogue_has_every_message_of_the_code(tmp_path):
    """Every message marked for translation in the code and the templates is in the catalogue (a new
    string left out would show in English on a Chinese screen). `makemessages` runs over a copy
    of the code into a scratch catalogue, which must hold nothing the real one lacks."""
    source = Path(aftersales.__file__).parent
    copy = tmp_path / "code"
    shutil.copytree(
        source, copy / "aftersales", ignore=shutil.ignore_patterns("locale", "__pycache__", "static")
    )
    shutil.copytree(source / "static" / "aftersales", copy / "aftersales" / "static" / "aftersales")
    scratch = tmp_path / "locale"
    scratch.mkdir()
    project = source.parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--settings",
            "tests.i18n_settings",
        ],
        cwd=copy,
        env={
            **os.environ,
            "CATALOGUE_CHECK_DIR": str(scratch),
            "PYTHONPATH": f"{project / 'src'}{os.pathsep}{project}",
        },
        check=True,
        capture_output=True,
        timeout=300,
    )
    wanted = {entry.msgid for entry in polib.pofile(str(scratch / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    have = {entry.msgid for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete}
    missing = sorted(wanted - have)
    assert missing == [], f"{len(missing)} messages not in the catalogue (run makemessages): {missing[:20]}"
