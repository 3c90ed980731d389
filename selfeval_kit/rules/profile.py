"""Rules profiles: every threshold, band and formula of scoring and audit, as settings.

A profile is a small YAML file, read by the same loader as forms (duplicate keys are errors).
Built-in profiles live in `selfeval_kit/rules/profiles/`; `load_profile` also takes the path of
a user's own file. Unset keys take the national defaults below (docs/rules.md), so a variant
states only where it differs.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from selfeval_kit.errors import ProfileError
from selfeval_kit.form.labels import ALLOWED_LEVEL2, LEVEL1_ORDER
from selfeval_kit.form.limits import DEFAULT_LIMITS
from selfeval_kit.form.reading import parse_yaml, read_text
from selfeval_kit.rules.catalogue import check_deduction_rules

__all__ = ["Band", "Profile", "builtin_profiles", "load_profile"]

Share = Annotated[float, Field(ge=0, le=1)]
Band = tuple[Share, Share]
Tier = Literal["met", "partly", "not_met"]


def _national_split() -> dict[str, float]:
    return {"产出指标": 50, "效益指标": 30, "满意度指标": 10}


def _national_bands() -> dict[Tier, Band]:
    return {"met": (0.8, 1.0), "partly": (0.6, 0.8), "not_met": (0.0, 0.6)}


def _national_grades() -> dict[str, float]:
    return {"优": 90, "良": 80, "中": 60, "差": 0}


class Profile(BaseModel):
    """The settings of one set of scoring and audit rules (docs/rules.md, by section).

    Immutable; unknown keys are refused. Build one with `load_profile`, or ``Profile(name=...,
    label=..., **settings)``; every setting but `name` and `label` has the national default.

    Parameters
    ----------
    name, label, description
        Identifier, display name (Chinese) and a sentence on what differs.
    total_points, budget_weight, level1_split, allowed_level2
        §2: the points of a form, those of budget execution, the points of each first-level
        indicator category, and the second-level categories allowed under each.
    low_execution_rate, large_cut_share, rate_tolerance, score_tolerance, funds_tolerance
        §3: the execution rate (percent) below which a reason is required; the share by which the
        final budget may fall below the initial one before it is a finding; the tolerances within
        which reported rates, scores and funds rows agree with recomputed ones.
    lower_better_formula, overachievement_note_ratio, target_too_low_ratio, overachievement_deduction
        §4: how a missed lower-is-better target is scored; the actual/target ratios from which a
        deviation note is expected and from which a target looks set too low; the share of the
        weight cut then.
    loose_limit_ratio, qualitative_bands, grade_bands
        §4: how far under its limit a lower-is-better actual is loose; the shares of the weight for
        met / partly / not met qualitative indicators; the lowest score of each grade.
    repeated_value_min_forms, low_ambition_share, min_forms_for_patterns
        §6.8: portfolio patterns.
    review_deductions, review_indicator_cap
        §7: the review deduction (复核扣分) of each finding code, as a `Profile.Deduction`
        (none by default, so the review score equals the recomputed one), and the share of an
        indicator's (or the budget's) weight that the deductions on it may take at most.

    Raises
    ------
    pydantic.ValidationError
        When a setting is invalid, unknown, or the points do not add up to `total_points`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label: str
    description: str = ""

    # §2 weights
    total_points: float = 100
    budget_weight: float = 10
    level1_split: dict[str, float] = Field(default_factory=_national_split)
    allowed_level2: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in ALLOWED_LEVEL2.items()}
    )

    # §3 budget execution
    low_execution_rate: float = 90.0  # percent; below it the form must give a reason
    large_cut_share: Share = 0.15  # final budget this far below the initial one is a finding
    rate_tolerance: float = 0.005  # percentage points: reported and computed rates agree to two decimals
    score_tolerance: float = 0.01  # points, after rounding to two decimals
    funds_tolerance: float = 0.01  # money units: sub-rows against the total row

    # §4 indicators
    lower_better_formula: Literal["inverse_ratio", "linear"] = "inverse_ratio"
    overachievement_note_ratio: float = 1.3  # actual/target from which a deviation note is expected
    target_too_low_ratio: float = 2.0  # actual/target from which the target was probably set too low
    overachievement_deduction: Share = 0.0  # share of the weight cut when the target was set too low
    loose_limit_ratio: Share = 0.2  # lower-is-better: actual at most this share of the limit
    qualitative_bands: dict[Tier, Band] = Field(default_factory=_national_bands)
    grade_bands: dict[str, float] = Field(default_factory=_national_grades)

    # §6.8 portfolio patterns
    repeated_value_min_forms: int = 3  # the same satisfaction figure in this many forms is a pattern
    low_ambition_share: Share = 0.5  # share of quantitative targets exceeded by 1.3× that makes a pattern
    min_forms_for_patterns: int = 3

    class Deduction(BaseModel):
        """The review deduction of one finding code (docs/rules.md §7).

        ``by: fixed`` takes `points` off for each finding; ``by: deviation`` takes
        points × min(1, deviation / `span`), the deviation being how far the finding's figure
        lies beyond its mark (actual/target − 1, or execution rate/100 − 1).
        """

        model_config = ConfigDict(extra="forbid", frozen=True)

        points: float = Field(gt=0)  # the points of one finding (the most, for "deviation")
        by: Literal["fixed", "deviation"] = "fixed"
        span: float = Field(default=1.0, gt=0)  # the deviation at which the whole `points` apply

    # §7 review deductions (复核扣分): none in `national`
    review_deductions: dict[str, Deduction] = Field(default_factory=dict)
    # deductions on one indicator (or on the budget) take at most this share of its weight
    review_indicator_cap: Share = 0.5

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        split = self.budget_weight + sum(self.level1_split.values())
        if abs(split - self.total_points) > 1e-9:
            raise ValueError(
                f"budget_weight + level1_split add up to {split:g}, expected total_points {self.total_points:g}"
            )
        for tier, (low, high) in self.qualitative_bands.items():
            if low > high:
                raise ValueError(f"qualitative_bands.{tier}: lower bound {low} above upper bound {high}")
        if set(self.qualitative_bands) != {"met", "partly", "not_met"}:
            raise ValueError("qualitative_bands needs the tiers met, partly and not_met")
        if self.review_deductions:
            check_deduction_rules(self.review_deductions)
        return self

    @property
    def level1_order(self) -> tuple[str, ...]:
        """The first-level categories in report order: the national ones, then this profile's others."""
        return tuple(dict.fromkeys([*LEVEL1_ORDER, *self.level1_split]))

    def grade(self, score: float | None) -> str | None:
        """优/良/中/差 for a total score (bands are lower bounds, highest first)."""
        if score is None:
            return None
        for grade, floor in sorted(self.grade_bands.items(), key=lambda item: -item[1]):
            if score + 1e-9 >= floor:
                return grade
        return None


