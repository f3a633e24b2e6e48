"""Fill the zh_Hans catalogue from Python dicts of translations (a maintenance helper).

    .venv/bin/python scripts/fill_translations.py path/to/translations.py

The file defines ZH = {msgid: msgstr} and optionally PLURALS = {msgid: msgstr} (Chinese has
one plural form). Existing translations are kept unless the file gives a new one.
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
    for path in paths:
        values = runpy.run_path(path)
        singular, plural = values.get("ZH", {}), values.get("PLURALS", {})
        for entry in catalogue:
            if entry.msgid_plural and entry.msgid in plural:
                entry.msgstr_plural = {0: plural[entry.msgid]}
            elif not entry.msgid_plural and entry.msgid in singular:
                entry.msgstr = singular[entry.msgid]
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
