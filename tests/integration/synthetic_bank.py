"""A synthetic active bank for delivery tests: 120 legal and 120 functional items, key = option 0.

Built directly on the bank's tables, so delivery tests do not depend on the content files;
the real content is tested by the bank's own suite.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from question_bank.models import ACTIVE, Item, ItemVariant, ItemVersion, Topic


def ensure_synthetic_bank(session: Session, per_section: int = 120) -> None:
    if session.scalar(select(func.count()).select_from(ItemVersion).where(ItemVersion.status == ACTIVE)):
        return
    for section in ("legal", "functional"):
        topic = Topic(code=f"synthetic_{section}", section=section, title_kk=section, title_ru=section,
                      title_en=section)
        session.add(topic)
        session.flush()
        for n in range(per_section):
            multiple = n % 10 == 9
            item = Item(external_id=f"SYN-{section[:3].upper()}-{n:04d}", section=section, topic_id=topic.id,
                        all_positions=True, positions=[], status=ACTIVE)
            session.add(item)
            session.flush()
            key = [0, 2] if multiple else [0]
            version = ItemVersion(item_id=item.id, number=1, status=ACTIVE,
                                  type_code="multiple_choice" if multiple else "single_choice",
                                  difficulty=1 + n % 5, key=key, option_count=4, citation_source=None,
                                  citation_clause=None, citation_quote=None,
                                  content_sha256=hashlib.sha256(f"{section}{n}".encode()).hexdigest(),
                                  author_label="synthetic")
            session.add(version)
            session.flush()
            for lang in ("kk", "ru"):
                session.add(ItemVariant(version_id=version.id, lang=lang, stem=f"[{lang}] {section} question {n}",
                                        options=[f"{lang} option {i} of {n}" for i in range(4)],
                                        explanation="synthetic"))
    session.flush()
