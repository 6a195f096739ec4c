"""Question types as a registry of classes keyed by their stored code.

An attempt stores the item version it showed and the response in *canonical* option indices
(the indices of the bank's file, before shuffling). Grading therefore never depends on the
order a candidate saw, and an old attempt grades the same way for as long as its version and
the type's class exist. Adding a type means writing one subclass and decorating it with
:func:`register`.

Scoring rules (they are what the appeal commission will be asked about, so they are stated
here and in :meth:`QuestionType.grade` of each class):

* ``single_choice``: 1 if the one selected option is the key, else 0.
* ``multiple_choice``: partial credit ``max(0, (correct selected - wrong selected) / keys)``.
  Every wrong selection cancels one right one; since each item has at least one wrong option,
  ticking every option never earns full marks, so blanket guessing does not pay.
* ``true_false``: the two-option case of single choice, only for imported banks (Moodle/GIFT).
* An empty response scores 0 for every type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from attestation.db import DomainError


class VariantLike(Protocol):
    stem: str
    options: Sequence[str]
    explanation: str


class VersionLike(Protocol):
    """What rendering and grading need from an item version (the ORM row or a test double)."""

    id: Any
    type_code: str
    key: Sequence[int]

    def variant(self, lang: str) -> VariantLike | None: ...


class QuestionType:
    code: ClassVar[str] = ""
    min_options: ClassVar[int] = 3
    max_options: ClassVar[int] = 6
    max_choices: ClassVar[int | None] = None  # None: any number of options may be selected

    # -- definition -------------------------------------------------------------------------
    def definition_problems(self, key: Sequence[int], option_count: int) -> list[str]:
        """Everything wrong with a key for ``option_count`` options, in words for authors."""
        problems: list[str] = []
        if not self.min_options <= option_count <= self.max_options:
            if self.min_options == self.max_options:
                problems.append(f"{self.code} needs exactly {self.min_options} options, got {option_count}")
            else:
                problems.append(
                    f"{self.code} needs {self.min_options} to {self.max_options} options, got {option_count}"
                )
        if not all(_is_index(k) for k in key):
            problems.append(f"key must be a list of option indices, got {list(key)!r}")
            return problems
        if len(set(key)) != len(key):
            problems.append(f"key repeats an option: {list(key)!r}")
        out = [k for k in key if not 0 <= k < option_count]
        if out:
            problems.append(f"key index out of range 0..{option_count - 1}: {out}")
        problems.extend(self.key_problems(key, option_count))
        return problems

    def key_problems(self, key: Sequence[int], option_count: int) -> list[str]:
        return []

    # -- delivery ---------------------------------------------------------------------------
    def render(self, variant: VariantLike, option_order: Sequence[int]) -> dict[str, Any]:
        """Stem and options in the order shown; positions are display positions, never indices.

        Canonical indices are withheld because authors tend to put the right answer first,
        so showing them would leak the key.
        """
        options = list(variant.options)
        check_option_order(option_order, len(options))
        return {
            "type": self.code,
            "stem": variant.stem,
            "options": [{"position": pos, "text": options[idx]} for pos, idx in enumerate(option_order)],
            "max_choices": self.max_choices,
        }

    def validate_response(self, response: Sequence[int], option_count: int) -> tuple[int, ...]:
        """Return the response as a sorted tuple, or refuse it with a DomainError."""
        if isinstance(response, str | bytes) or not isinstance(response, Sequence):
            raise DomainError("response_invalid", "A response is a list of option indices.")
        if not all(_is_index(r) for r in response):
            raise DomainError(
                "response_invalid", "A response is a list of option indices.", response=response
            )
        out = [r for r in response if not 0 <= r < option_count]
        if out:
            raise DomainError(
                "response_out_of_range", f"Option index out of range: {out}.", response=list(response)
            )
        if len(set(response)) != len(response):
            raise DomainError("response_duplicate", "An option is selected twice.", response=list(response))
        if self.max_choices is not None and len(response) > self.max_choices:
            raise DomainError(
                "response_too_many",
                f"At most {self.max_choices} option(s) may be selected for {self.code}.",
                response=list(response),
            )
        return tuple(sorted(response))

    def grade(self, key: Sequence[int], response: Sequence[int]) -> float:
        raise NotImplementedError


_REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    if not cls.code or cls.code in _REGISTRY:
        raise ValueError(f"question type code {cls.code!r} is empty or already registered")
    _REGISTRY[cls.code] = cls()
    return cls


def get_type(code: str) -> QuestionType:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise DomainError(
            "type_unknown",
            f"Unknown question type {code!r}; known: {', '.join(sorted(_REGISTRY))}.",
            type_code=code,
        ) from None


def type_codes() -> tuple[str, ...]:
    return tuple(_REGISTRY)


@register
class SingleChoice(QuestionType):
    """One right option; 1 point for it, 0 for anything else."""

    code = "single_choice"
    max_choices = 1

    def key_problems(self, key: Sequence[int], option_count: int) -> list[str]:
        return [] if len(key) == 1 else [f"single_choice needs exactly one key, got {len(key)}"]

    def grade(self, key: Sequence[int], response: Sequence[int]) -> float:
        return 1.0 if len(response) == 1 and response[0] in key else 0.0


@register
class MultipleChoice(QuestionType):
    """Two or more right options and at least one wrong one; partial credit.

    ``max(0, (right selected - wrong selected) / number of keys)``: with at least one wrong
    option, selecting everything never earns full marks, and a wrong tick costs as much as a
    right tick earns.
    """

    code = "multiple_choice"

    def key_problems(self, key: Sequence[int], option_count: int) -> list[str]:
        problems = []
        if len(key) < 2:
            problems.append(f"multiple_choice needs two or more keys, got {len(key)}")
        if len(set(key)) >= option_count:
            problems.append("multiple_choice needs at least one wrong option")
        return problems

    def grade(self, key: Sequence[int], response: Sequence[int]) -> float:
        if not response or not key:
            return 0.0
        keys = set(key)
        right = sum(1 for r in set(response) if r in keys)
        wrong = len(set(response)) - right
        return max(0.0, (right - wrong) / len(keys))


@register
class TrueFalse(SingleChoice):
    """A statement judged true or false (option 0 "true", option 1 "false").

    Only imported banks (Moodle ``truefalse``, GIFT ``{T}``) bring these; the bank's own
    format keeps to 3-6 options, and a reviewer may rewrite them before activation.
    """

    code = "true_false"
    min_options = 2
    max_options = 2


def check_option_order(option_order: Sequence[int], option_count: int) -> None:
    if sorted(option_order) != list(range(option_count)):
        raise DomainError(
            "option_order_invalid",
            f"Option order {list(option_order)!r} is not a permutation of 0..{option_count - 1}.",
        )


def to_canonical(displayed: Sequence[int], option_order: Sequence[int]) -> list[int]:
    """Translate display positions (what the page posts) into the bank's option indices."""
    out = [p for p in displayed if not (_is_index(p) and 0 <= p < len(option_order))]
    if out:
        raise DomainError("response_out_of_range", f"Option position out of range: {out}.")
    return [option_order[p] for p in displayed]


