"""Quick structural check of the bank's YAML files while they are being written.

Usage: python scripts/check_bank_content.py [question_bank/content] [../shared/sources]
Prints one line per problem and a count per section; exits 1 on any problem.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

POSITIONS = {"director", "deputy_director", "unit_head", "lmc_specialist", "cc_specialist", "cc_assistant"}
BANNED = re.compile(
    r"(all of the above|none of the above|барлығы дұрыс|жоғарыдағылардың барлығы|"
    r"все (вышеперечисленные|перечисленные|ответы)|ни один из|ешқайсысы)",
    re.I,
)


def norm(text: str) -> str:
    """The importer's own rule (whitespace, case, quote marks and dashes), so both agree."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from question_bank.citations import normalise

    return normalise(text)


def main() -> int:
    content = Path(sys.argv[1] if len(sys.argv) > 1 else "question_bank/content")
    sources_dir = Path(sys.argv[2] if len(sys.argv) > 2 else "../shared/sources")
    sources = {p.name.split(".")[0]: norm(p.read_text(encoding="utf-8")) for p in sources_dir.glob("*.txt")}
    problems: list[str] = []
    per_section: Counter[str] = Counter()
    seen: set[str] = set()
    for path in sorted(content.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        section = data.get("section")
        if section not in ("legal", "functional"):
            problems.append(f"{path}: bad section {section!r}")
        for item in data.get("items", []):
            iid = item.get("id", "?")
            where = f"{path.name}:{iid}"
            if iid in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(iid)
            cit = item.get("citation", {})
            src = sources.get(cit.get("source", ""))
            if src is None:
                problems.append(f"{where}: unknown source {cit.get('source')!r}")
            elif norm(cit.get("quote", "")) not in src or len(norm(cit.get("quote", ""))) < 10:
                problems.append(f"{where}: quote not found in source (or shorter than 10 chars)")
            key = item.get("key", [])
            kind = item.get("type")
            if kind == "single_choice" and len(key) != 1:
                problems.append(f"{where}: single_choice needs exactly one key")
            if kind == "multiple_choice" and len(key) < 2:
                problems.append(f"{where}: multiple_choice needs two or more keys")
            if kind not in ("single_choice", "multiple_choice"):
                problems.append(f"{where}: unknown type {kind!r}")
            if not 1 <= int(item.get("difficulty", 0)) <= 5:
                problems.append(f"{where}: difficulty must be 1..5")
            pos = item.get("positions")
            if pos != "all" and (not isinstance(pos, list) or not set(pos) <= POSITIONS or not pos):
                problems.append(f"{where}: bad positions {pos!r}")
            variants = item.get("variants", {})
            counts = set()
            for lang in ("kk", "ru"):
                v = variants.get(lang)
                if not v or not v.get("stem") or not v.get("explanation"):
                    problems.append(f"{where}: {lang} variant incomplete")
                    continue
                opts = v.get("options", [])
                counts.add(len(opts))
                if not 3 <= len(opts) <= 6 or len(set(opts)) != len(opts):
                    problems.append(f"{where}: {lang} needs 3-6 distinct options")
                if any(BANNED.search(str(o)) for o in opts):
                    problems.append(f"{where}: {lang} has an all/none-of-the-above option")
            if len(counts) > 1:
                problems.append(f"{where}: languages have different option counts")
            if counts and any(k >= min(counts) or k < 0 for k in key):
                problems.append(f"{where}: key index out of range")
            per_section[section] += 1
    for p in problems:
        print(p)
    print(dict(per_section), f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
