from __future__ import annotations

import pytest

from selfeval_kit import ProfileError, builtin_profiles, load_profile


def test_builtin_profiles():
    assert builtin_profiles() == ["hubei-2020", "national"]


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


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: x\nlabel: x\nbudget_weight: 30\n", "add up to 120"),
        ("name: x\nlabel: x\nlow_execution: 80\n", "Extra inputs"),
        ("name: x\nlabel: x\nqualitative_bands: {met: [0.9, 0.8], partly: [0.6, 0.8], not_met: [0, 0.6]}\n", "above upper bound"),
        ("- a\n", "mapping"),
        ("name: [\n", "malformed YAML"),
    ],
)
def test_bad_profile_files(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=message.replace("[", r"\[")):
        load_profile(str(path))


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
