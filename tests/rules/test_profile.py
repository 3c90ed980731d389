from __future__ import annotations

import pytest

from selfeval_kit import Profile, ProfileError, builtin_profiles, load_profile
from selfeval_kit.form.reading import parse_yaml
from tests.conftest import ROOT


def test_builtin_profiles():
    assert builtin_profiles() == ["hubei-2020", "national", "review"]


def test_national_defaults_follow_the_rules():
    p = load_profile("national")
    assert (p.budget_weight, p.level1_split) == (10, {"产出指标": 50, "效益指标": 30, "满意度指标": 10})
    assert p.qualitative_bands == {"met": (0.8, 1.0), "partly": (0.6, 0.8), "not_met": (0.0, 0.6)}
    assert (p.low_execution_rate, p.large_cut_share, p.score_tolerance) == (90.0, 0.15, 0.01)
    assert (p.overachievement_note_ratio, p.target_too_low_ratio, p.overachievement_deduction) == (1.3, 2.0, 0.0)
    assert p.lower_better_formula == "inverse_ratio"


def test_variant_profile_changes_only_what_it_states():
    p = load_profile("hubei-2020")
    assert (p.budget_weight, p.level1_split["产出指标"], p.lower_better_formula) == (20, 40, "linear")
    assert p.qualitative_bands["partly"] == (0.5, 0.8)
    assert p.large_cut_share == 0.15


SETTINGS = ", ".join(Profile.model_fields)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "name: x\nlabel: x\nbudget_weight: 30\n",
            "(profile): budget_weight + level1_split add up to 120, expected total_points 100",
        ),
        (
            "name: x\nlabel: x\nlow_execution: 80\n",
            f"low_execution: unknown setting (check its spelling); settings: {SETTINGS}",
        ),
        (
            "name: x\nlabel: x\nqualitative_bands: {met: [0.9, 0.8], partly: [0.6, 0.8], not_met: [0, 0.6]}\n",
            "(profile): qualitative_bands.met: lower bound 0.9 above upper bound 0.8",
        ),
        (
            "name: x\nlabel: x\nlarge_cut_share: 1.5\n",
            "large_cut_share: Input should be less than or equal to 1 (got 1.5)",
        ),
        ("label: x\n", "name: required setting is missing"),
        ("- a\n", "expected a YAML mapping of settings (key: value), got a list (['a'])"),
        ("", "expected a YAML mapping of settings (key: value), got nothing"),
        ("name: [\n", "malformed YAML: line 2, column 1: did not find expected node content"),
        (
            "a: 2022-13-45\n",
            "malformed YAML: line 1, column 4: cannot read '2022-13-45' as a date: month must be in 1..12",
        ),
        # duplicate keys were silently accepted in profiles (the last one won); now as in forms
        ("name: x\nlabel: y\nname: z\n", "malformed YAML: line 3, column 1: duplicate key 'name' (first at line 1)"),
        (
            "name: x\nlabel: y\nlevel1_split: {产出指标: 60, 效益指标: 20, 产出指标: 40}\n",
            "malformed YAML: line 3, column 36: duplicate key '产出指标' (first at line 3)",
        ),
    ],
)
def test_bad_profile_files(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    assert str(info.value) == f"{path}: {message}"


def test_builtin_profiles_have_no_duplicate_keys():
    for name in builtin_profiles():
        text = (ROOT / "selfeval_kit" / "rules" / "profiles" / f"{name}.yaml").read_text(encoding="utf-8")
        assert parse_yaml(text)[1] is None
        assert load_profile(name).name == name


def test_unknown_profile_name():
    with pytest.raises(ProfileError, match="national"):
        load_profile("no-such-profile")


def test_edited_profile_file_is_read_again(tmp_path):
    import os

    path = tmp_path / "p.yaml"
    path.write_text("name: p\nlabel: 甲\n", encoding="utf-8")
    assert load_profile(str(path)).label == "甲"
    path.write_text("name: p\nlabel: 乙\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_profile(str(path)).label == "乙"
