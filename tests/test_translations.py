"""Every user-visible string is translated to Simplified Chinese, and the .mo is current."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "qudao"
PO = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert (missing, fuzzy) == ([], [])


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(PO))
              if e.translated() and not e.obsolete}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO))
                if e.msgid}
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (make system-deps)")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    # makemessages on a copy of the sources, so the tree is never touched by the test
    copy = tmp_path / "qudao"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
         "--no-location", "--settings=qudao.settings.test"],
        cwd=copy, check=True, capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    assert sorted(fresh - known) == []
