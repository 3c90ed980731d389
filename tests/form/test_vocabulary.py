"""Validation that knows the form's words: misspelt 一级 labels and values YAML cannot read unquoted."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.form.reading import parse_yaml
from tests.conftest import DATA_2022

HOTLINE = (DATA_2022 / "hotline-system-ops.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("printed", "suggested"),
    [
        ("产出指示", "产出指标"),
        ("效益指木", "效益指标"),
        ("满意度指示", "满意度指标"),
        ("成本目标", "成本指标"),
        ("社会效益指标", None),
    ],
)
def test_a_misspelt_level1_is_refused_with_the_label_it_resembles(printed, suggested, tmp_path):
    file = tmp_path / "f.yaml"
    file.write_text(HOTLINE.replace('level1: "产出指标"', f'level1: "{printed}"', 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(file)])
    if suggested is None:  # not one substitution away from any label: left to the audit
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert (
        f"{file}: indicators[0].level1: not a 一级指标 label: did you mean {suggested}? "
        f"(expected one of 产出指标、效益指标、满意度指标、成本指标) (got '{printed}')"
    ) in result.output


@pytest.mark.parametrize("label", ["产出", "产出指标（50分）", "服务对象满意度", "成本指标", "效果指标", "影响力指标"])
def test_short_forms_and_other_templates_categories_are_kept(label, tmp_path):
    file = tmp_path / "f.yaml"
    file.write_text(HOTLINE.replace('level1: "产出指标"', f'level1: "{label}"', 1), encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", str(file)]).exit_code == 0


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("target: >=4000个", 'a value starting with ">" must be quoted: target: ">=4000个"'),
        ("  - target: >=4000个", 'a value starting with ">" must be quoted: target: ">=4000个"'),
        ("target: %90", 'a value starting with "%" must be quoted: target: "%90"'),
        ("actual: @home", 'a value starting with "@" must be quoted: actual: "@home"'),
        ("target: |x", 'a value starting with "|" must be quoted: target: "|x"'),
    ],
)
def test_a_value_yaml_cannot_read_unquoted_gets_a_hint(line, hint):
    value, problem = parse_yaml(f"id: a\n{line}\n")
    assert value is None
    assert problem.startswith("malformed YAML: line 2, column ")
    assert problem.endswith("; " + hint)


def test_other_syntax_errors_get_no_quote_hint():
    _, problem = parse_yaml("id: a\nname: [1, 2\n")
    assert problem is not None and "must be quoted" not in problem
