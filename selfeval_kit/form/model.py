"""The self-evaluation form (财政项目支出绩效自评表) as data, field for field.

Names follow GLOSSARY.md. Values are kept as the form writes them (targets,
actuals, the reported execution rate); interpretation lives in `values` and
`scoring`, never here. Validation is strict: an unknown key or a value of the
wrong type is an error, so a typo cannot silently vanish.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from selfeval_kit.form.labels import LEVEL1_COST, LEVEL1_ORDER, canonical_level1
from selfeval_kit.form.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "ID_PATTERN",
    "LIMIT_ERROR",
    "MAX_AMOUNT",
    "MAX_TOTAL_SCORE",
    "MIN_AMOUNT",
    "RESERVED_IDS",
    "AnnualGoal",
    "Form",
    "Funds",
    "FundsRow",
    "Indicator",
    "TotalFundsRow",
]

# A form id names files and URLs: ASCII letters, digits, '-', '_', '.'; no path tricks.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Ids the build's own pages take (<out>/index.html, annual.html, annual-<year>.html) and the
# folder the README's papermill recipe writes beside them; compared ignoring case, as the file
# systems of macOS and Windows compare names (the build's other files start with '.', which no
# id does).
RESERVED_IDS = ("index", "annual", "notebooks")
_RESERVED_ID = re.compile(r"(?:index|annual|annual-[0-9]+|notebooks)", re.IGNORECASE)

# A plausible amount, in the form's unit (元 or 万元): one fen (0.01 元 = 0.000001 万元) is the
# smallest a form states; 10^15 is more than ten times China's GDP in 元. Within these bounds
# every sum and ratio of amounts is finite.
MIN_AMOUNT = 1e-6
MAX_AMOUNT = 1e15
LIMIT_ERROR = "limit"  # the type of a validation error for a limit passed: the value is not worth showing
MAX_TOTAL_SCORE = 1000.0  # a form is scored out of a profile's total_points (100 in the built-in ones)


def _limits(info: ValidationInfo) -> Limits:
    context = info.context
    limits = context.get("limits") if isinstance(context, dict) else None
    return limits if isinstance(limits, Limits) else DEFAULT_LIMITS


def _plausible_amount(value: float) -> float:
    if value > MAX_AMOUNT or 0 < value < MIN_AMOUNT:
        raise ValueError(
            f"not a plausible amount: expected 0 or from {MIN_AMOUNT:g} to {MAX_AMOUNT:g} in the form's unit"
        )
    return value


def _bounded_text(value: str, info: ValidationInfo) -> str:
    limit = _limits(info).max_text_chars
    if len(value) > limit:
        raise ValueError(f"{len(value)} characters, at most {limit} allowed")
    return value


Amount = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_plausible_amount)]
Points = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Str = Annotated[str, AfterValidator(_bounded_text)]
Text = Annotated[str, Field(min_length=1), AfterValidator(_bounded_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FundsRow(_Strict):
    """One row of the funds block; an amount is None where the form leaves the cell empty."""

    budget_initial: Amount | None = None
    budget_final: Amount | None = None
    executed: Amount | None = None


class TotalFundsRow(FundsRow):
    """The 年度资金总额 row, which alone carries the budget-execution weight and score."""

    weight: Points
    execution_rate: Str | None = None  # as written, e.g. "99.97%"
    score: Points | None = None
    reason: Str | None = None  # the form's explanation of the execution (a 原因 column some templates have)


class Funds(_Strict):
    total: TotalFundsRow
    appropriation: FundsRow
    carryover: FundsRow
    other: FundsRow


class AnnualGoal(_Strict):
    """年度总体目标; a text is None where the form leaves it empty."""

    planned: Str | None
    achieved: Str | None


# Every 一级 label the national templates print, by its standard name.
_LEVEL1_KNOWN = (*LEVEL1_ORDER, LEVEL1_COST)
# Labels one character away from a known one that are categories of their own in older or
# provincial templates (绩效目标表 of the 2010s: 产出指标 / 效果指标), not misspellings.
_LEVEL1_OTHERS = frozenset({"效果指标", "成果指标", "结果指标"})


def _level1_typo(value: str) -> str:
    """A 一级 label one character off a known one (产出指示 for 产出指标) is refused, naming it.

    Any other label is kept: some templates have categories of their own, and whether one is
    allowed is the rules profile's decision (the audit's ``level2.not_allowed``).
    """
    label = canonical_level1(value)
    if label in _LEVEL1_KNOWN or label in _LEVEL1_OTHERS:
        return value
    for known in _LEVEL1_KNOWN:
        if len(label) == len(known) and sum(a != b for a, b in zip(label, known, strict=True)) == 1:
            raise PydanticCustomError(
                "level1_typo",
                "not a 一级指标 label: did you mean {near}? (expected one of {known})",
                {"near": known, "known": "、".join(_LEVEL1_KNOWN)},
            )
    return value


class Indicator(_Strict):
    """One row of the indicator table. target and actual are free text, as written.

    A `level1` that misspells a known 一级指标 label (产出指示 for 产出指标) is refused.
    """

    level1: Annotated[str, Field(min_length=1), AfterValidator(_bounded_text), AfterValidator(_level1_typo)]
    level2: Text
    name: Text
    target: Str
    actual: Str
    weight: Points
    score: Points | None = None
    deviation_note: Str | None = None


def _text_chars(form: Form) -> int:
    """The characters of all the text fields of a form."""
    total = sum(len(text) for text in (form.id, form.name, form.department, form.implementer, form.unit))
    row = form.funds.total
    total += sum(len(text or "") for text in (row.execution_rate, row.reason))
    total += len(form.annual_goal.planned or "") + len(form.annual_goal.achieved or "")
    for i in form.indicators:
        total += len(i.level1) + len(i.level2) + len(i.name) + len(i.target) + len(i.actual)
        total += len(i.deviation_note or "")
    return total


class Form(_Strict):
    """One project's self-evaluation form for one year.

    Within the `Limits` given as ``context={"limits": ...}`` to ``model_validate``
    (`DEFAULT_LIMITS` otherwise): at most `Limits.max_indicators` indicators, each text field at
    most `Limits.max_text_chars` characters and all together at most `Limits.max_form_chars`;
    amounts plausible (`MIN_AMOUNT`, `MAX_AMOUNT`); the id none of `RESERVED_IDS`.
    """

    id: str
    seq: Annotated[int, Field(ge=1)] | None = None  # position in the source document
    name: Text
    department: Text
    implementer: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    unit: Literal["元", "万元"]
    funds: Funds
    annual_goal: AnnualGoal
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    total_score: Annotated[float, Field(ge=0, le=MAX_TOTAL_SCORE, allow_inf_nan=False)] | None = None

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not ID_PATTERN.match(value) or ".." in value:
            raise ValueError(
                "id must be 1-64 ASCII letters, digits, '-', '_' or '.', starting with a "
                "letter or digit, without '..' (it names files and URLs)"
            )
        if _RESERVED_ID.fullmatch(value):
            raise ValueError(
                f"id {value!r} is reserved: the build writes its own pages under the names "
                "index, annual and annual-<year> (and notebooks), in any case; choose another id"
            )
        return value

    @field_validator("indicators", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any, info: ValidationInfo) -> Any:
        limit = _limits(info).max_indicators
        if isinstance(value, list) and len(value) > limit:  # before validating each of them
            raise PydanticCustomError(
                LIMIT_ERROR, "{count} indicators, at most {limit} allowed", {"count": len(value), "limit": limit}
            )
        return value

    @model_validator(mode="after")
    def _not_too_long(self, info: ValidationInfo) -> Form:
        limit = _limits(info).max_form_chars
        chars = _text_chars(self)
        if chars > limit:
            message = "the form's text fields hold {chars} characters in all, at most {limit} allowed"
            raise PydanticCustomError(LIMIT_ERROR, message, {"chars": chars, "limit": limit})
        return self

    @property
    def indicator_weight(self) -> float:
        return sum(i.weight for i in self.indicators)

    def to_export(self) -> dict:
        """The public JSON shape of a form (a contract: keys never change meaning)."""
        data = self.model_dump(mode="json", exclude={"seq"})
        return {key: data[key] for key in EXPORT_KEYS}


EXPORT_KEYS = (
    "id",
    "name",
    "department",
    "implementer",
    "year",
    "unit",
    "funds",
    "annual_goal",
    "indicators",
    "total_score",
)
