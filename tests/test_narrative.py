"""The narrative check: figures in the goal texts against the table, without false alarms."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval_kit import Form, evaluate
from selfeval_kit.rules.narrative import match_indicator, mentions


def narrative(data: dict) -> list:
    return [f for f in evaluate([Form.model_validate(data)]).findings if f.code == "narrative.mismatch"]


@pytest.mark.parametrize(
    "subject, names, expected",
    [
        ("大仪系统用咨询用户满意度", ["并发用户数", "大仪系统咨询用户满意度"], 1),
        ("企业订单", ["长三角科技券新增申领企业", "长三角科技券新增企业订单"], 1),
        ("服务器硬件原因的宕机次数", ["存储设备硬件原因宕机次数", "服务器硬件原因宕机次数", "核心设备故障次数"], 1),
        ("全年发现高危漏洞数", ["高危漏洞数", "系统故障数"], 0),
        ("新增需求", ["长三角科技券新增申领企业", "发表学术论文"], None),  # too little in common
        ("满意度", ["用户满意度", "服务满意度"], None),  # both fit: not certain
    ],
)
def test_match_indicator(subject, names, expected):
    assert match_indicator(subject, names) == expected


def test_mentions_read_multipliers_units_and_approximations():
    found = list(mentions("垃圾邮件拦截量为10.4451万，媒体报道80余篇；系统平均响应时间174ms，发表论文1-2篇。"))
    assert [(m.subject, m.value.number, m.approximate) for m in found] == [
        ("垃圾邮件拦截量", 104451.0, False),
        ("媒体报道", 80.0, True),
        ("系统平均响应时间", 0.174, False),
        ("发表论文", 1.0, False),
    ]
    assert found[3].value.number_high == 2.0


def test_planned_figure_differs_from_target(minimal_data):
    minimal_data["annual_goal"]["planned"] = "完成培训10场，培训人数不少于600人。"
    (finding,) = narrative(minimal_data)
    assert finding.indicator == "培训人数"
    assert finding.figures == {"field": "预期目标", "stated": "600人", "table": ">=500人"}


def test_achieved_figure_differs_from_actual(minimal_data):
    minimal_data["annual_goal"]["achieved"] = "完成培训8场，培训人数达到650人。"
    (finding,) = narrative(minimal_data)
    assert finding.figures == {"field": "实际完成情况", "stated": "650人", "table": "620人"}


@pytest.mark.parametrize(
    "achieved",
    [
        "培训人数620人。",
        "培训人数约600人。",  # approximate and within 20%
        "培训人数600余人。",
        "培训人数0.062万人。",  # multiplier
        "累计培训学员620个。",  # unit not comparable with 人: not certain, not reported
        "开展培训，共620人次参加，满意度达95%。",  # 620人次 is not 培训人数's unit; 满意度 matches 95%
    ],
)
def test_no_false_alarm(minimal_data, achieved):
    minimal_data["annual_goal"]["achieved"] = achieved
    assert narrative(minimal_data) == []


def test_figure_before_the_name_is_not_read(minimal_data):
    # "支持200用户并发使用": the number stands before the indicator's name; not matched
    minimal_data["annual_goal"]["achieved"] = "共有900培训人数。"
    assert narrative(minimal_data) == []


def test_thousands_separator_is_not_a_clause_break():
    found = list(mentions("服务企业数1,162家,访问量达到2,500,000次"))
    assert [(m.subject, m.value.number) for m in found] == [("服务企业数", 1162.0), ("访问量", 2500000.0)]


def _mentions_reference(text):
    """mentions() as first written (regex search for every subject and approximation):
    the faster version must give exactly the same mentions."""
    from selfeval_kit.rules import narrative as n

    if not text:
        return
    for clause in n._CLAUSE_BREAK.split(text):
        start = 0
        for match in n._TOKEN.finditer(clause):
            subject = n._LINK.sub("", clause[start : match.start()].strip()).strip()
            start = match.end()
            if len(subject) < 2:
                continue
            value = n._figure(*match.group(0, "lo", "hi", "mult", "unit"))
            if value is None:
                continue
            approximate = bool(n._APPROX_AFTER.match(clause, match.end())) or bool(
                n._APPROX_BEFORE.search(clause[: match.start()])
            )
            yield n.Mention(subject=subject, value=value, text=value.text, approximate=approximate)


def test_mentions_fast_path_equals_reference(tmp_path):
    import sys

    from selfeval_kit import load
    from tests.conftest import DATA_2022, ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write_portfolio

    write_portfolio(tmp_path, 150, 0, seed=11)
    texts = [
        "满意度约 95%，投诉 2次左右，超 3万人次，近\u3000500家，达到了10台（套）",
        "共计为 12个\u00a0", "计划完成率 ≥ 90 %并且 成本不超过5万元",
        "约为3天", "已  7项", "的的的5篇", "5次", "", "  ",
    ]
    for path in (DATA_2022, tmp_path):
        for form in load(path):
            texts += [form.annual_goal.planned, form.annual_goal.achieved]
    for text in texts:
        assert list(mentions(text)) == list(_mentions_reference(text)), text


class _CatalogueReference:
    """narrative._Catalogue as first written (no cache): the faster one must pick the same index."""

    def __init__(self, names):
        self.names = names
        self.chars = [frozenset(name) for name in names]
        self.repeats = [len(name) - len(chars) for name, chars in zip(names, self.chars)]

    def best(self, subject):
        from selfeval_kit.rules.narrative import _MIN_COVER, _MIN_NAME, _lcs

        distinct = set(subject)
        size, repeats = len(subject), len(subject) - len(distinct)
        scored = []
        for i, chars in enumerate(self.chars):
            shared = len(distinct & chars)
            if not shared:
                continue
            name = self.names[i]
            shorter = size if size < len(name) else len(name)
            bound = shared + min(repeats, self.repeats[i])
            if bound < _MIN_NAME or bound < _MIN_COVER * shorter:
                continue
            common = _lcs(subject, name)
            if common >= _MIN_NAME and common >= _MIN_COVER * shorter:
                scored.append((common / shorter + common / 1000, i))
        if not scored:
            return None
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.1:
            return None
        return scored[0][1]


def _differs_reference(stated, table, approximate):
    low = stated.number
    high = stated.number_high if stated.number_high is not None else low
    if low is None:
        return False
    scale = max(abs(table), 1e-12)
    if low - 1e-9 * scale <= table <= high + 1e-9 * scale:
        return False
    if approximate:
        return abs(table - low) / scale > 0.2
    return True


def _narrative_reference(result):
    """narrative_findings as first written (every mention matched by name, then checked):
    the faster version, which skips mentions that cannot lead to a finding, must agree.
    It reads mentions, matches names and compares figures as first written, too."""
    from selfeval_kit.rules.audit import _finding, _num
    from selfeval_kit.values.core import Kind, compare, parse_value

    catalogue = _CatalogueReference([item.indicator.name for item in result.indicators])
    goal = result.form.annual_goal
    seen = set()
    for field, text, side in (("预期目标", goal.planned, "target"), ("实际完成情况", goal.achieved, "actual")):
        for mention in _mentions_reference(text):
            index = catalogue.best(mention.subject)
            if index is None or (index, side) in seen:
                continue
            item = result.indicators[index]
            table_value = item.target if side == "target" else item.actual
            if table_value.kind not in (Kind.QUANTITATIVE, Kind.NONE) or item.target.kind != Kind.QUANTITATIVE:
                continue
            table_number = 0.0 if table_value.kind == Kind.NONE else table_value.number
            if table_number is None or not compare(item.target, mention.value).comparable:
                continue
            stated = mention.value
            if stated.unit is None and item.target.unit is not None:
                stated = parse_value(mention.text, role="actual", like=item.target)
            seen.add((index, side))
            if _differs_reference(stated, table_number, mention.approximate):
                cell = item.indicator.target if side == "target" else item.indicator.actual
                column = "年度指标值" if side == "target" else "实际完成值"
                yield _finding(
                    "narrative.mismatch", result,
                    f"{field}写“{mention.subject}{mention.text}”，指标表“{item.indicator.name}”的{column}为 {cell}"
                    f"（{_num(stated.number)} ≠ {_num(table_number)}）。",
                    item=item, field=field, stated=mention.text, table=cell,
                )  # fmt: skip


def test_narrative_findings_equal_reference(tmp_path):
    import sys

    from selfeval_kit import load
    from selfeval_kit.rules.narrative import narrative_findings
    from selfeval_kit.rules.profile import load_profile
    from selfeval_kit.rules.scoring import score_form
    from tests.conftest import DATA_2022, FIXTURES, ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write_portfolio

    write_portfolio(tmp_path, 400, 0, seed=12)
    rules = load_profile("national")
    synthetic = list(load(tmp_path))
    # The same forms with their texts swapped: the plan's figures now contradict the actuals.
    swapped = [
        f.model_copy(update={"annual_goal": f.annual_goal.model_copy(
            update={"planned": f.annual_goal.achieved, "achieved": f.annual_goal.planned})})
        for f in synthetic
    ]  # fmt: skip
    forms = list(load(DATA_2022)) + synthetic + swapped + list(load(FIXTURES / "minimal.yaml"))
    found = 0
    for form in forms:
        result = score_form(form, rules)
        expected = [f.to_dict() for f in _narrative_reference(result)]
        assert [f.to_dict() for f in narrative_findings(result)] == expected, form.id
        found += len(expected)
    assert found >= 1000


# --- the fast paths (one-pass scanner, caches) against the references, on made-up texts

_WORDS = [
    "培训人数", "培训场次", "服务企业数", "满意度", "用户满意度", "系统响应时间", "发表论文", "高危漏洞数",
    "台（套）", "台(套)", "台套", "个", "次", "人次", "家", "篇", "场", "万", "亿", "千", "元", "万元", "%", "％",
    "ms", "秒", "s", "天", "小时", "约", "近", "超", "余", "多", "左右", "以上", "以", "及", "以及", "并且", "其中",
    "包括", "包", "不少于", "达到了", "达到", "为", "的", "了", "共计", "，", "。", "、", "；", ";", "：", ":", "（",
    "）", "(", ")", "“", "”", "!", "？", "\n", " ", "\u3000", "\u00a0", "-", "~", "至", ",", ".", "０", "٣",
]  # fmt: skip
_NAMES_IN_TEXT = ["培训人数", "服务企业数", "用户满意度", "满意度", "系统响应时间", "发表论文", "投诉", "媒体报道", "", "数"]
_fragments = st.one_of(
    st.sampled_from(_WORDS),
    st.integers(0, 10**7).map(str),
    st.integers(0, 10**7).map("{:,}".format),
    st.decimals(0, 10**5, places=2).map(str),
    st.text(alphabet="0123456789,.-~至 \n万千元个次（）(套)台约超余左右以及", max_size=6),
)
_numbers = st.one_of(
    st.integers(0, 10**7).map(str),
    st.integers(1000, 10**7).map("{:,}".format),
    st.decimals(0, 10**4, places=2).map(str),
    st.sampled_from(["1-2", "3 ~ 5", "10至20", "1,162", "1,1623", "12,34", "0.5", "٣", "０"]),
)
_clauses = st.tuples(
    st.sampled_from(_NAMES_IN_TEXT),
    st.sampled_from(["", "", "为", "达到", "不少于", "共计", " ", "的", "约", "近", "超", "约为", "超过"]),
    _numbers,
    st.sampled_from(["", " ", "\n", "\u3000"]),
    st.sampled_from(["", "万", "亿", "千"]),
    st.sampled_from(["", "个", "次", "人次", "家", "篇", "%", "ms", "秒", "元", "万元", "台（套）", "台(套)", "台套"]),
    st.sampled_from(["", "", "余", "多", "左右", "以上", " 左右", "\n余"]),
    st.sampled_from(["，", "。", "、", "；", "\n", ",", "以及", "并且", "（", "", " "]),
).map("".join)
_texts = st.lists(st.one_of(_clauses, _clauses, _fragments), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_texts)
def test_mentions_equal_reference_on_made_up_texts(text):
    from selfeval_kit.rules import narrative as n

    expected = list(_mentions_reference(text))
    assert list(mentions(text)) == expected
    assert n._scan_clauses(text) == n._scan(text)  # the one-pass scan and the clause by clause one
    n._clear_caches()
    assert list(mentions(text)) == expected


def test_break_characters_cover_every_clause_break():
    """_scan reads a run of characters outside narrative._BREAK_FIRST (and the comma) as
    text within a clause: no clause break may start with any other character."""
    from selfeval_kit.rules.narrative import _BREAK_FIRST, _CLAUSE_BREAK

    for code in range(0x10000):
        char = chr(code)
        if char in _BREAK_FIRST or char == "," or char.isdigit():
            continue
        for text in (f"1{char}及", f"a{char}且", f"1{char}中", f"a{char}括", f"1{char}123", f"a{char}a"):
            assert _CLAUSE_BREAK.match(text, 1) is None, repr(char)


_NAMES = ["用户满意度", "服务满意度", "满意度", "培训人数", "培训场次", "服务企业数", "服务对象满意度",
          "系统故障数", "高危漏洞数", "大仪系统咨询用户满意度", "验收合格率", "人数"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(st.sampled_from(_NAMES) | st.text(alphabet="用户服务满意度培训人数场次系统故障", min_size=1, max_size=8),
                   max_size=12),  # fmt: skip
    subjects=st.lists(st.text(alphabet="用户服务满意度培训人数场次系统故障的为", max_size=10), min_size=1, max_size=8),
)
def test_best_equals_reference(names, subjects):
    from selfeval_kit.rules.narrative import _Catalogue, _clear_caches

    reference = _CatalogueReference(names)
    for clear in (False, True):
        if clear:
            _clear_caches()
        catalogue = _Catalogue(names)
        for subject in subjects + [name[:-1] for name in names] + [name + "数" for name in names]:
            assert catalogue.best(subject) == reference.best(subject), (subject, names)
            assert match_indicator(subject, names) == reference.best(subject), (subject, names)


def test_best_equals_reference_on_the_forms(tmp_path):
    import sys

    from selfeval_kit import load
    from selfeval_kit.rules.narrative import _Catalogue
    from tests.conftest import DATA_2022, ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write_portfolio

    write_portfolio(tmp_path, 150, 0, seed=13)
    forms = list(load(DATA_2022)) + list(load(tmp_path))
    subjects = {m.subject for form in forms for text in (form.annual_goal.planned, form.annual_goal.achieved)
                for m in _mentions_reference(text)}  # fmt: skip
    subjects |= {indicator.name for form in forms for indicator in form.indicators}
    for form in forms:
        names = [indicator.name for indicator in form.indicators]
        catalogue, reference = _Catalogue(names), _CatalogueReference(names)
        for subject in subjects:
            assert catalogue.best(subject) == reference.best(subject), (subject, form.id)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_narrative_findings_equal_reference_on_made_up_texts(data):
    from selfeval_kit.rules.narrative import narrative_findings
    from selfeval_kit.rules.profile import load_profile
    from selfeval_kit.rules.scoring import score_form

    forms = _made_up_forms()
    form = data.draw(st.sampled_from(forms))
    names = [indicator.name for indicator in form.indicators]
    figures = [indicator.target for indicator in form.indicators] + [indicator.actual for indicator in form.indicators]
    named = st.tuples(
        st.sampled_from(names) | st.sampled_from(names).map(lambda name: name[1:]),
        st.sampled_from(["", "为", "达到", "不少于", "约", "超"]),
        st.sampled_from([str(f) for f in figures if f is not None] or ["1"]) | _numbers,
        st.sampled_from(["", "", "万", "个", "次", "人次", "家", "%", "ms", "秒", "万元", "台套", "余", "左右"]),
        st.sampled_from(["，", "。", "；", "\n", ",", "以及"]),
    ).map("".join)
    piece = st.one_of(named, named, _clauses, _fragments)
    texts = st.lists(piece, max_size=30).map("".join)
    planned, achieved = data.draw(texts), data.draw(texts)
    form = form.model_copy(update={"annual_goal": form.annual_goal.model_copy(
        update={"planned": planned, "achieved": achieved})})  # fmt: skip
    result = score_form(form, load_profile("national"))
    expected = [f.to_dict() for f in _narrative_reference(result)]
    assert [f.to_dict() for f in narrative_findings(result)] == expected


_MADE_UP_FORMS: list = []


def _made_up_forms():
    if not _MADE_UP_FORMS:
        from selfeval_kit import load
        from tests.conftest import DATA_2022, FIXTURES

        _MADE_UP_FORMS.extend(list(load(DATA_2022))[:6] + list(load(FIXTURES / "minimal.yaml")))
    return _MADE_UP_FORMS


def test_possessive_token_matches_as_token():
    """_SCAN reads tokens with _TOKEN_POSSESSIVE: the same matches and groups as _TOKEN."""
    import itertools
    import re

    from selfeval_kit.rules.narrative import _TOKEN, _TOKEN_POSSESSIVE

    possessive = re.compile(_TOKEN_POSSESSIVE)
    groups = ("lo", "hi", "mult", "unit")
    for alphabet, longest in (("1,.", 10), ("1,.- 至万元", 6), ("12, ~千台套次个", 5)):
        for size in range(1, longest + 1):
            for chars in itertools.product(alphabet, repeat=size):
                text = "".join(chars)
                for pos in (0, 1):
                    a, b = _TOKEN.match(text, pos), possessive.match(text, pos)
                    assert (a and (a.span(), a.group(*groups))) == (b and (b.span(), b.group(*groups))), text


@settings(max_examples=300, deadline=None)
@given(
    number=st.integers(0, 10**20) | st.sampled_from([2**53 - 1, 2**53, 2**53 + 1, 10**400]),
    separators=st.booleans(),
    decimals=st.none() | st.integers(0, 10**12).map(str),
    factor=st.sampled_from([1.0, 1000.0, 10_000.0, 1e8, 60.0, 3600.0, 0.001, 0.01, 1e-8]),
)
def test_times_equals_the_rounded_product(number, separators, decimals, factor):
    from selfeval_kit.rules.narrative import _times

    digits = (f"{number:,}" if separators else str(number)) + ("" if decimals is None else f".{decimals}")
    assert repr(_times(digits, factor)) == repr(round(float(digits.replace(",", "")) * factor, 9))
