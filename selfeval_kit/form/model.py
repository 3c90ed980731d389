"""The self-evaluation form (财政项目支出绩效自评表) as data, field for field.

Names follow GLOSSARY.md. Values are kept as the form writes them (targets,
actuals, the reported execution rate); interpretation lives in `values` and
`scoring`, never here. Validation is strict: an unknown key or a value of the
wrong type is an error, so a typo cannot silently vanish.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ID_PATTERN", "AnnualGoal", "Form", "Funds", "FundsRow", "Indicator", "TotalFundsRow"]

# A form id names files and URLs: ASCII letters, digits, '-', '_', '.'; no path tricks.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Points = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


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
    execution_rate: str | None = None  # as written, e.g. "99.97%"
    score: Points | None = None
    reason: str | None = None  # the form's explanation of the execution (a 原因 column some templates have)


class Funds(_Strict):
    total: TotalFundsRow
    appropriation: FundsRow
    carryover: FundsRow
    other: FundsRow


class AnnualGoal(_Strict):
    """年度总体目标; a text is None where the form leaves it empty."""

    planned: str | None
    achieved: str | None


class Indicator(_Strict):
    """One row of the indicator table. target and actual are free text, as written."""

    level1: Text
    level2: Text
    name: Text
    target: str
    actual: str
    weight: Points
    score: Points | None = None
    deviation_note: str | None = None


class Form(_Strict):
    """One project's self-evaluation form for one year."""

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
    total_score: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not ID_PATTERN.match(value) or ".." in value:
            raise ValueError(
                "id must be 1-64 ASCII letters, digits, '-', '_' or '.', starting with a "
                "letter or digit, without '..' (it names files and URLs)"
            )
        return value

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