def builtin_profiles() -> list[str]:
    """The names of the built-in profiles.

    Returns
    -------
    list of str
        Sorted, such as ``["hubei-2020", "national"]``; each is a name `load_profile` takes.
    """
    folder = resources.files("selfeval_kit.rules") / "profiles"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(name_or_path: str | Path | Profile = "national") -> Profile:
    """A rules profile: built-in by name, or read from a YAML file.

    Parameters
    ----------
    name_or_path
        A name of `builtin_profiles`, the path of a ``.yaml``/``.yml`` profile file, or a
        Profile (returned as it is).

    Returns
    -------
    Profile
        The profile; a file is read again when it has changed since it was last read.

    Raises
    ------
    ProfileError
        When the name is unknown, or the file cannot be read (it is not a regular file, or is
        larger than `Limits.max_profile_bytes`, checked before reading), is not YAML (duplicate keys
        included: the message gives the file, the key and its line), or holds invalid settings
        (the message names each setting, its value and what was expected).
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    key = str(name_or_path)
    try:
        stamp = Path(key).stat().st_mtime_ns if key not in builtin_profiles() else 0
    except OSError:
        stamp = 0
    return _load_profile(key, stamp)


@lru_cache(maxsize=32)
def _load_profile(name_or_path: str, _stamp: int = 0) -> Profile:
    path = Path(name_or_path)
    if name_or_path in builtin_profiles():
        text = (resources.files("selfeval_kit.rules") / "profiles" / f"{name_or_path}.yaml").read_text(encoding="utf-8")
        source = f"built-in profile {name_or_path!r}"
    elif path.suffix in (".yaml", ".yml") and os.path.lexists(path):
        read, unreadable = read_text(path, DEFAULT_LIMITS.max_profile_bytes, "a profile file")
        if read is None:
            raise ProfileError(f"{path}: cannot read the profile: {unreadable}")
        text, source = read, str(path)
    else:
        raise ProfileError(
            f"unknown profile {name_or_path!r}: give a built-in name ({', '.join(builtin_profiles())}) "
            "or the path of a .yaml profile file"
        )
    data, malformed = parse_yaml(text)
    if malformed is not None:
        raise ProfileError(f"{source}: {malformed}")
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: expected a YAML mapping of settings (key: value), got {_kind(data)}")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{source}: {'; '.join(_setting_problem(err) for err in exc.errors())}") from None


def _kind(data: Any) -> str:
    return "nothing" if data is None else f"a {type(data).__name__} ({data!r:.60})"


def _setting_problem(err: Any) -> str:
    """One of pydantic's validation errors, as "setting: what is wrong (got value)"."""
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown setting (check its spelling); settings: {', '.join(Profile.model_fields)}"
    message = err["msg"].removeprefix("Value error, ")
    if not where:  # the profile as a whole (the points do not add up, ...)
        return f"(profile): {message}"
    if err["type"] == "missing":
        return f"{where}: required setting is missing"
    return f"{where}: {message} (got {err.get('input')!r:.60})"
