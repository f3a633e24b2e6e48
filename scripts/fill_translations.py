"""Fill the zh_Hans catalogue from Python dicts of translations (a maintenance helper).

    .venv/bin/python scripts/fill_translations.py path/to/translations.py

The file defines ZH = {msgid: msgstr} and optionally PLURALS = {msgid: msgstr} (Chinese has
one plural form); an entry with a context is keyed "context|msgid". Existing translations are kept unless the file gives a new one.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src/qudao/locale/zh_Hans/LC_MESSAGES/django.po"


def main(paths: list[str]) -> int:
    catalogue = polib.pofile(str(PO))
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.metadata["Language"] = "zh_Hans"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    for entry in catalogue.fuzzy_entries():  # msgmerge's guesses are usually wrong: redo them
        entry.flags.remove("fuzzy")
        entry.msgstr = ""
        entry.msgstr_plural = {0: ""} if entry.msgid_plural else {}
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
    for path in paths:
        values = runpy.run_path(path)
        singular, plural = values.get("ZH", {}), values.get("PLURALS", {})
        for entry in catalogue:
            key = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid
            if entry.msgid_plural and key in plural:
                entry.msgstr_plural = {0: plural[key]}
            elif not entry.msgid_plural and key in singular:
                entry.msgstr = singular[key]
            else:
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save(str(PO))
    catalogue.save_as_mofile(str(PO.with_suffix(".mo")))
    left = [e.msgid for e in catalogue.untranslated_entries()]
    print(f"{len(catalogue)} entries, {len(left)} untranslated")
    for msgid in left[:50]:
        print("  ", repr(msgid))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
