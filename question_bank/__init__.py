"""The question bank: items with immutable versions, sources, review, specifications, forms.

The codes below are stored in the database and in the bank's files, so they are English and
never translated. Positions and procedures come from ``attestation.codes`` so that the bank
and the rules can never disagree about which positions exist.
"""

from __future__ import annotations

from attestation.codes import MANAGER_POSITIONS, POSITIONS, PROCEDURES

SECTIONS = ("legal", "functional")
# §16: a form has 50 questions of each section; kept here as a default, the blueprint decides.
DEFAULT_SECTION_COUNTS = {"legal": 50, "functional": 50}
LANGUAGES = ("kk", "ru", "en")
# The platform delivers tests in Kazakh and Russian; English is an optional working language.
REQUIRED_LANGUAGES = ("kk", "ru")

__all__ = [
    "DEFAULT_SECTION_COUNTS",
    "LANGUAGES",
    "MANAGER_POSITIONS",
    "POSITIONS",
    "PROCEDURES",
    "REQUIRED_LANGUAGES",
    "SECTIONS",
]