def render_version(
    version: VersionLike, lang: str, option_order: Sequence[int], *, reveal: bool = False
) -> dict[str, Any]:
    """The question as shown in ``lang``; ``reveal`` adds key and explanation (review, appeals)."""
    variant = version.variant(lang)
    if variant is None:
        raise DomainError(
            "language_missing", f"The item version has no {lang!r} text.", lang=lang, version_id=version.id
        )
    qtype = get_type(version.type_code)
    out = qtype.render(variant, option_order)
    out["version_id"] = version.id
    out["lang"] = lang
    if reveal:
        out["key_positions"] = sorted(list(option_order).index(k) for k in version.key)
        out["key"] = sorted(version.key)
        out["explanation"] = variant.explanation
    return out


def grade(version: VersionLike, response: Sequence[int]) -> float:
    """Score in 0..1 for a response in canonical indices; refuses malformed responses."""
    qtype = get_type(version.type_code)
    option_count = _option_count(version)
    clean = qtype.validate_response(response, option_count)
    return qtype.grade(tuple(version.key), clean)


def _option_count(version: VersionLike) -> int:
    count = getattr(version, "option_count", None)
    if isinstance(count, int):
        return count
    for lang in ("kk", "ru", "en"):
        variant = version.variant(lang)
        if variant is not None:
            return len(variant.options)
    raise DomainError("version_empty", "The item version has no language variant.")


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
