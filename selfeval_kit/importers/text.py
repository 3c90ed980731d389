"""Read self-evaluation forms from text extracted from published PDFs (issue 6).

Published forms (财政项目支出绩效自评表) are PDFs; what a text extractor gives back
is the table's cells in reading order, one text box after another: cells broken
across lines, a row's cells run together on one line or spread over several,
merged cells printed somewhere inside the rows they span, and page-break debris.
`read_text` turns such text into `ImportedForm`s in the YAML shape of
`model.Form`.

How it reads, and why this way:

* A document is cut into forms at each title line ("(财政)项目支出绩效自评表",
  "青神县2023年度项目支出绩效自评表"); the year comes from the title or the
  "(2022 年度)" line under it; a money unit may be printed on either.
* Page-break debris is dropped first: the vertical 一级 label "绩效指标" printed one
  character per line where a page breaks ("绩", " 效\\n指\\n标 name"). It is the
  label of the whole table, never a group, so it must not end a 二级指标 group.
  Page numbers ("第 1 页 共 2 页", "— 2 —") go too.
* Forms of other provinces and years word things differently; what they print
  is kept as printed, and recognised: 二级/一级 labels without "指标" (数量, 产出),
  with points ("产出指标(50分)"), the 2021+ template's 一级 成本指标 with its own
  二级 labels (`_settle_cost_labels`), column letters (全年预算数（A）), 预算执行率,
  a 序号 column, 合计 for 总分. Which words are labels in context is decided in
  `_label_at`.
* Text extracted with its layout (`pdftotext -layout`: cells apart by runs of
  spaces, columns lined up) is read too: goal texts side by side are split by
  column (`_side_by_side`), a wrapped cell's next line joins the cell above it in
  the same column (`_TableReader._layout_tails`).
* The Sichuan template (部门预算项目支出绩效自评表: 预算执行情况 with 年初预算 / 调整后预算数 /
  预算执行数 / 原因, indicators as 指标性质 + 指标值 + 度量单位 / 完成值 / 权重, 合计) has a
  reader of its own (the `_sc_*` functions), chosen when a form mentions 预算执行情况 or
  调整后预算数; its mapping onto the national fields is written into each form's notes.
* A small state machine cuts each form into sections by their marker lines
  (header → 项目资金 → 年度总体目标 → 一级指标 table → 总分); each section has its
  own reader below. Markers are matched with optional white space between
  characters, because labels are broken across lines too.
* The indicator table is read as a stream of events — labels, text fragments,
  and "anchors": a line ending in 分值 and 得分 (two bare numbers), optionally
  followed by the deviation note. A row is the text gathered up to its anchor;
  its cells are split by position (name, target, actual: left to right) and by
  what a cell can be (a target starts with a sign or a number, or is a short
  word; a unit alone or half a number continues the cell above it).
* Nothing is guessed silently. What cannot be read confidently becomes an entry
  in `errors` (the form is then not written); a field the source lacks is
  listed in `missing`; every reading of an ambiguous layout is a `note`, which
  becomes a YAML comment; a form whose text ends before its 总分 row is
  `complete=False`.

The layout rules chosen for ambiguous cases are documented where they are
applied: `_read_sub_row` (two amounts for three columns), `_assign_goal_texts`
(which goal text is which), `_TableReader._on_level2` and `_settle_centred`
(labels printed between rows), `_TableReader._take_note` (deviation notes
wrapping into the next row's text), `_TableReader._split_cells` (cells spread
over lines or run together).
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from selfeval_kit.errors import DataError
from selfeval_kit.form.labels import ALLOWED_LEVEL2, COST_LEVEL2, LEVEL1_COST, LEVEL1_ORDER
from selfeval_kit.importers.imported import ImportedForm, slug
from selfeval_kit.values import Kind, parse_value

__all__ = ["read_text"]


# --------------------------------------------------------------------------- patterns


def _spaced(word: str) -> str:
    """A regex for `word` that tolerates white space (line breaks) between its characters."""
    return r"\s*".join(re.escape(ch) for ch in word)


# The money unit may be printed at the right of the title or year line ("（2023年度） 单位：万元").
_TITLE_UNIT = (
    r"(?:\s*[（(]?\s*(?:金额)?单位\s*[：:]\s*(?:人民币)?(?:万元|元)\s*[）)]?"
    r"|\s*[（(]\s*(?:万元|元)\s*[）)])?"
)
_TITLE_RE = re.compile(
    r"^(?:附(?:件|表)\s*\d*\s*[:：]?\s*)?(?:[一二三四五六七八九十]+、)?"
    # a place or department name may lead the year: "青神县2023年度项目支出绩效自评表"
    r"(?:(?:[\u4e00-\u9fff（）()]{2,30}?)?(?P<y1>(?:19|20)\d{2})\s*年度?\s*)?"
    r"(?:财政|部门)?(?:预算)?项目(?:支出)?绩效(?:目标)?自评表"  # 四川: 部门预算项目支出绩效自评表
    r"\s*(?:[（(]\s*(?P<y2>(?:19|20)\d{2})\s*(?:年\s*度?)?\s*[）)]|(?P<y3>(?:19|20)\d{2})\s*年\s*度?)?"
    + _TITLE_UNIT
    + "$"
)
_YEAR_LINE_RE = re.compile(
    r"^(?:[（(]\s*((?:19|20)\d{2})\s*(?:年\s*度?)?\s*[）)]|((?:19|20)\d{2})\s*年\s*度?)" + _TITLE_UNIT + "$"
)

# Page-break debris: the vertical 一级 label of the whole table.
_DEBRIS_WORD = "绩效指标"
_SPACED_CHARS_RE = re.compile(r"^(?:[\u4e00-\u9fff] )+[\u4e00-\u9fff]$")
_OUTER_LABEL_RE = re.compile(r"^绩\s?效\s?指\s?标\s+(?=\S)")
# Page-break debris: a page number printed at the foot or head of a page ("第 2 页 共 3 页", "— 2 —").
_PAGE_NO_RE = re.compile(
    r"^(?:第\s*\d+\s*页(?:\s*[,，、/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页"
    r"|[-—–－]\s*\d+\s*[-—–－]|[Pp]age\s*\d+(?:\s*(?:/|of)\s*\d+)?)$"
)

# Section markers (matched on a line with its white space removed).
_FUNDS_START_RE = re.compile(r"^(?:项目资金|年初预算数|年度资金总额|预算执行率)")
_GOAL_START_RE = re.compile(r"^(?:年度总体目标|总体目标|预期目标)")
_TABLE_START_RE = re.compile(r"^(?:绩效指标$|(?:绩效指标)?(?:序号)?一级指标)")
_TOTAL_RE = re.compile(r"^(?:总\s*分|合\s*计|总\s*计)(?=\s|$|[\d：:])\s*[：:]?\s*(?P<rest>.*)$")
_TOTAL_SCORE_WORD_RE = re.compile(r"^总\s*分")  # 合计/总计 end the form only inside the indicator table

# Header.
_HEADER_LABEL_RE = re.compile(
    r"(?P<label>项目名称|主管部门(?:及代码)?|实施单位(?:及代码)?|项目负责人|联系电话|联系人|项目属性|项目类型|"
    r"项目类别|项目编码|项目代码|项目编号|资金用途|填报单位|填报日期)\s*[：:]?"
)
_HEADER_KEYS = {
    "项目名称": "name",
    "主管部门": "department",
    "主管部门及代码": "department",
    "实施单位": "implementer",
    "实施单位及代码": "implementer",
}
_FUNDS_START_SPLIT_RE = re.compile(r"项目资金|年初预算数|年度资金总额|预算执行率")
_UNIT_RE = re.compile(
    r"[（(]\s*(?:单位\s*[：:]\s*)?(?P<u1>万元|元)\s*[）)]|(?:金额)?(?<!实施)单\s*位\s*[：:]\s*(?:人民币)?(?P<u2>万元|元)"
)

# Funds block.
_ROW_COLON = r"(?:\s*[：:])?"
_FUNDS_ROW_RES = {
    "total": re.compile(_spaced("年度资金总额") + _ROW_COLON),
    "appropriation": re.compile(
        r"(?:"
        + _spaced("其中")
        + r"\s*[：:]?\s*)?(?:(?:"
        + _spaced("当年")
        + "|"
        + _spaced("本年")
        + r")\s*)?"
        + _spaced("财政拨款")
        + _ROW_COLON
    ),
    "carryover": re.compile(_spaced("上年结转") + r"(?:\s*" + _spaced("资金") + ")?" + _ROW_COLON),
    "other": re.compile(_spaced("其他资金") + _ROW_COLON),
}
# Column letters of the 2021+ template: 全年预算数（A） 全年执行数（B） 执行率（B/A）.
_COLUMN_LETTERS = r"[（(]\s*[A-Za-z]\s*(?:[/÷]\s*[A-Za-z]\s*)?(?:[×*xX]\s*100\s*[%％]\s*)?[）)]"
_FUNDS_NOISE_RE = re.compile(
    "|".join(
        [_UNIT_RE.pattern, _COLUMN_LETTERS]
        + [
            _spaced(w)
            for w in ("项目资金", "年初预算数", "全年预算数", "全年执行数", "预算执行率", "执行率", "分值", "得分")
        ]
    )
)
_AMOUNT_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PERCENT_RE = re.compile(r"^\d+(?:\.\d+)?%$")
_DASHES = frozenset({"—", "——", "-", "--", "–", "―", "/", "－", "／", "—-"})

# Goal.
_GOAL_LABEL_PIECES = frozenset({"年度", "总体", "目标", "年度总体", "总体目标", "年度总体目标", "年度总", "体目标"})
_GOAL_HEADER_RE = re.compile(r"^(?:年度总体目标\s*)?预期目标\s*(?:实际完成情况|全年实际完成情况)?$")

# Indicator table.
_TABLE_HEADER_RE = re.compile(
    r"(?:\s|一级指标|二级指标|三级指标|年度指标值|全年指标值|实际完成值|全年实际值|指标值|完成值|目标值|实际值|年度|实际|全年|"
    r"分值|权重|得分|偏差原因分析及改进措施|偏差原因分析及|偏差原因分析|偏差原因|改进措施|未完成原因分析|未完成原因|"
    r"原因分析|分析|及|绩效指标|序号|备注|" + _COLUMN_LETTERS + r")+"
)
# Labels are recognised as printed and kept as printed; logic compares their canonical form.
# The 二级 labels of the 2021+ 一级 成本指标 (labels.COST_LEVEL2) have it as parent; 成本指标 itself is
# a 二级 of 产出指标 unless its neighbours are those labels (`_settle_cost_labels`).
_LEVEL2_PARENT = {l2: l1 for l1, l2s in ALLOWED_LEVEL2.items() for l2 in l2s}
_LEVEL2_PARENT.update({l2: LEVEL1_COST for l2 in COST_LEVEL2})


def _bare(label: str) -> str:
    """A label without its "指标" suffix, as some forms print it (数量, 社会效益, 产出, 满意度)."""
    return label[: -len("指标")] if label.endswith("指标") else label


# printed form -> (canonical label, level)
_LABEL_FORMS: dict[str, tuple[str, int]] = {}
for _l1 in LEVEL1_ORDER:
    _LABEL_FORMS[_l1] = _LABEL_FORMS[_bare(_l1)] = (_l1, 1)
for _l2 in _LEVEL2_PARENT:
    _LABEL_FORMS[_l2] = _LABEL_FORMS[_bare(_l2)] = (_l2, 2)
_LABELS = sorted([*LEVEL1_ORDER, *_LEVEL2_PARENT], key=len, reverse=True)  # full forms (vertical labels)
_LABEL_PREFIX_RE = re.compile(
    r"^(?P<label>" + "|".join(map(re.escape, sorted(_LABEL_FORMS, key=len, reverse=True))) + r")"
    r"(?P<points>\s*[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)])?(?=\s|$)\s*"  # "产出指标（50分）"
)
_UNKNOWN_LABEL_RE = re.compile(r"^[\u4e00-\u9fff]{1,8}指标$")
_POINTS_RE = re.compile(r"^\d{1,3}(?:\.\d+)?$")
_SIGN_START_RE = re.compile(
    r"^(?:[≥≤≧≦><=＞＜＝]|不低于|不少于|不高于|不超过|不大于|不小于|大于|小于|低于|高于|达到|超过)"
)
_SIGN_SPLIT_RE = re.compile(r"^(?P<name>.*?[^\s≥≤≧≦><=＞＜＝])(?P<target>[≥≤≧≦><=＞＜＝].*)$")
_LONE_SIGN_RE = re.compile(r"^(?:[≥≤≧≦><=＞＜＝]=?|不低于|不少于|不超过|不高于|大于|小于)$")
_UNIT_ONLY_RE = re.compile(
    r"^(?:万|千|亿)?(?:人次|台套|场次|个|次|人|家|台|套|篇|份|条|场|项|件|期|根|级|天|日|月|年|小时|分钟|秒|毫秒|元|万元|户|所|间|座|处|公里|米|亩|吨|%|％)$"
)
_SENTENCE_RE = re.compile(r"[，。；！？,;]")
_NOTE_OPEN_END = tuple("，、：；（“‘,;:(")
_NOTE_CLOSED_END = tuple("。！？.!?")
_QUALITATIVE_TARGETS = frozenset(
    [
        "完善",
        "健全",
        "及时",
        "完成",
        "达标",
        "合格",
        "良好",
        "有效",
        "规范",
        "显著",
        "提升",
        "提高",
        "是",
        "否",
        "准时",
        "按时",
        "持续提高",
        "持续提升",
        "不断扩大",
        "逐步提高",
        "明显提升",
        "有效提升",
        "显著提升",
        "稳步提升",
        "有所提升",
        "效果明显",
        "基本完成",
        "全部完成",
        "按期完成",
        "符合要求",
        "达到要求",
        "稳定运行",
        "正常运行",
    ]
)

# What a 三级指标 name says about its 二级 group. Used only to settle a label printed
# right after a row that might belong to it (see `_TableReader._on_level2`).
_LEVEL2_HINTS = {
    "数量指标": ("数量",),
    "质量指标": ("质量", "合格", "达标", "准确", "故障", "漏洞", "验收", "完好", "优良", "正确"),
    "时效指标": ("及时", "时效", "时间", "时限", "按时", "按期", "进度", "周期", "期限", "工期", "响应"),
    "成本指标": ("成本", "费用", "单价", "造价", "经费", "节约"),
    "经济效益指标": ("经济", "收入", "产值", "利润", "增收", "税收"),
    "社会效益指标": ("社会",),
    "生态效益指标": ("生态", "环境", "排放", "绿化", "节能", "能耗", "减碳", "污染"),
    "可持续影响指标": ("长效", "可持续", "机制", "制度"),
    "服务对象满意度指标": ("满意",),
    "经济成本指标": ("成本", "费用", "单价", "造价", "经费", "标准", "补助"),
    "社会成本指标": ("社会",),
    "生态环境成本指标": ("生态", "环境", "排放", "污染", "能耗"),
}

_CELL_NAMES = {"name": "三级指标", "target": "年度指标值", "actual": "实际完成值", "note": "偏差原因分析"}

_GOAL_WIDTH_RATIO = 1.2  # planned and achieved columns must differ by this much to be told apart by width


# --------------------------------------------------------------------------- small helpers


@dataclass
class _Line:
    """One line of the document: its 1-based number and its text as extracted."""

    no: int
    raw: str

    @property
    def text(self) -> str:
        return self.raw.strip()


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _width(text: str) -> float:
    """Printed width in CJK characters (a half-width character counts one half)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _nfkc(token: str) -> str:
    return unicodedata.normalize("NFKC", token)


def _number(token: str) -> int | float:
    """A printed amount or score as a number: "296,272" -> 296272, "296272.00" -> 296272.0."""
    plain = _nfkc(token).replace(",", "")
    return float(plain) if "." in plain else int(plain)


def _is_points(token: str) -> bool:
    return bool(_POINTS_RE.match(_nfkc(token)))


def _is_dash(token: str) -> bool:
    return token.strip() in _DASHES


def _value_like(text: str) -> bool:
    """Does `text` read as a target or actual value (a sign, a number, a rank, "无")?"""
    if _SIGN_START_RE.match(text):
        return True
    return parse_value(text, role="target").kind in (
        Kind.QUANTITATIVE,
        Kind.RANKING,
        Kind.NONE,
        Kind.DEADLINE,
        Kind.DATE,
    )


def _plausible_target(text: str) -> bool:
    """A target cell is a value or a short word (完善, 及时 ...), never a sentence or one character."""
    if _value_like(text) or text in _QUALITATIVE_TARGETS:
        return True
    return 2 <= len(text) <= 12 and not _SENTENCE_RE.search(text)


def _number_split(before: str, after: str) -> bool:
    """True when a line break cut one number in two ("1114.356" / "6万次")."""
    return bool(before) and bool(after) and (before[-1].isdigit() or before[-1] == ".") and after[0].isdigit()


def _hints(name: str, level2: str | None) -> bool:
    return level2 is not None and any(word in name for word in _LEVEL2_HINTS.get(level2, ()))


# --------------------------------------------------------------------------- document level


def read_text(text: str, source: str) -> list[ImportedForm]:
    """Read every form in `text` (extracted from published PDFs); one ImportedForm each.

    Raises DataError when the text holds no form title at all (it is not a
    document of self-evaluation forms). Each form carries its own `errors`,
    `missing`, `notes` and `complete`; see the module docstring.
    """
    lines = [_Line(no, raw) for no, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]
    chunks = _split_forms(lines)
    if not chunks:
        raise DataError.single(source, "no form title (财政项目支出绩效自评表 / 项目支出绩效自评表) found in the text")
    sichuan = [_is_sichuan(chunk) for chunk in chunks]
    layouts = [None if sc else _Layout.cut(chunk) for chunk, sc in zip(chunks, sichuan, strict=True)]
    national = [layout for layout in layouts if layout is not None]
    goal_widths = _GoalWidths.of(national)
    name_width = _name_wrap_width(national)
    taken: set[str] = set()
    return [
        _read_sichuan_form(chunk, seq, source, taken)
        if layout is None
        else _read_form(layout, seq, source, goal_widths, name_width, taken)
        for seq, (chunk, layout) in enumerate(zip(chunks, layouts, strict=True), 1)
    ]


def _split_forms(lines: list[_Line]) -> list[list[_Line]]:
    """Cut the document at each title line; text before the first title is not a form."""
    starts = [i for i, line in enumerate(lines) if _TITLE_RE.match(_compact(line.text))]
    return [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=False)]


def _join_vertical_labels(lines: list[_Line]) -> list[_Line]:
    """Join a 一级/二级 label printed one character per line ("产/出/指/标") into one line.

    Done before debris is dropped, so that the "指/标" of such a label is not
    taken for a piece of the page-break debris "绩效指标".
    """
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        for label in _LABELS:
            chars = [line.text for line in lines[i : i + len(label)]]
            if len(chars) == len(label) and all(len(c) == 1 for c in chars) and "".join(chars) == label:
                out.append(_Line(lines[i].no, label))
                i += len(label)
                break
        else:
            out.append(lines[i])
            i += 1
    return out


def _drop_debris(lines: list[_Line]) -> tuple[list[_Line], list[int]]:
    """Remove page-break debris: "绩效指标" printed one character per line.

    A run of one-character lines spelling a piece of 绩效指标 in order is debris
    when it has two or more characters, or is the lone first character "绩", or
    when the line after it starts with the next character and a space (" 效/指/标
    核心设备故障次数": the last character printed on the next row's line). Single
    characters such as "数" or "度" that end a wrapped cell are not in 绩效指标 or
    stand alone, so they are kept.
    """
    out: list[_Line] = []
    dropped: list[int] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(lines[j].text) == 1 and lines[j].text in _DEBRIS_WORD:
            j += 1
        spelled = "".join(line.text for line in lines[i:j])
        if j > i and spelled in _DEBRIS_WORD:
            end = _DEBRIS_WORD.index(spelled) + len(spelled)
            nxt = lines[j].text if j < len(lines) else ""
            fused = end < len(_DEBRIS_WORD) and len(nxt) > 2 and nxt[0] == _DEBRIS_WORD[end] and nxt[1].isspace()
            if j - i >= 2 or spelled == _DEBRIS_WORD[0] or fused:
                dropped.extend(line.no for line in lines[i:j])
                if fused:
                    dropped.append(lines[j].no)
                    out.append(_Line(lines[j].no, nxt[1:].strip()))
                    j += 1
                i = j
                continue
        out.append(lines[i])
        i += 1
    return out, dropped


@dataclass
class _Layout:
    """One form's lines cut into sections by the state machine in `cut`."""

    title: list[_Line]
    header: list[_Line] = field(default_factory=list)
    funds: list[_Line] = field(default_factory=list)
    goal: list[_Line] = field(default_factory=list)
    table: list[_Line] = field(default_factory=list)
    total: _Line | None = None
    debris: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)  # page-number lines dropped

    @classmethod
    def cut(cls, chunk: list[_Line]) -> _Layout:
        """header → funds → goal → table → total; a marker may skip states, never go back.

        The title and the year line under it stay in `title`. A section ends at the
        next section's marker; the table ends at the 总分 row. Text after 总分
        (signatures, dates) is not part of the form.
        """
        title = [chunk[0]]
        rest = chunk[1:]
        for k, line in enumerate(rest[:3]):
            if line.text and _YEAR_LINE_RE.match(line.text):
                title.extend(rest[: k + 1])
                rest = rest[k + 1 :]
                break
        pages = [line.no for line in rest if _PAGE_NO_RE.match(line.text)]
        rest = [line for line in rest if not _PAGE_NO_RE.match(line.text)]
        lines, debris = _drop_debris(_join_vertical_labels(rest))
        layout = cls(title=title, debris=debris, pages=pages)
        order = ("header", "funds", "goal", "table")
        state = "header"
        for i, line in enumerate(lines):
            compact = _compact(line.text)
            ahead = _compact("".join(x.text for x in lines[i : i + 3]))
            if (
                compact
                and _TOTAL_RE.match(line.text)
                and (state == "table" or (order.index(state) >= 1 and _TOTAL_SCORE_WORD_RE.match(line.text)))
            ):
                layout.total = _total_line(line, lines[i + 1 :])
                break
            new = state
            if _TABLE_START_RE.match(compact) or (compact == "序号" and re.match(r"序号(?:绩效指标)?一级指标", ahead)):
                new = "table" if state != "table" else state
            elif state in ("header", "funds") and (
                _GOAL_START_RE.match(compact) or (compact in _GOAL_LABEL_PIECES and _GOAL_START_RE.match(ahead))
            ):
                new = "goal"
            elif state == "header" and _FUNDS_START_RE.match(compact):
                new = "funds"
            if order.index(new) > order.index(state):
                state = new
            getattr(layout, state).append(line)
        return layout


def _total_line(line: _Line, after: list[_Line]) -> _Line:
    """The 总分 row, with its 分值 and 得分 when they are printed on the next line(s) ("总分" / "100 96.5")."""
    match = _TOTAL_RE.match(line.text)
    assert match is not None, "called on a 总分 line"
    rest = match.group("rest")
    if rest.strip():
        return line
    numbers: list[str] = []
    for nxt in after:
        if not nxt.text:
            continue
        tokens = nxt.text.split()
        if not all(_AMOUNT_RE.match(_nfkc(t)) or _is_dash(t) for t in tokens):
            break
        numbers += tokens
        if sum(1 for t in numbers if not _is_dash(t)) >= 2:
            break
    return _Line(line.no, line.text + " " + " ".join(numbers)) if numbers else line


# --------------------------------------------------------------------------- one form


def _read_form(
    layout: _Layout, seq: int, source: str, goal_widths: _GoalWidths, name_width: float | None, taken: set[str]
) -> ImportedForm:
    """Read one form's sections into the Form shape; collect missing, notes, errors."""
    missing: list[str] = []
    notes: list[str] = []
    errors: list[str] = []
    data: dict = {}

    header = _read_header(layout.header)
    data["id"] = slug(header.get("name") or "", seq, taken)
    data["seq"] = seq
    for key in ("name", "department", "implementer"):
        if header.get(key):
            data[key] = header[key]
        else:
            missing.append(key)
            errors.append(f"{key}: {_HEADER_LABEL_NAMES[key]} not found in the header")

    year = _read_year(layout.title)
    if year is None:
        missing.append("year")
        errors.append("year: no (YYYY 年度) under the title")
    else:
        data["year"] = year

    unit, unit_problem = _read_unit(layout.title + layout.header + layout.funds)
    if unit is None:
        missing.append("unit")
        errors.append(f"unit: {unit_problem}")
    else:
        data["unit"] = unit

    funds = _read_funds(layout.funds, missing, notes, errors)
    if funds is not None:
        data["funds"] = funds

    data["annual_goal"] = _read_goal(layout.goal, goal_widths, missing, notes, errors)

    if layout.debris:
        notes.append(
            f"page-break debris (lines {_ranges(layout.debris)}): the 一级 label 绩效指标 printed one character "
            "per line at a page break; dropped, and not read as the end of a 二级指标 group"
        )

    if layout.pages:
        notes.append(f"page numbers (lines {_ranges(layout.pages)}) dropped")
    table = _TableReader(layout.table, name_width, notes, errors)
    indicators = table.read(layout.total is not None)
    data["indicators"] = indicators
    if not layout.table:
        missing.append("indicators")
        errors.append("indicators: the 一级指标 table header was not found")
    elif not indicators and table.rows_ok:
        errors.append("indicators: no indicator row could be read")

    complete = layout.total is not None
    if layout.total is not None:
        total_weight, total_score = _read_total(layout.total, missing, notes, errors)
        data["total_score"] = total_score
        _check_sums(data, total_weight, table.rows_ok, notes, errors)
    else:
        missing.append("total_score")
        data["total_score"] = None
        notes.append("the text ends before the 总分 row: the form is incomplete")

    ordered = {key: data[key] for key in _FORM_KEYS if key in data}
    where = layout.title[0].no
    return ImportedForm(
        data=ordered,
        source=f"{source}: form {seq} (line {where})",
        missing=missing,
        notes=notes,
        complete=complete,
        errors=errors,
    )


_FORM_KEYS = (
    "id",
    "seq",
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
_HEADER_LABEL_NAMES = {"name": "项目名称", "department": "主管部门", "implementer": "实施单位"}


def _ranges(numbers: list[int]) -> str:
    """ "3, 7-9" for [3, 7, 8, 9]."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


# --------------------------------------------------------------------------- header


def _read_header(lines: list[_Line]) -> dict[str, str]:
    """项目名称 / 主管部门 / 实施单位: the text after each label up to the next label.

    Lines are joined without a separator (a cell broken across lines is one
    value; Chinese has no spaces between words); spaces inside a line are kept.
    """
    text = _UNIT_RE.sub("", "".join(line.text for line in lines))
    found: dict[str, str] = {}
    marks = list(_HEADER_LABEL_RE.finditer(text))
    for mark, nxt in zip(marks, [*marks[1:], None], strict=False):
        key = _HEADER_KEYS.get(mark.group("label"))
        value = text[mark.end() : nxt.start() if nxt else len(text)]
        value = _FUNDS_START_SPLIT_RE.split(value, maxsplit=1)[0].strip(" ：:\u00a0")
        if value.count("（") > value.count("）") or value.count("(") > value.count(")"):
            value = value.rstrip("（(")  # "某项目（项目编码：…）": the bracket opened the next label
        if key and key not in found and value:
            found[key] = value
    return found


def _read_year(title: list[_Line]) -> int | None:
    for line in title:
        m = _TITLE_RE.match(_compact(line.text))
        if m and (year := m.group("y1") or m.group("y2") or m.group("y3")):
            return int(year)
        m = _YEAR_LINE_RE.match(line.text)
        if m:
            return int(m.group(1) or m.group(2))
    return None


def _read_unit(lines: list[_Line]) -> tuple[str | None, str]:
    """The money unit printed with the funds block: "（元）", "（万元）" or "单位：万元". Never assumed."""
    text = _compact("".join(line.text for line in lines))
    units = {m.group("u1") or m.group("u2") for m in _UNIT_RE.finditer(text)}
    if len(units) == 1:
        return units.pop(), ""
    if not units:
        return None, "no money unit （元）/（万元） printed with the funds block"
    return None, f"two money units printed ({', '.join(sorted(units))}); cannot tell which the amounts use"


# --------------------------------------------------------------------------- funds


def _read_funds(lines: list[_Line], missing: list[str], notes: list[str], errors: list[str]) -> dict | None:
    """The 年度资金总额 row and its three sub-rows, read from their labels.

    Lines are joined with spaces, so a row printed over several lines reads as
    one; column headings and the unit are removed first. Each row is the text
    from its label to the next label.
    """
    if not lines:
        missing.append("funds")
        errors.append("funds: the 项目资金 block was not found")
        return None
    text = _FUNDS_NOISE_RE.sub(" ", " ".join(line.text for line in lines))
    marks = sorted(
        ((m.start(), m.end(), key) for key, rx in _FUNDS_ROW_RES.items() for m in [rx.search(text)] if m),
    )
    cells: dict[str, list[str]] = {}
    for (_, end, key), nxt in zip(marks, [*marks[1:], None], strict=False):
        cells[key] = [t for t in text[end : nxt[0] if nxt else len(text)].split() if t not in (":", "：")]

    funds: dict = {}
    if "total" not in cells:
        missing.append("funds.total")
        errors.append("funds.total: no 年度资金总额 row")
    else:
        total = _read_total_row(cells["total"], errors)
        if total is not None:
            funds["total"] = total

    right = _right_dash_count(cells)
    two_value_rows: list[str] = []
    for key in ("appropriation", "carryover", "other"):
        if key not in cells:
            missing.append(f"funds.{key}")
            funds[key] = {"budget_initial": None, "budget_final": None, "executed": None}
            continue
        row = _read_sub_row(key, cells[key], right, errors)
        if row is not None:
            funds[key] = row
            if row.pop("_two_values", False):
                two_value_rows.append(_FUNDS_LABELS[key])
    if two_value_rows:
        notes.append(
            f"funds: the {' and '.join(two_value_rows)} row(s) print only two amounts for three columns; read as "
            "年初预算数 empty (null), 全年预算数 and 全年执行数 the two values (a carry-over or other income is not "
            "known when the initial budget is set; the printed values align with the final/executed columns)"
        )
    if "total" in funds and all(k in funds for k in ("appropriation", "carryover", "other")):
        return {key: funds[key] for key in ("total", "appropriation", "carryover", "other")}
    return None


_FUNDS_LABELS = {
    "total": "年度资金总额",
    "appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}


def _amount(token: str) -> int | float | None:
    return None if _is_dash(token) else _number(token)


def _read_total_row(tokens: list[str], errors: list[str]) -> dict | None:
    """年度资金总额: 年初预算数 全年预算数 全年执行数 分值 执行率 得分.

    Six cells as printed. With only two amounts before 分值, the row is read
    (null, a, b) only if b / a is the printed 执行率 — otherwise it is refused.
    """
    bad = [t for t in tokens if not (_AMOUNT_RE.match(_nfkc(t)) or _PERCENT_RE.match(_nfkc(t)) or _is_dash(t))]
    if bad:
        errors.append(f"funds.total: cannot read {' '.join(bad)!r} in the 年度资金总额 row {' '.join(tokens)!r}")
        return None
    rate_at = next((i for i, t in enumerate(tokens) if _PERCENT_RE.match(_nfkc(t))), None)
    if rate_at is None and len(tokens) == 6:
        rate_at = 4
    if rate_at is None or rate_at < 1 or len(tokens) - rate_at > 2:
        errors.append(f"funds.total: cannot tell the columns of the 年度资金总额 row {' '.join(tokens)!r}")
        return None
    amounts, weight = tokens[: rate_at - 1], tokens[rate_at - 1]
    score = tokens[rate_at + 1] if rate_at + 1 < len(tokens) else None
    rate = None if _is_dash(tokens[rate_at]) else tokens[rate_at]
    if _is_dash(weight) or not _is_points(weight):
        errors.append(f"funds.total.weight: {weight!r} is not a 分值")
        return None
    if len(amounts) == 2 and rate is not None and not any(map(_is_dash, amounts)):
        two_final, two_executed = (_number(a) for a in amounts)
        computed = two_executed / two_final * 100 if two_final else None
        printed = float(_nfkc(rate).rstrip("%"))
        if computed is None or abs(computed - printed) > 0.01:
            errors.append(
                f"funds.total: two amounts {amounts} for three columns, "
                f"and their ratio is not the printed 执行率 {rate}"
            )
            return None
        amounts = ["—", *amounts]
    if len(amounts) != 3:
        errors.append(f"funds.total: {len(amounts)} amount(s) for the three budget columns in {' '.join(tokens)!r}")
        return None
    initial, final, executed = (_amount(a) for a in amounts)
    return {
        "budget_initial": initial,
        "budget_final": final,
        "executed": executed,
        "weight": _number(weight),
        "execution_rate": rate,
        "score": None if score is None or _is_dash(score) else _number(score),
    }


def _right_dash_count(cells: dict[str, list[str]]) -> int | None:
    """How many "—" a sub-row prints for the 分值/执行率/得分 columns, from a sub-row that shows it.

    A sub-row with three amounts followed by dashes shows the count (the seed
    prints one "—" for the merged cell); None when no sub-row shows it.
    """
    counts = []
    for key in ("appropriation", "carryover", "other"):
        tokens = cells.get(key, [])
        if len(tokens) >= 3 and all(_AMOUNT_RE.match(_nfkc(t)) for t in tokens[:3]) and all(map(_is_dash, tokens[3:])):
            counts.append(len(tokens) - 3)
    return max(set(counts), key=counts.count) if counts else None


def _read_sub_row(key: str, tokens: list[str], right: int | None, errors: list[str]) -> dict | None:
    """当年财政拨款 / 上年结转资金 / 其他资金: three amounts, then the dashes of the right-hand columns.

    The right-hand dashes are removed first: as many as another sub-row of the
    form shows after its three amounts, else every trailing dash. What is left:
    three cells are the three columns ("—" is an empty cell); two amounts are
    (null, 全年预算数, 全年执行数) — the layout of the seed's "上年结转资金 0 0 —", where
    the 年初预算数 cell is empty; no cell at all is an empty row. Anything else
    (one amount, two cells with a dash) is refused: it cannot be placed.
    """
    path = f"funds.{key}"
    bad = [t for t in tokens if not (_AMOUNT_RE.match(_nfkc(t)) or _is_dash(t) or _PERCENT_RE.match(_nfkc(t)))]
    if bad:
        errors.append(f"{path}: cannot read {' '.join(bad)!r} in the {_FUNDS_LABELS[key]} row {' '.join(tokens)!r}")
        return None
    cells = list(tokens)
    percent_at = next((i for i, t in enumerate(cells) if _PERCENT_RE.match(_nfkc(t))), None)
    if percent_at is not None:  # a sub-row printing its own 分值 and 执行率: amounts are before 分值
        cells = cells[:percent_at]
        cells = cells[:3] if len(cells) in (3, 4) else cells
    elif right is not None and len(cells) >= right and all(map(_is_dash, cells[len(cells) - right :])):
        cells = cells[: len(cells) - right]
    else:
        while cells and _is_dash(cells[-1]):
            cells.pop()
    if len(cells) == 3:
        initial, final, executed = (_amount(t) for t in cells)
        return {"budget_initial": initial, "budget_final": final, "executed": executed}
    if len(cells) == 2 and not any(map(_is_dash, cells)):
        return {
            "budget_initial": None,
            "budget_final": _number(cells[0]),
            "executed": _number(cells[1]),
            "_two_values": True,
        }
    if not cells or all(map(_is_dash, cells)):
        return {"budget_initial": None, "budget_final": None, "executed": None}
    errors.append(
        f"{path}: the amounts {' '.join(tokens)!r} of the {_FUNDS_LABELS[key]} row cannot be placed in "
        "the three columns (年初预算数 全年预算数 全年执行数)"
    )
    return None


# --------------------------------------------------------------------------- annual goal


@dataclass
class _Paragraph:
    """Consecutive non-blank lines of goal text; `width` is its widest line."""

    lines: list[str]

    @property
    def width(self) -> float:
        return max(_width(line.strip()) for line in self.lines)

    @property
    def one_line(self) -> bool:
        return len(self.lines) == 1

    @property
    def text(self) -> str:
        # Line breaks removed, nothing else changed (no-break and inner spaces stay).
        return "".join(self.lines).strip()


@dataclass
class _GoalParts:
    """The goal section split up: paragraphs under a column header, or texts under their own labels."""

    mode: str  # "columns": "预期目标 实际完成情况" then paragraphs; "labelled": "预期目标：…" / "实际完成情况：…";
    # "side": the two cells printed side by side on the same lines (layout text), split by column
    paragraphs: list[_Paragraph]
    labelled: list[tuple[str, list[str]]]
    unplaced: list[str]  # text before any header or label: it cannot be placed


def _goal_parts(lines: list[_Line]) -> _GoalParts:
    """Split the goal section (the 年度总体目标 label's pieces are dropped first)."""
    body = [line for line in lines if line.text not in _GOAL_LABEL_PIECES]
    head_at = next((i for i, line in enumerate(body) if _GOAL_HEADER_RE.match(_compact(line.text))), None)
    if (
        head_at is not None
        and _compact(body[head_at].text) == "预期目标"
        and head_at + 1 < len(body)
        and _compact(body[head_at + 1].text) in ("实际完成情况", "全年实际完成情况")
    ):
        head_at += 1  # the two column headings printed one per line
    if head_at is not None and "实际完成情况" in body[head_at].text:
        unplaced = [line.text for line in body[:head_at] if line.text and not _GOAL_START_RE.match(_compact(line.text))]
        side = _side_by_side([line for line in lines[lines.index(body[head_at]) + 1 :] if line.text])
        if side is not None:
            return _GoalParts("side", [], [("预期目标", side[0]), ("实际完成情况", side[1])], unplaced)
        paragraphs: list[_Paragraph] = []
        current: list[str] = []
        for line in [*body[head_at + 1 :], _Line(0, "")]:
            if line.text:
                current.append(line.raw)
            elif current:
                paragraphs.append(_Paragraph(current))
                current = []
        unplaced = [line.text for line in body[:head_at] if line.text and not _GOAL_START_RE.match(_compact(line.text))]
        return _GoalParts("columns", paragraphs, [], unplaced)
    labelled: list[tuple[str, list[str]]] = []
    unplaced = []
    for line in body:
        m = re.match(r"^\s*(预期目标|(?:全年)?实际完成情况)\s*[：:]?\s*(.*)$", line.raw)
        if m:
            labelled.append((m.group(1), [m.group(2)] if m.group(2).strip() else []))
        elif labelled and line.text:
            labelled[-1][1].append(line.raw)
        elif line.text:
            unplaced.append(line.text)
    return _GoalParts("labelled", [], labelled, unplaced)


_SEGMENT_RE = re.compile(r"\S+(?:\s{1,2}\S+)*")  # text separated from other text by 3+ spaces


def _side_by_side(lines: list[_Line]) -> tuple[list[str], list[str]] | None:
    """The 预期目标 and 实际完成情况 texts when printed side by side (text extracted with its layout).

    Each line then holds a left and a right segment apart by a run of spaces
    (the 年度总体目标 label's pieces at the far left are dropped). Read so only
    when most lines show two segments and none shows more; a line with one
    segment goes to the column where it starts. None when the text is not laid
    out in two columns.
    """
    rows = []
    for line in lines:
        segments = [(m.start(), m.group()) for m in _SEGMENT_RE.finditer(line.raw)]
        rows.append([(c, t) for c, t in segments if _compact(t) not in _GOAL_LABEL_PIECES])
    rows = [r for r in rows if r]
    two = [r for r in rows if len(r) == 2]
    if len(two) < 2 or 2 * len(two) < len(rows) or any(len(r) > 2 for r in rows):
        return None
    right_at = min(r[1][0] for r in two)
    if any(r[0][0] >= right_at for r in two):
        return None
    planned: list[str] = []
    achieved: list[str] = []
    for r in rows:
        for column, text in r:
            (achieved if column >= right_at - 2 else planned).append(text)
    return planned, achieved


@dataclass
class _GoalWidths:
    """Typical widths of the 预期目标 and 实际完成情况 columns in this document.

    Learnt from forms whose goal cell holds both texts (two paragraphs, planned
    first); used to place a form's lone goal text by the width of its column.
    """

    planned: float | None = None
    achieved: float | None = None

    @classmethod
    def of(cls, layouts: list[_Layout]) -> _GoalWidths:
        planned, achieved = [], []
        for layout in layouts:
            paragraphs = _goal_parts(layout.goal).paragraphs
            if len(paragraphs) == 2 and not any(p.one_line for p in paragraphs):
                planned.append(paragraphs[0].width)
                achieved.append(paragraphs[1].width)
        if not planned:
            return cls()
        p, a = statistics.median(planned), statistics.median(achieved)
        return cls(p, a) if max(p, a) / min(p, a) >= _GOAL_WIDTH_RATIO else cls()

    def column_of(self, paragraph: _Paragraph) -> str | None:
        """ "planned" or "achieved" by width; None when it cannot be told."""
        if self.planned is None or self.achieved is None:
            return None
        wide_is_planned = self.planned > self.achieved
        narrow, wide = sorted((self.planned, self.achieved))
        if paragraph.one_line and paragraph.width <= narrow * 1.1:
            return None  # a short single line fits either column
        nearer_wide = abs(math.log(paragraph.width / wide)) < abs(math.log(paragraph.width / narrow))
        return "planned" if nearer_wide == wide_is_planned else "achieved"


def _read_goal(
    lines: list[_Line], widths: _GoalWidths, missing: list[str], notes: list[str], errors: list[str]
) -> dict:
    """年度总体目标: the 预期目标 and 实际完成情况 texts (None where the cell is empty)."""
    goal: dict[str, str | None] = {"planned": None, "achieved": None}
    parts = _goal_parts(lines)
    if parts.unplaced:
        errors.append(f"annual_goal: text not under 预期目标 or 实际完成情况: {''.join(parts.unplaced)[:60]!r}")
    if parts.mode == "side":
        notes.append(
            "annual_goal: the 预期目标 and 实际完成情况 texts are printed side by side on the same lines; "
            "split at the column where the right-hand text starts"
        )
    if parts.mode in ("labelled", "side"):
        for label_text, texts in parts.labelled:
            key = "planned" if label_text == "预期目标" else "achieved"
            goal[key] = "".join(texts).strip() or None
    else:
        goal.update(_assign_goal_texts(parts.paragraphs, widths, notes, errors))
    for key in ("planned", "achieved"):
        if goal[key] is None:
            missing.append(f"annual_goal.{key}")
    return goal


def _assign_goal_texts(
    paragraphs: list[_Paragraph], widths: _GoalWidths, notes: list[str], errors: list[str]
) -> dict[str, str | None]:
    """Which paragraph after "预期目标 实际完成情况" is which.

    The two cells sit side by side; the extractor prints the left one (预期目标)
    first, then the right one. Rules:

    * two paragraphs: planned, then achieved — unless both are clearly in the same
      column by width (the document's other forms show each column's width), in
      which case they are one text broken by a blank line;
    * one paragraph: placed by the width of its lines against the document's two
      columns (the seed's form 3 prints only the narrow 实际完成情况 text). With
      no other form to compare with, it cannot be placed: an error, not a guess;
    * more paragraphs: each multi-line paragraph is placed by width, a one-line
      paragraph goes with the paragraph before it; the result must read
      planned… then achieved….
    """
    if not paragraphs:
        return {}
    if len(paragraphs) == 2:
        first, second = (widths.column_of(p) if not p.one_line else None for p in paragraphs)
        if first == second and first is not None:
            notes.append(
                f"annual_goal: two goal paragraphs, both as wide as the document's {first} column; read as one text"
            )
            return {first: paragraphs[0].text + paragraphs[1].text}
        return {"planned": paragraphs[0].text, "achieved": paragraphs[1].text}
    if len(paragraphs) == 1:
        column = widths.column_of(paragraphs[0])
        if column is None:
            errors.append(
                "annual_goal: only one goal text and no other form in the document to compare its column width "
                "with; cannot tell 预期目标 from 实际完成情况"
            )
            return {}
        other = "achieved" if column == "planned" else "planned"
        notes.append(
            f"annual_goal: only one text follows the 预期目标/实际完成情况 header; its lines are "
            f"{paragraphs[0].width:g} characters wide, like the document's {column} column "
            f"({getattr(widths, column):g}, the {other} column is {getattr(widths, other):g}): read as "
            f"{'预期目标' if column == 'planned' else '实际完成情况'}, the other cell empty"
        )
        return {column: paragraphs[0].text}
    columns: list[str | None] = [None if p.one_line else widths.column_of(p) for p in paragraphs]
    if all(c is None for c in columns):
        widest = max(p.width for p in paragraphs if not p.one_line) if any(not p.one_line for p in paragraphs) else 0
        narrowest = min((p.width for p in paragraphs if not p.one_line), default=0)
        if narrowest and widest / narrowest >= _GOAL_WIDTH_RATIO:
            cut = math.sqrt(widest * narrowest)
            columns = [None if p.one_line else ("planned" if p.width >= cut else "achieved") for p in paragraphs]
    for i, column in enumerate(columns):
        if column is None:
            columns[i] = columns[i - 1] if i else next((c for c in columns if c), None)
    if None in columns or columns != sorted(columns, key=lambda c: c != "planned"):
        errors.append(f"annual_goal: {len(paragraphs)} goal paragraphs whose columns cannot be told apart by width")
        return {}
    placed = [column for column in columns if column is not None]  # all of them: None was refused above
    notes.append(f"annual_goal: {len(paragraphs)} goal paragraphs placed by line width: {', '.join(placed)}")
    texts: dict[str, str | None] = {}
    for paragraph, column in zip(paragraphs, placed, strict=True):
        texts[column] = (texts.get(column) or "") + paragraph.text
    return texts


# --------------------------------------------------------------------------- indicator table: events


@dataclass
class _Label:
    level: int  # 1 or 2
    text: str  # as printed ("数量", "产出指标（50分）"): what the YAML keeps
    no: int
    inline: bool = False  # printed at the head of a row's line (so aligned with that row)
    canon: str = ""  # the canonical label (labels.py) the logic compares; `text` when none
    parent: str | None = None  # a 二级 label's 一级 (canonical), when not the usual one
    settled: bool = False  # the level of an ambiguous 成本指标 is decided (not for `_settle_cost_labels`)

    def __post_init__(self) -> None:
        self.canon = self.canon or self.text

    @property
    def parent1(self) -> str | None:
        """The canonical 一级 a 二级 label belongs to."""
        return self.parent or _LEVEL2_PARENT.get(self.canon)


@dataclass
class _Fragment:
    text: str
    no: int
    col: int = 0  # where the text starts on its line (meaningful in text extracted with its layout)


@dataclass
class _Anchor:
    """A line ending in 分值 and 得分: the end of an indicator row."""

    lead: list[str]  # the cells before 分值 on the same line (name, target, actual or fewer)
    weight: str
    score: str
    note: str
    no: int
    cols: list[int] = field(default_factory=list)  # where each lead cell starts on the line
    note_col: int | None = None
    gapped: bool = False  # cells apart by runs of spaces: text extracted with its layout (columns line up)


def _table_events(lines: list[_Line], notes: list[str] | None = None) -> list[_Label | _Fragment | _Anchor]:
    """Classify the table's lines (after its header) into labels, fragments and anchors.

    Labels are read at the head of a line (several in a row: 一级 then 二级); which
    printed words are labels in context is decided by `_label_at`. With a 序号
    column, the row number heading a row is dropped (`_strip_row_number`).
    Those readings are noted in `notes` when given.
    """
    notes = [] if notes is None else notes
    body, numbered = _skip_table_header(lines)
    if numbered:
        notes.append("indicators: the table has a 序号 column; the number heading each row is dropped")
    body = _join_split_labels(body)
    events: list[_Label | _Fragment | _Anchor] = []
    for line in body:
        if _compact(line.text) == _DEBRIS_WORD:
            continue  # the table's outer label printed horizontally: not a group
        indent = len(line.raw) - len(line.raw.lstrip())
        # the table's outer label printed at the head of its first row ("绩效指标 产出指标 数量指标 …")
        text = _OUTER_LABEL_RE.sub("", line.text)
        if _SPACED_CHARS_RE.match(text) and _compact(text) in _LABEL_FORMS:
            text = _compact(text)  # a label printed with its characters spaced out ("产 出 指 标")
        rest = _strip_row_number(text, events) if numbered else text
        while m := _LABEL_PREFIX_RE.match(rest):
            after = rest[m.end() :]
            label = _label_at(m, events, line.no, after, notes)
            if label is None:
                break  # the words are a name, not a label: the rest of the line is text
            events.append(label)
            rest = _strip_row_number(after, events) if numbered else after
        if rest:
            col = indent + len(line.text) - len(rest)
            events.append(_split_anchor(rest, line.no, col) or _Fragment(rest, line.no, col))
    _settle_cost_labels(events, notes)
    return events


def _label_at(m: re.Match, events: list, no: int, after: str, notes: list[str]) -> _Label | None:
    """The label printed at `m`, in the context of the events before it; None when it is text.

    * A 一级 label printed again right after itself ("满意度指标（10分） 满意度指标")
      is the 二级 cell written with the same words: a 二级 label under that 一级.
    * A 二级 label printed again right after itself is the next row's name
      ("服务对象满意度指标 / 服务对象满意度 ≥90% …"): text. Except an ambiguous 成本指标
      printed twice: the first is the 一级, the second its 二级.
    * A label printed without "指标" (数量, 成本, 满意度) alone on its line, right
      after text that is a name's first line (no row, no sentence since the last
      row or label), ends that name ("每公里养护" / "成本"): text.
    """
    printed = m.group(0).strip()
    canon, level = _LABEL_FORMS[m.group("label")]
    bare = not m.group("label").endswith("指标")
    inline = bool(after) and not _LABEL_PREFIX_RE.match(after)
    last = events[-1] if events else None
    if isinstance(last, _Label) and last.canon == canon:  # the same words printed twice in a row
        if level == 1 and last.level == 1:
            notes.append(
                f"indicators: line {no}: {printed} printed again right after the 一级 label {last.text}: "
                "read as the 二级 cell written with the same words"
            )
            return _Label(2, printed, no, inline, canon=canon, parent=canon)
        if level == 2 and last.level == 2:
            if canon == LEVEL1_COST and not last.settled:
                notes.append(
                    f"indicators: line {no}: {last.text} printed twice in a row: read as the 一级 成本指标 and its 二级"
                )
                last.level, last.settled = 1, True
                return _Label(2, printed, no, inline, canon=canon, parent=LEVEL1_COST, settled=True)
            notes.append(
                f"indicators: line {no}: {printed} right after the 二级 label {last.text}: read as the "
                "next row's 三级 name, not a label"
            )
            return None
    if bare and not after and events and isinstance(events[-1], _Fragment):
        text: list[str] = []
        for event in reversed(events):
            if not isinstance(event, _Fragment):
                opened_by_note = isinstance(event, _Anchor) and bool(event.note)
                break
            text.append(event.text)
        else:
            opened_by_note = False
        if not opened_by_note and not any(_SENTENCE_RE.search(t) or _value_like(t) for t in text):
            notes.append(
                f"indicators: line {no}: {printed!r} alone after the name line {text[0]!r}: read as the end "
                "of that name, not a label"
            )
            return None
    return _Label(level, printed, no, inline, canon=canon)


def _settle_cost_labels(events: list, notes: list[str]) -> None:
    """Is an ambiguous 成本指标 the 2021+ template's 一级 label, or the 二级 of 产出指标 (RULES §1)?

    一级 when a 二级 label of its own (经济成本指标, 社会成本指标, 生态环境成本指标) is
    the next or the previous label printed; also when it is printed after the
    效益指标 or 满意度指标 block (the 产出指标 block is over, so it cannot be one of
    its 二级 labels) — its rows then have no 二级 label, which `_finish` refuses.
    Otherwise the 二级 of 产出指标.
    """
    labels = [e for e in events if isinstance(e, _Label)]
    for i, label in enumerate(labels):
        if label.canon != LEVEL1_COST or label.settled or label.level != 2:
            continue
        neighbours = labels[i - 1 : i] + labels[i + 1 : i + 2]
        before = [n for n in labels[:i] if n.level == 1]
        after_output = any(n.level == 1 and n.canon == LEVEL1_ORDER[0] for n in labels[i + 1 :])
        if any(n.canon in COST_LEVEL2 for n in neighbours):
            label.level = 1
            notes.append(
                f"indicators: line {label.no}: {label.text} next to the 二级 labels of the 2021+ template's "
                "成本指标 block (经济/社会/生态环境成本指标): read as the 一级 label"
            )
        elif before and before[-1].canon in LEVEL1_ORDER[1:] and not after_output:
            label.level = 1
            notes.append(
                f"indicators: line {label.no}: {label.text} printed after the {before[-1].text} block: "
                "read as a 一级 label (the 2021+ template), not a 二级 of 产出指标"
            )


def _strip_row_number(text: str, events: list) -> str:
    """Drop the 序号 heading a row ("3 并发用户数 …", or "3" alone on its line).

    Only the number the next row should have (rows read + 1, also counted within
    the 一级 block, or 1 when numbering restarts) is dropped, and only where a
    row starts: not after a name's first line, where a lone number is a value.
    """
    head, _, rest = text.strip().partition(" ")
    if not head.isdigit():
        return text
    rows = within = 0
    for event in events:
        if isinstance(event, _Anchor):
            rows, within = rows + 1, within + 1
        elif isinstance(event, _Label) and event.level == 1:
            within = 0
    if int(head) not in (rows + 1, within + 1, 1):
        return text
    if events and isinstance(events[-1], _Fragment):
        since = []
        for event in reversed(events):
            if not isinstance(event, _Fragment):
                break
            since.append(event.text)
        if not _SENTENCE_RE.search(since[0]):  # a note ending in punctuation may precede the number
            return text
    return rest.strip()


def _skip_table_header(lines: list[_Line]) -> tuple[list[_Line], bool]:
    """Drop the column headings (一级指标 … 偏差原因分析及改进措施), however they are broken.

    The headings open the table and may be repeated after a page break: a line
    of heading words holding "一级指标" starts a heading block, which runs while
    lines hold heading words only. Also says whether the headings have a 序号
    (row number) column.
    """
    out: list[_Line] = []
    in_heading = True
    numbered = False
    for line in lines:
        if not line.text:
            continue
        if "一级指标" in line.text and _TABLE_HEADER_RE.fullmatch(line.text):
            in_heading = True
            numbered = numbered or "序号" in line.text
        elif not (in_heading and _TABLE_HEADER_RE.fullmatch(line.text)):
            in_heading = False
            out.append(line)
        else:
            numbered = numbered or "序号" in line.text
    return out, numbered


def _join_split_labels(lines: list[_Line]) -> list[_Line]:
    """Join a label broken across two lines ("可持续影响" / "指标 …") back into one line.

    Only into a label with its "指标" suffix: a name's first line followed by a
    short line is not joined into a suffix-less label.
    """
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        text = _compact(lines[i].text)
        if i + 1 < len(lines) and any(label.startswith(text) and label != text for label in _LABELS):
            joined = text + lines[i + 1].text
            m = _LABEL_PREFIX_RE.match(joined)
            if m and len(m.group("label")) > len(text) and m.group("label").endswith("指标"):
                out.append(_Line(lines[i].no, joined))
                i += 2
                continue
        out.append(lines[i])
        i += 1
    return out


def _split_anchor(text: str, no: int, col: int = 0) -> _Anchor | None:
    """The rightmost pair of bare numbers (分值 得分); what follows them is the deviation note.

    A 得分 of "—" is accepted only when no pair of numbers exists on the line.
    `col` is where `text` starts on its line; the cells' columns are kept.
    """
    spans = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    tokens = [s[0] for s in spans]
    pick = None
    for j in range(len(tokens) - 1, 0, -1):
        if _is_points(tokens[j - 1]) and _is_points(tokens[j]):
            pick = j
            break
    if pick is None:
        for j in range(len(tokens) - 1, 0, -1):
            if _is_points(tokens[j - 1]) and _is_dash(tokens[j]):
                pick = j
                break
    if pick is None:
        return None
    note = text[spans[pick][2] :].strip()
    gaps = sum(1 for a, b in itertools.pairwise(spans[: pick + 1]) if b[1] - a[2] >= 3)
    return _Anchor(
        lead=tokens[: pick - 1],
        weight=tokens[pick - 1],
        score=tokens[pick],
        note=note,
        no=no,
        cols=[col + s[1] for s in spans[: pick - 1]],
        note_col=col + spans[pick + 1][1] if note else None,
        gapped=gaps >= 2,
    )


def _name_wrap_width(layouts: list[_Layout]) -> float | None:
    """The width at which the document wraps 三级指标 names, learnt from unambiguous rows.

    A row whose target and actual are on its anchor line has only name text
    before it; if that text spans several lines, every line but the last is a
    full-width line of the name column. Text that may be the previous row's
    deviation note (after a row with a note, or with sentence punctuation) is
    not used. The most common such width is the wrap width; a line that wide is
    continued by the next line.
    """
    widths: list[float] = []
    for layout in layouts:
        pending: list[_Fragment] = []
        after_note = False  # the text follows a row with a deviation note: it may continue that note
        for event in _table_events(layout.table):
            if isinstance(event, _Fragment):
                pending.append(event)
                continue
            if (
                isinstance(event, _Anchor)
                and len(event.lead) == 2
                and len(pending) >= 2
                and not after_note
                and not any(_SENTENCE_RE.search(f.text) for f in pending)
            ):
                widths.extend(_width(f.text) for f in pending[:-1])
            pending = []
            after_note = isinstance(event, _Anchor) and bool(event.note)
    if not widths:
        return None
    counts = {w: widths.count(w) for w in widths}
    return max(counts, key=lambda w: (counts[w], w))  # the most common; the wider on a tie


# --------------------------------------------------------------------------- indicator table: rows


@dataclass
class _Row:
    name: str
    target: str
    actual: str
    weight: float
    score: float | None
    note: str | None
    level1: str | None  # canonical labels, for the logic
    level2: str | None
    no: int
    own_label: bool  # a 二级 label was printed just before this row (it starts a group)
    run_together: bool  # name, target and actual printed on one line with 分值/得分
    level1_text: str | None = None  # the labels as printed, for the YAML
    level2_text: str | None = None


class _TableReader:
    """Turn the table's events into indicator rows, deciding which labels apply to which rows.

    State: the current 一级 and 二级 labels, the fragments gathered since the last
    row ("pending"), whether they started right after a row (they may be that
    row's deviation note), and the rows read so far (labels may apply back to
    them).
    """

    def __init__(self, lines: list[_Line], name_width: float | None, notes: list[str], errors: list[str]):
        self.events = _table_events(lines, notes)
        self.name_width = name_width
        self.notes = notes
        self.errors = errors
        self.rows: list[_Row] = []
        self.rows_ok = True
        self.level1: str | None = None  # canonical
        self.level2: str | None = None
        self.level1_text: str | None = None  # as printed (None: the block's 一级 label is not printed yet)
        self.level2_text: str | None = None
        self.block_start = 0  # index of the first row under the current 一级 label
        self.label_before_row = False
        self.centred: list[tuple[int, _Label]] = []  # (row index, label printed right after it): rule 2 below
        self.columns: dict[str, int] = {}  # layout text: where the last row's cells start (`_layout_tails`)

    # ---- driver

    def read(self, closed: bool) -> list[dict]:
        pending: list[_Fragment] = []
        after_row = False  # pending started right after a row (no label since)
        for index, event in enumerate(self.events):
            if isinstance(event, _Fragment):
                if _UNKNOWN_LABEL_RE.match(event.text):
                    self._error(
                        f"indicators: line {event.no}: {event.text!r} looks like a 二级指标 label that is not "
                        "in the allowed list (RULES §1); cannot place the rows under it"
                    )
                pending.append(event)
            elif isinstance(event, _Label):
                if after_row and pending:
                    nxt = next((e for e in self.events[index + 1 :] if not isinstance(e, _Label)), None)
                    pending = self._layout_tails(pending, nxt)
                if after_row and pending:
                    pending = self._take_note(pending, need=0)
                if event.level == 1:
                    self._on_level1(event)
                else:
                    self._on_level2(event, index, right_after_row=after_row and not pending)
                after_row = False
            else:
                if after_row and pending:
                    pending = self._layout_tails(pending, event)
                if after_row and pending:
                    pending = self._take_note(pending, need=_cells_needed(event.lead))
                self._add_row(pending, event)
                pending = []
                after_row = True
        if after_row and pending:
            pending = self._layout_tails(pending, None)
        if after_row and pending:
            pending = self._take_note(pending, need=0)
        if pending:
            text = " / ".join(f.text for f in pending)
            if closed:
                self._error(f"indicators: text before 总分 that belongs to no row (no 分值/得分 found): {text!r}")
            else:
                self.notes.append(f"indicators: the text ends inside a row; not read: {text!r}")
        return self._finish()

    def _error(self, message: str) -> None:
        self.errors.append(message)
        self.rows_ok = False

    # ---- labels

    def _on_level1(self, label: _Label) -> None:
        """A 一级 label: rows read so far without one take it (it was centred below them).

        Rows already placed in its block without its printed words (the block was
        opened by a 二级 label printed above it, rule 3 of `_on_level2`) take them.
        """
        for row in self.rows:
            if row.level1 is None or (row.level1 == label.canon and row.level1_text is None):
                row.level1, row.level1_text = label.canon, label.text
        if label.canon == self.level1:
            self.level1_text = self.level1_text or label.text
            return  # printed again (a page break, or centred after an early switch): same block
        self.level1, self.level1_text = label.canon, label.text
        self.level2 = self.level2_text = None
        self.block_start = len(self.rows)

    def _on_level2(self, label: _Label, index: int, right_after_row: bool) -> None:
        """A 二级 label, and the rows it applies to besides the next one.

        A merged 二级 cell is printed where the extractor meets it, which is not
        always above its first row. Rules:

        1. Rows of the current 一级 block read before any 二级 label have no group
           of their own: the label printed after them is centred on a block that
           includes them, so it applies to them (certain).
        2. A label printed on its own line right after a row whose cells share
           one line with its name ("评审会议召开及时性 及时 及时 3 3"), where that
           row did not start its group, may be centred on a two-row block holding
           that row and the next. Decided in `_settle_centred` once the whole
           table is read. (A label printed at the head of a row's line is aligned
           with that row: it starts there.)
        3. A label whose 一级 is not the current one (社会效益指标 under 产出指标),
           when the next 一级 label printed is its own, belongs to that 一级 block,
           whose label was centred lower down (seed form 7): the block switches
           here. If the next 一级 label is another one (or none), the label stays
           under the printed 一级, with a note (the audit flags the pair).
        """
        parent = label.parent1
        if parent and self.level1 is not None and parent != self.level1:
            if self._level1_follows(index, parent):
                self.notes.append(
                    f"indicators: line {label.no}: 二级 {label.text} is printed before its 一级 label {parent} "
                    f"(centred lower on the merged cell); the {parent} block starts here"
                )
                self.level1, self.level1_text = parent, None
                self.level2 = self.level2_text = None
                self.block_start = len(self.rows)
            else:
                self.notes.append(
                    f"indicators: line {label.no}: 二级 {label.text} printed under 一级 "
                    f"{self.level1_text or self.level1}; kept as printed"
                )
        if self.level1 is None and parent:
            self.level1 = parent
        for row in self.rows[self.block_start :]:
            if row.level2 is None:
                row.level2, row.level2_text = label.canon, label.text
                if row.level1 is None:
                    row.level1, row.level1_text = self.level1, self.level1_text
                self.notes.append(
                    f"indicators: {row.name}: printed before any 二级 label of its 一级 block; takes the label "
                    f"{label.text} printed after it (a centred merged cell)"
                )
        last = self.rows[-1] if self.rows else None
        if (
            right_after_row
            and not label.inline
            and last is not None
            and last.run_together
            and not last.own_label
            and len(self.rows) - 1 >= self.block_start
            and last.level2 not in (None, label.canon)
        ):
            self.centred.append((len(self.rows) - 1, label))
        self.level2, self.level2_text = label.canon, label.text
        self.label_before_row = True

    def _level1_follows(self, index: int, parent: str) -> bool:
        """Is `parent` the next 一级 label printed after this 二级 label?"""
        for event in self.events[index + 1 :]:
            if isinstance(event, _Label) and event.level == 1:
                return event.canon == parent
        return False

    def _settle_centred(self) -> None:
        """Rule 2 of `_on_level2`: does a row printed right before a label belong to it?

        The layout cannot tell: the label may start a group at the next row, or be
        centred on a block of this row and the next. A row whose name, target
        and actual share one line is a single-line row in a table that otherwise
        prints names above their values — a sign of a vertically centred layout,
        but only when such rows are the exception (under half the rows). Then
        the row's name decides, as a person reading the form would: it moves to
        the new group only if its name says so (及时/时间/响应 → 时效指标 …) and
        does not say its current group. Either way a note records the reading.
        """
        if 2 * sum(r.run_together for r in self.rows) >= len(self.rows):
            for at, label in self.centred:
                row = self.rows[at]
                self.notes.append(
                    f"indicators: {row.name}: the label {label.text} is printed between this row and the next; most "
                    f"rows of this table print their cells on one line, so the layout gives no sign of a centred "
                    f"label: read as starting at the next row; {row.name} kept in {row.level2_text}"
                )
            return
        for at, label in self.centred:
            row = self.rows[at]
            if _hints(row.name, label.canon) and not _hints(row.name, row.level2):
                self.notes.append(
                    f"indicators: {row.name}: the label {label.text} is printed right after this row (its cells on "
                    f"one line), i.e. centred on a merged cell covering it and the next row; its name says "
                    f"{label.text}: read as {label.text}, not {row.level2_text}"
                )
                row.level2, row.level2_text = label.canon, label.text
            else:
                self.notes.append(
                    f"indicators: {row.name}: the label {label.text} printed right after this row could be centred "
                    f"on it too; its name does not say {label.text}: kept in {row.level2_text}"
                )

    # ---- rows

    def _layout_tails(self, pending: list[_Fragment], nxt: _Fragment | _Anchor | None) -> list[_Fragment]:
        """In text extracted with its layout, lines after a row that continue its cells, by column.

        There a row's cells are apart by runs of spaces and a wrapped cell's next
        line starts in the same column. A line under the row's 年度指标值, 实际完成值
        or deviation note continues that cell. A line under its 三级指标 name may end
        that name or start the next row's: when the next row prints a name of its
        own on its 分值/得分 line (`nxt`, the next event after any labels) both
        readings give a name, and the layout cannot tell them apart: an error.
        Other lines are left to the next row.
        """
        if not self.columns or not self.rows or not pending:
            return pending
        row = self.rows[-1]
        rest = list(pending)

        def cell_at(col: int) -> str | None:
            return next((key for key, at in self.columns.items() if abs(col - at) <= 1), None)

        while rest:
            fragment = rest[0]
            segments = [(fragment.col + m.start(), m.group()) for m in _SEGMENT_RE.finditer(fragment.text)]
            cells = [cell_at(col) for col, _ in segments]
            if cells and all(cell in ("target", "actual", "note") for cell in cells):
                for cell, (_, text) in zip(cells, segments, strict=True):
                    assert cell is not None  # every cell is target, actual or note
                    if cell == "note":
                        row.note = (row.note or "") + text
                    else:
                        setattr(row, cell, getattr(row, cell) + text)
                    self.notes.append(
                        f"indicators: {row.name}: line {fragment.no} {text!r} is printed under the "
                        f"row's {_CELL_NAMES[cell]} (same column): read as its continuation"
                    )
                rest.pop(0)
                continue
            cell = cells[0] if len(cells) == 1 else None
            if cell == "name" and isinstance(nxt, _Anchor) and len(_merge_tokens(nxt.lead)) >= 3:
                self._error(
                    f"indicators: line {fragment.no}: {fragment.text!r} is printed in the 三级指标 column "
                    f"between the row {row.name} and the next, which has a name of its own: it may end "
                    "the name above or begin the name below; cannot tell"
                )
                rest.pop(0)
                continue
            break
        return rest

    def _take_note(self, pending: list[_Fragment], need: int) -> list[_Fragment]:
        """Move the leading fragments that continue the last row's deviation note onto it.

        Text right after a row (before the next label or row) starts with that
        row's note when the note's cell wraps. The note takes:

        * every fragment up to the last one with sentence punctuation (，。；…),
          as long as `need` fragments are left for the next row's own cells;
        * when a label follows (need 0) and the note so far stops mid-sentence,
          everything before the label;
        * then, while the note still stops mid-sentence, a fragment narrower than
          the document's name column (a wrapped name line is full width) that
          is followed by the next row's name.

        Names never hold ，。；, so a name is not swallowed; what is left is the
        next row's text. Returns that rest.
        """
        if not self.rows:
            return pending
        row = self.rows[-1]
        cut = 0
        for i, fragment in enumerate(pending):
            if _SENTENCE_RE.search(fragment.text) and len(pending) - (i + 1) >= need:
                cut = i + 1

        def open_note() -> bool:
            note = (row.note or "") + "".join(f.text for f in pending[:cut])
            return bool(note) and not note.endswith(_NOTE_CLOSED_END)

        if need == 0 and open_note():
            cut = len(pending)
        while (
            open_note()
            and self.name_width is not None
            and len(pending) - cut > max(need, 1)
            and _width(pending[cut].text) < self.name_width - 0.5
            and not _value_like(pending[cut].text)
        ):
            cut += 1
        if cut:
            row.note = (row.note or "") + "".join(f.text for f in pending[:cut])
            self.notes.append(
                f"indicators: {row.name}: deviation note continues over {cut} more line(s) "
                f"(lines {_ranges([f.no for f in pending[:cut]])})"
            )
        return pending[cut:]

    def _add_row(self, pending: list[_Fragment], anchor: _Anchor) -> None:
        where = f"indicators: line {anchor.no}"
        cells = self._split_cells(pending, anchor, where)
        if cells is None:
            self.rows_ok = False
            return
        name, target, actual, run_together = cells
        weight = _number(anchor.weight)
        score = None if _is_dash(anchor.score) else _number(anchor.score)
        if not 0 < weight <= 100:
            self._error(f"{where}: {name}: 分值 {anchor.weight} is outside 0-100; the row is probably misread")
            return
        if score is not None and score > 100:
            self._error(f"{where}: {name}: 得分 {anchor.score} is above 100; the row is probably misread")
            return
        if score is None:
            self.notes.append(f"{where}: {name}: 得分 printed as {anchor.score!r}; read as empty")
        note = anchor.note or None
        if note is not None and _is_dash(note):
            note = None
        self.rows.append(
            _Row(
                name,
                target,
                actual,
                weight,
                score,
                note,
                self.level1,
                self.level2,
                anchor.no,
                own_label=self.label_before_row,
                run_together=run_together,
                level1_text=self.level1_text,
                level2_text=self.level2_text,
            )
        )
        self.columns = {}
        lead = _merge_cells(anchor.lead, anchor.cols)
        if anchor.gapped and len(lead) >= 2:
            self.columns = {"target": lead[-2][1], "actual": lead[-1][1]}
            if len(lead) >= 3:
                self.columns["name"] = lead[0][1]
            elif pending:
                self.columns["name"] = pending[0].col
            if anchor.note_col is not None:
                self.columns["note"] = anchor.note_col
        self.label_before_row = False

    def _split_cells(self, pending: list[_Fragment], anchor: _Anchor, where: str) -> tuple[str, str, str, bool] | None:
        """Name, target and actual of a row from its fragments and the cells on its anchor line.

        Cells are in column order, so the anchor line holds the rightmost ones.
        With two or more cells on it, they end in target and actual and the rest
        (and every line before) is the name. With fewer, the lines before are cut:
        the name first (a line as wide as the name column, or a lone character,
        continues it), then the target (a unit alone, "套", continues it), then
        the actual (the rest; a number cut by a line break is rejoined). Cells
        that cannot be told apart are an error, never a guess.
        """
        lead = _merge_tokens(anchor.lead)
        frags = [f.text for f in pending]
        if not frags and len(lead) == 2 and (m := _SIGN_SPLIT_RE.match(lead[0])):
            self.notes.append(f"{where}: name and target printed without a space ({lead[0]!r}); split at the sign")
            lead = [m.group("name"), m.group("target"), lead[1]]
        if len(lead) >= 2:
            name_parts = frags + lead[:-2]
            if len(lead) > 3 or (len(lead) == 3 and frags and _value_like(lead[0])):
                self.errors.append(
                    f"{where}: {len(lead)} cells before 分值 ({' '.join(lead)!r}); cannot tell name, "
                    "target and actual apart"
                )
                return None
            target, actual = lead[-2], lead[-1]
            run_together = not frags and len(lead) == 3
        else:
            split = self._split_fragments(frags, lead, where)
            if split is None:
                return None
            name_parts, target, actual = split
            run_together = False
        name = "".join(name_parts).strip()
        if not name:
            self.errors.append(
                f"{where}: a row without a 三级指标 name ({' '.join(lead)!r} {anchor.weight} {anchor.score})"
            )
            return None
        if any(
            _SIGN_START_RE.match(token) or (len(part.split()) > 1 and _value_like(token))
            for part in name_parts
            for token in part.split()
        ):
            self.errors.append(
                f"{where}: the name {name!r} holds a value: the cells are out of order, or a row "
                "above lacks its 分值/得分"
            )
            return None
        if _SENTENCE_RE.search(name):
            self.errors.append(
                f"{where}: the name {name!r} reads as a sentence (a deviation note or an actual "
                "that could not be placed?)"
            )
            return None
        return name, target, actual, run_together

    def _split_fragments(self, frags: list[str], lead: list[str], where: str) -> tuple[list[str], str, str] | None:
        """Cut the lines before an anchor with fewer than two cells into name, target and actual."""
        frags = [piece for text in frags for piece in _cells_of(text)]
        need = 2 - len(lead)  # cells still to find after the name: target (and actual)
        if len(frags) < 1 + need:
            self.errors.append(f"{where}: too few cells for name, target and actual ({' / '.join(frags + lead)!r})")
            return None
        end = 1
        while len(frags) - end > need and self._continues_name(frags[end - 1], frags[end]):
            end += 1
        name, rest = frags[:end], frags[end:]
        if lead:
            actual = lead[0]
            if len(rest) >= 2 and _number_split(rest[-1], actual):
                actual = rest.pop() + actual
            target_parts = rest
        else:
            cut = 1
            while cut < len(rest) - 1 and _UNIT_ONLY_RE.match(rest[cut]):
                cut += 1
            target_parts, actual_parts = rest[:cut], rest[cut:]
            for before, after in itertools.pairwise(actual_parts):
                if (
                    _value_like(before)
                    and _value_like(after)
                    and not _number_split(before, after)
                    and not _UNIT_ONLY_RE.match(after)
                ):
                    self.errors.append(
                        f"{where}: several values where one 实际完成值 should be "
                        f"({' / '.join(actual_parts)!r}); the cells are out of order"
                    )
                    return None
            actual = "".join(actual_parts)
            if len(actual_parts) > 1:
                self.notes.append(f"{where}: {''.join(name)}: 实际完成值 joined from {len(actual_parts)} lines")
        target = target_parts[0] if target_parts else ""
        for part in target_parts[1:]:
            if not (_UNIT_ONLY_RE.match(part) or _number_split(target, part)):
                self.errors.append(f"{where}: cannot tell where the target ends in {' / '.join(target_parts)!r}")
                return None
            target += part
        if not target or not _plausible_target(target):
            self.errors.append(f"{where}: {''.join(name)}: {target!r} does not read as a target (年度指标值)")
            return None
        if len(target_parts) > 1:
            self.notes.append(f"{where}: {''.join(name)}: target {target!r} joined from {len(target_parts)} lines")
        return name, target, actual

    def _continues_name(self, before: str, text: str) -> bool:
        """Is `text` the rest of a name wrapped after `before`?"""
        if _value_like(text) or text in _QUALITATIVE_TARGETS:
            return False
        if len(text) == 1:
            return True
        return self.name_width is not None and _width(before) >= self.name_width - 0.5

    # ---- end

    def _finish(self) -> list[dict]:
        self._settle_centred()
        indicators = []
        for row in self.rows:
            if row.level2 is None:
                under = f"under 一级 {row.level1_text or row.level1}: " if row.level1 else ""
                self._error(
                    f"indicators: {row.name}: no 二级指标 label applies to this row ({under}a label cell "
                    "spanning both label columns, or a label the text lost?)"
                )
                continue
            level1 = row.level1 or _LEVEL2_PARENT.get(row.level2)
            if level1 is None:
                self._error(f"indicators: {row.name}: no 一级指标 label applies to this row")
                continue
            indicators.append(
                {
                    "level1": row.level1_text or level1,
                    "level2": row.level2_text or row.level2,
                    "name": row.name,
                    "target": row.target,
                    "actual": row.actual,
                    "weight": row.weight,
                    "score": row.score,
                    "deviation_note": row.note,
                }
            )
        return indicators


def _cells_needed(lead: list[str]) -> int:
    """How many fragments a row needs before an anchor with these cells: name, target, actual."""
    lead = _merge_tokens(lead)
    if len(lead) == 2 and _SIGN_SPLIT_RE.match(lead[0]):
        return 0
    return max(0, 3 - len(lead))


def _merge_tokens(tokens: list[str]) -> list[str]:
    """Rejoin a cell the extractor split at a space: a lone sign ("≥ 90%"), a lone unit ("38 场")."""
    return [token for token, _ in _merge_cells(tokens, [0] * len(tokens))]


def _merge_cells(tokens: list[str], cols: list[int]) -> list[tuple[str, int]]:
    """`_merge_tokens` keeping where each cell starts."""
    out: list[tuple[str, int]] = []
    for token, col in zip(tokens, cols, strict=False):
        if out and (_LONE_SIGN_RE.match(out[-1][0]) or (_UNIT_ONLY_RE.match(token) and out[-1][0][-1:].isdigit())):
            out[-1] = (out[-1][0] + " " + token, out[-1][1])
        else:
            out.append((token, col))
    return out


def _cells_of(text: str) -> list[str]:
    """A line of several values ("完善 完善") is several cells; any other line is one."""
    tokens = _merge_tokens(text.split())
    if len(tokens) > 1 and all(_value_like(t) or t in _QUALITATIVE_TARGETS for t in tokens):
        return tokens
    return [text]


# --------------------------------------------------------------------------- total and checks


def _read_total(
    line: _Line, missing: list[str], notes: list[str], errors: list[str]
) -> tuple[float | None, float | None]:
    """总分: 100 and the total score. One number alone is refused as the total score."""
    match = _TOTAL_RE.match(line.text)
    assert match is not None, "called on a 总分 line"
    rest = match.group("rest")
    tokens = [re.sub(r"(?<=\d)分$", "", t) for t in rest.split() if not _is_dash(t)]  # "100分" is 100
    numbers = [t for t in tokens if _AMOUNT_RE.match(_nfkc(t))]
    if len(numbers) >= 2 and tokens[:2] == numbers[:2]:
        return _number(numbers[0]), _number(numbers[1])
    missing.append("total_score")
    notes.append(f"总分 row (line {line.no}) {line.text!r}: no 分值 and 得分 pair; total score left empty")
    return (_number(numbers[0]) if len(numbers) == 1 else None), None


def _check_sums(data: dict, total_weight: float | None, rows_ok: bool, notes: list[str], errors: list[str]) -> None:
    """Weights that do not add up to the 总分 row's 分值 mean a misread row (or a broken form): refuse.

    Scores that do not add up to the total score are left to the audit (forms
    round), with a note.
    """
    if not rows_ok or not data.get("indicators") or "funds" not in data:
        return
    funds_total = data["funds"]["total"]
    weights = sum(i["weight"] for i in data["indicators"]) + funds_total["weight"]
    if total_weight is not None and abs(weights - total_weight) > 1e-6:
        errors.append(
            f"weights: 分值 of the rows and the budget add up to {weights:g}, the 总分 row says {total_weight:g}; "
            "a row may be misread (or the form's weights are wrong)"
        )
    scores = [i["score"] for i in data["indicators"]] + [funds_total.get("score")]
    total_score = data.get("total_score")
    if total_score is not None and None not in scores and abs(sum(scores) - total_score) > 0.005:
        notes.append(
            f"scores: the rows and the budget score add up to {sum(scores):g}, the 总分 row says {total_score:g}"
        )


# --------------------------------------------------------------------------- the 四川 template
#
# 四川 "部门预算项目支出绩效自评表" (大英县, 青神县 … 2022-2024) is laid out differently from the
# national form: 项目基本情况 (年度目标 / 完成情况 / 实施内容及过程概述), 预算执行情况 with 年初预算 /
# 调整后预算数 / 预算执行数 / 预算执行率 / 权重 / 得分 / 原因 and the rows 总额, 财政资金, 财政专户管理资金,
# 单位资金, 其他资金; an indicator table with 指标性质 / 指标值 / 度量单位 / 完成值 / 权重 / 得分 /
# 未完成原因分析; 合计; then 评价结论 / 存在问题 / 改进措施 and the signatures. It is recognised by
# its funds headings and read by its own reader; every mapping decision is a note (a YAML comment).

_SC_MARK_RE = re.compile(r"预算执行情况|调整后预算数")
_SC_BASIC_RE = re.compile(r"^项目基本情况")
_SC_FUNDS_RE = re.compile(r"^预算执行情况")
_SC_TABLE_RE = re.compile(r"^(?:(?:绩效指标(?:[（(]\d+分[）)])?)?一级指标|绩效指标(?:[（(]\d+分[）)])?$)")
_SC_TOTAL_RE = re.compile(r"^合\s*计(?=\s|$|\d)\s*(?P<rest>.*)$")
_SC_CODE_NAME_RE = re.compile(r"^(?P<code>\d{6,}[A-Z]\d{6,})\s*[-－—]\s*(?P<rest>\S.*)$")
_SC_GOAL_LABEL_RE = re.compile(r"项目基本情况|1\s*[.．、]\s*项目年度目标完成情况|项目年度目标|年度目标完成情况")
_SC_OVERVIEW_RE = re.compile(r"2\s*[.．、]\s*项目实施内容及过程概述")
_SC_SUBROWS = (
    (
        "appropriation",
        "财政资金",
        re.compile(r"其\s*中\s*[:：]?\s*财\s*政\s*资\s*金|财\s*政\s*资\s*金(?=\s+[\d/／—-])"),
    ),
    ("special", "财政专户管理资金", re.compile(_spaced("财政专户管理资金"))),
    ("unit_funds", "单位资金", re.compile(_spaced("单位资金"))),
    ("other", "其他资金", re.compile(_spaced("其他资金") + r"(?!\s*包括)")),
)
# The template's help text in the 原因 cell ("1.预算执行率=预算执行数/调整后预算数,…银行贷款."): not a reason.
_SC_HELP_RE = re.compile(r"1\s*[.．、]\s*预算执行率\s*[=＝].*?(?:银行贷款\s*[。.．]?|$)", re.S)
_SC_HEADER_WORDS_RE = re.compile(
    r"^(?:\s|绩效指标(?:[（(]\d+分[）)])?|一级指标|二级指标|三级指标|指标性质|指标值|度量单位|完成值|权重|得分|"
    r"未完成原因分析|未完成原因|原因分析|分析)+$"
)
_SC_NATURE = frozenset({"=", "＝", "≥", "≤", ">", "<", "≧", "≦", "＞", "＜", ">=", "<=", "定性"})
_SC_GLUED_SIGN_RE = re.compile(r"^(?P<sign>[≥≤≧≦><=＞＜＝])(?P<rest>\d.*)$")
_SC_LEVEL_LABELS = [name for name in (*LEVEL1_ORDER, LEVEL1_COST, *_LEVEL2_PARENT) if name.endswith("指标")]
_SC_LABEL_RE = re.compile(
    r"^(?P<label>"
    + "|".join(map(re.escape, sorted(_SC_LEVEL_LABELS, key=len, reverse=True)))
    + r")(?:[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)])?$"
)


def _sc_label_name(text: str) -> str:
    """The label of a 一级/二级 cell without its points: "产出指标(50分)" is "产出指标"."""
    match = _SC_LABEL_RE.match(text)
    assert match is not None, "called on a label"
    return match.group("label")


_SC_LEVEL1 = frozenset((*LEVEL1_ORDER,))
_SC_AFTER_RE = re.compile(r"(评价结论|存在问题|改进措施|项目负责人|财务负责人|填报人|联系电话|填报日期)\s*[:：]?")


def _is_sichuan(chunk: list[_Line]) -> bool:
    """The 四川 template: its funds block is headed 预算执行情况 / 调整后预算数 (the national one never is)."""
    return any(_SC_MARK_RE.search(_compact(line.text)) for line in chunk[:80])


def _sc_join(lines: list[_Line]) -> str:
    """A cell's lines joined without a separator (Chinese wraps without spaces); inner spaces kept."""
    return "".join(line.text for line in lines).strip()


def _read_sichuan_form(chunk: list[_Line], seq: int, source: str, taken: set[str]) -> ImportedForm:
    missing: list[str] = []
    notes: list[str] = ["template: 四川 部门预算项目支出绩效自评表 (项目基本情况 / 预算执行情况 / 指标性质 layout)"]
    errors: list[str] = []
    data: dict = {}

    title = chunk[:1]
    rest = chunk[1:]
    if rest and _YEAR_LINE_RE.match(rest[0].text):
        title, rest = chunk[:2], chunk[2:]
    pages = [line.no for line in rest if _PAGE_NO_RE.match(line.text)]
    rest = [line for line in rest if not _PAGE_NO_RE.match(line.text)]
    lines, debris = _drop_debris(rest)
    if pages:
        notes.append(f"page numbers (lines {_ranges(pages)}) dropped")
    if debris:
        notes.append(f"page-break debris (lines {_ranges(debris)}): 绩效指标 printed one character per line; dropped")

    # Cut into sections by their marker lines: header → basic → funds → table → 合计 → after.
    sections: dict[str, list[_Line]] = {"header": [], "basic": [], "funds": [], "table": [], "after": []}
    state, total_line = "header", None
    for i, line in enumerate(lines):
        compact = _compact(line.text)
        if state == "table" and (total_match := _SC_TOTAL_RE.match(line.text)):
            total_line = _total_line(line, lines[i + 1 :]) if not total_match.group("rest") else line
            sections["after"] = [x for x in lines[i + 1 :] if x.no > total_line.no or x is not line]
            break
        if state == "header" and _SC_BASIC_RE.match(compact):
            state = "basic"
        elif state in ("header", "basic") and _SC_FUNDS_RE.match(compact):
            state = "funds"
        elif state in ("header", "basic", "funds") and _SC_TABLE_RE.match(compact):
            state = "table"
        sections[state].append(line)

    # Header.
    header = _read_header(sections["header"])
    name = header.get("name")
    code = _SC_CODE_NAME_RE.match(name) if name else None
    if code:
        data["id"] = slug(code.group("code"), seq, taken)
        notes.append(
            f"name: printed with the project code {code.group('code')} in front; kept as printed (the model "
            "has no code field, and the code is what identifies the project); the id is made from the code"
        )
    else:
        data["id"] = slug(name or "", seq, taken)
    data["seq"] = seq
    for key in ("name", "department", "implementer"):
        if header.get(key):
            data[key] = header[key]
        else:
            missing.append(key)
            errors.append(f"{key}: {_HEADER_LABEL_NAMES[key]} not found in the header")
    year = _read_year(title) or _read_year([line for line in chunk[1:3] if _YEAR_LINE_RE.match(line.text)])
    if year is None:
        missing.append("year")
        errors.append("year: no (YYYY年度) in or under the title")
    else:
        data["year"] = year
    funds_head = list(itertools.takewhile(lambda x: not _compact(x.text).startswith("总额"), sections["funds"]))
    unit, unit_problem = _read_unit(title + sections["header"] + funds_head)
    if unit is None:
        missing.append("unit")
        errors.append(f"unit: {unit_problem} (年度预算数(万元))")
    else:
        data["unit"] = unit

    funds = _sc_funds(sections["funds"], missing, notes, errors)
    if funds is not None:
        data["funds"] = funds
    data["annual_goal"] = _sc_goal(sections["basic"], missing, notes, errors)

    if not sections["table"]:
        missing.append("indicators")
        errors.append("indicators: the 一级指标 table header was not found")
        data["indicators"] = []
    else:
        data["indicators"] = _sc_table(sections["table"][1:], total_line is not None, notes, errors)

    complete = total_line is not None
    if total_line is not None:
        data["total_score"] = _sc_total(total_line, data, missing, notes, errors)
        _sc_after(sections["after"], notes)
    else:
        missing.append("total_score")
        data["total_score"] = None
        notes.append("the text ends before the 合计 row: the form is incomplete")

    ordered = {key: data[key] for key in _FORM_KEYS if key in data}
    return ImportedForm(
        data=ordered,
        source=f"{source}: form {seq} (line {chunk[0].no})",
        missing=missing,
        notes=notes,
        complete=complete,
        errors=errors,
    )


def _sc_goal(lines: list[_Line], missing: list[str], notes: list[str], errors: list[str]) -> dict:
    """项目年度目标 → planned, 年度目标完成情况 → achieved; 项目实施内容及过程概述 kept in a note.

    After the labels are removed, the goal part holds the two cells, one paragraph each
    (blank line between). One paragraph is split only where a sentence ends and a space
    follows ("…资金支付。 完成": the cells on one line); otherwise it cannot be placed.
    """
    goal: dict[str, str | None] = {"planned": None, "achieved": None}
    goal_part: list[_Line] = []
    overview: list[_Line] = []
    target = goal_part
    for line in lines:
        text = line.text
        m = _SC_OVERVIEW_RE.search(text)
        if m:
            goal_part_text = text[: m.start()]
            if goal_part_text.strip():
                target.append(_Line(line.no, goal_part_text))
            target = overview
            text = text[m.end() :]
        text = _SC_GOAL_LABEL_RE.sub(" ", text) if target is goal_part else text
        target.append(_Line(line.no, text))
    paragraphs: list[list[_Line]] = [[]]
    for line in goal_part:
        if line.text:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) == 2:
        goal["planned"], goal["achieved"] = _sc_join(paragraphs[0]), _sc_join(paragraphs[1])
    elif len(paragraphs) == 1:
        text = _sc_join(paragraphs[0])
        m = re.search(r"[。；！？.;]\s+(?=\S)", text)
        if m:
            goal["planned"], goal["achieved"] = text[: m.start() + 1].strip(), text[m.end() :].strip()
            notes.append(
                "annual_goal: 项目年度目标 and 年度目标完成情况 printed on one line; split where the first "
                "sentence ends and a space follows"
            )
        else:
            errors.append(
                f"annual_goal: one text {text[:40]!r} under 项目年度目标 / 年度目标完成情况; cannot tell "
                "which cell it is"
            )
    elif paragraphs:
        errors.append(
            f"annual_goal: {len(paragraphs)} texts under 项目年度目标 / 年度目标完成情况; cannot tell "
            "which belong to which cell"
        )
    for key in ("planned", "achieved"):
        if goal[key] is None:
            missing.append(f"annual_goal.{key}")
    text = _sc_join([line for line in overview if line.text])
    if text:
        notes.append(
            f"annual_goal: 项目实施内容及过程概述 (not a field of the model; not appended to achieved, which "
            f"is the 年度目标完成情况 cell as printed): {text}"
        )
    return goal


def _sc_is_amount(token: str) -> bool:
    return bool(_AMOUNT_RE.match(_nfkc(token))) or _is_dash(token)


def _sc_funds(lines: list[_Line], missing: list[str], notes: list[str], errors: list[str]) -> dict | None:
    """预算执行情况: 总额 → total (原因 → reason), 财政资金 → appropriation, 其他资金 (+ 财政专户管理资金
    + 单位资金 when not zero) → other, carryover not in the template (null, listed missing)."""
    if not lines:
        missing.append("funds")
        errors.append("funds: the 预算执行情况 block was not found")
        return None
    text = "\n".join(line.text for line in lines)
    start = re.search(_spaced("总额"), text)
    if start is None:
        missing.append("funds.total")
        errors.append("funds.total: no 总额 row in the 预算执行情况 block")
        return None
    tokens = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text[start.end() :])]
    cells: list[tuple[str, int]] = []
    for token, _, end in tokens:
        if len(cells) == 6 or not (_sc_is_amount(token) or _PERCENT_RE.match(_nfkc(token))):
            break
        cells.append((token, end))
    printed = [c for c, _ in cells]
    if len(cells) != 6 or (not _PERCENT_RE.match(_nfkc(printed[3])) and not _is_dash(printed[3])):
        errors.append(
            f"funds.total: the 总额 row {' '.join(printed)!r} is not 年初预算 调整后预算数 预算执行数 "
            "预算执行率 权重 得分"
        )
        return None
    if _is_dash(printed[4]) or not _is_points(printed[4]):
        errors.append(f"funds.total.weight: {printed[4]!r} is not a 权重")
        return None
    initial, final, executed = (_amount(t) for t in printed[:3])
    total = {
        "budget_initial": initial,
        "budget_final": final,
        "executed": executed,
        "weight": _number(printed[4]),
        "execution_rate": None if _is_dash(printed[3]) else printed[3],
        "score": None if _is_dash(printed[5]) else _number(printed[5]),
        "reason": None,
    }
    body_at = start.end() + cells[-1][1]
    body = text[body_at:]

    rows: dict[str, str] = {}
    reason_parts = []
    pos = 0
    marks = []
    for key, label_text, rx in _SC_SUBROWS:
        m = rx.search(body, pos)
        if m is None:
            continue
        marks.append((key, label_text, m))
        pos = m.end()
    if marks:
        reason_parts.append(body[: marks[0][2].start()])
    else:
        reason_parts.append(body)
    for (key, label_text, m), nxt in zip(marks, [*marks[1:], None], strict=False):
        segment = body[m.end() : nxt[2].start() if nxt else len(body)]
        seg_tokens = segment.split()
        k = 0
        while k < len(seg_tokens) and (_sc_is_amount(seg_tokens[k]) or _PERCENT_RE.match(_nfkc(seg_tokens[k]))):
            k += 1
        rows[key] = " ".join(seg_tokens[:k])
        if k < len(seg_tokens):
            if nxt is not None:
                errors.append(f"funds: text {' '.join(seg_tokens[k:])[:40]!r} inside the {label_text} row")
                return None
            tail = segment
            for token in seg_tokens[:k]:
                tail = tail[tail.index(token) + len(token) :]
            reason_parts.append(tail)
            notes.append(
                "funds.total.reason: part of the 原因 cell is printed after the 其他资金 row (a merged cell); joined"
            )

    reason = "".join(re.sub(r"\s*\n\s*", "", part).strip() for part in reason_parts if part.strip()) or None
    if reason and (help_match := _SC_HELP_RE.search(reason)):
        help_text = help_match.group()
        reason = (
            reason[: reason.index(help_text)] + reason[reason.index(help_text) + len(help_text) :]
        ).strip() or None
        notes.append(
            "funds.total.reason: the 原因 cell prints the template's help text (1.预算执行率=预算执行数/调整后预算数"
            "…) — instructions, not a reason: dropped" + ("" if reason is None else "; the rest kept as the reason")
        )
    total["reason"] = reason

    funds: dict = {"total": total}
    amounts: dict[str, dict | None] = {}
    for key, label_text, _ in _SC_SUBROWS:
        if key not in rows:
            amounts[key] = None
            continue
        row = _sc_sub_row(label_text, rows[key].split(), errors)
        if row is None:
            return None
        amounts[key] = row
    empty = {"budget_initial": None, "budget_final": None, "executed": None}
    if amounts["appropriation"] is None:
        missing.append("funds.appropriation")
    funds["appropriation"] = amounts["appropriation"] or dict(empty)
    funds["carryover"] = dict(empty)
    missing.append("funds.carryover")
    notes.append("funds.carryover: the template has no 上年结转资金 row; left empty (null)")
    if amounts["other"] is None:
        missing.append("funds.other")
    other = dict(amounts["other"] or empty)
    extra = [(label_text, sub) for key, label_text, _ in _SC_SUBROWS[1:3] if (sub := amounts[key]) is not None]
    nonzero = [(label_text, row) for label_text, row in extra if any(v for v in row.values())]
    if nonzero:
        for column in other:
            values = [row[column] for row in [other] + [r for _, r in nonzero] if row[column] is not None]
            other[column] = _tidy_sum(values) if values else None
        shown = "; ".join(f"{label_text} {_amounts_text(row)}" for label_text, row in nonzero)
        notes.append(
            f"funds.other: 其他资金 {_amounts_text(amounts['other'] or empty)} plus {shown}: the model has "
            "one row for money other than the year's appropriation (the national 其他资金), so these rows are "
            "added into it, column by column"
        )
    elif extra:
        notes.append(
            "funds.other: " + " and ".join(label_text for label_text, _ in extra) + " print no money (0 or "
            "empty); not added; funds.other is the 其他资金 row as printed"
        )
    notes.append(
        "funds: 年初预算 → budget_initial, 调整后预算数 → budget_final, 预算执行数 → executed, 预算执行率 → "
        "execution_rate (as printed), 权重 → weight, 得分 → score, 原因 → reason; 财政资金 → appropriation"
    )
    funds["other"] = other
    return funds


def _tidy_sum(values: list) -> int | float:
    total = round(sum(values), 6)
    return int(total) if all(isinstance(v, int) for v in values) else total


def _amounts_text(row: dict) -> str:
    return "/".join("—" if v is None else f"{v:g}" for v in row.values())


def _sc_sub_row(label_text: str, tokens: list[str], errors: list[str]) -> dict | None:
    """A sub-row: 年初预算 调整后预算数 预算执行数 [预算执行率] and "/" for 权重 and 得分.

    The trailing dashes of the merged 权重/得分 cells go first; then three amounts (a rate
    may follow: it is the row's own, derived, and not kept) or none at all (an empty row).
    """
    cells = list(tokens)
    while cells and _is_dash(cells[-1]):
        cells.pop()
    if cells and _PERCENT_RE.match(_nfkc(cells[-1])):
        cells.pop()
    if len(cells) == 3 and not any(_PERCENT_RE.match(_nfkc(c)) for c in cells):
        return dict(zip(("budget_initial", "budget_final", "executed"), (_amount(c) for c in cells), strict=True))
    if not cells:
        return {"budget_initial": None, "budget_final": None, "executed": None}
    errors.append(
        f"funds: the {label_text} row {' '.join(tokens)!r} cannot be placed in the columns "
        "年初预算 调整后预算数 预算执行数"
    )
    return None


@dataclass
class _ScToken:
    text: str
    no: int


def _sc_table(lines: list[_Line], closed: bool, notes: list[str], errors: list[str]) -> list[dict]:
    """The indicator table, read as a token stream anchored on each row's 指标性质 (≥ ≤ = 定性 …).

    Before an anchor: the previous row's 未完成原因分析, the labels, the row's name (lines
    joined). After it: 指标值, 度量单位 (absent when empty), 完成值, 权重, 得分.
    """
    tokens: list[_ScToken] = []
    for line in lines:
        if _SC_HEADER_WORDS_RE.match(line.text):
            continue  # the table header, or its repetition after a page break
        for word in line.text.split():
            m = _SC_GLUED_SIGN_RE.match(word)
            if m:
                tokens += [_ScToken(m.group("sign"), line.no), _ScToken(m.group("rest"), line.no)]
            else:
                tokens.append(_ScToken(word, line.no))
    merged: list[_ScToken] = []
    for token in tokens:  # a label broken across lines ("服务对象满意度" / "指标")
        if (
            merged
            and not _SC_LABEL_RE.match(merged[-1].text)
            and _SC_LABEL_RE.match(merged[-1].text + token.text)
            and len(merged[-1].text) >= 2
        ):
            merged[-1] = _ScToken(merged[-1].text + token.text, merged[-1].no)
        else:
            merged.append(token)
    tokens = merged
    anchors = [i for i, t in enumerate(tokens) if t.text in _SC_NATURE]
    if not anchors:
        if tokens:
            errors.append("indicators: no row with a 指标性质 (≥ ≤ = 定性) could be read")
        return []
    rows: list[dict] = []
    level1 = level2 = None
    cursor = 0
    for anchor in anchors:
        if anchor < cursor:
            errors.append(
                f"indicators: line {tokens[anchor].no}: {tokens[anchor].text!r} inside the cells of the "
                "row above; the rows are out of order"
            )
            return []
        before = tokens[cursor:anchor]
        note, labels, name_tokens, problem = _sc_before(before, rows)
        if problem:
            errors.append(f"indicators: line {tokens[anchor].no}: {problem}")
            return []
        if note is not None:
            rows[-1]["deviation_note"] = note
        for label_text in labels:
            if label_text in _SC_LEVEL1 or _compact(_sc_label_name(label_text)) in _SC_LEVEL1:
                level1, level2 = label_text, None
            else:
                level2 = label_text
        name = "".join(t.text for t in name_tokens)
        row, used = _sc_row(tokens, anchor, name, errors)
        if row is None:
            return []
        if level2 is None:
            errors.append(f"indicators: {name}: no 二级指标 label applies to this row")
            return []
        canon2 = _sc_label_name(level2)
        row_level1 = level1 or _LEVEL2_PARENT.get(canon2)
        if row_level1 is None:
            errors.append(f"indicators: {name}: no 一级指标 label applies to this row")
            return []
        rows.append({"level1": row_level1, "level2": level2, **row})
        cursor = used
    tail = tokens[cursor:]
    if tail:
        note = "".join(t.text for t in tail)
        if _SC_LABEL_RE.match(tail[0].text) or any(_SC_LABEL_RE.match(t.text) for t in tail):
            (errors if closed else notes).append(
                f"indicators: text after the last row that belongs to no row: {note!r}"
            )
        else:
            rows[-1]["deviation_note"] = None if _is_dash(note) else note
    for row in rows:
        if row["deviation_note"] is not None and _is_dash(row["deviation_note"]):
            row["deviation_note"] = None
    notes.append(
        'indicators: target = 指标性质 + 指标值 + 度量单位 joined ("≥90%"); 指标性质 定性 → target = 指标值; '
        "actual = 完成值 as printed; 权重 → weight; 未完成原因分析 → deviation_note (empty → null)"
    )
    return rows


def _sc_before(before: list[_ScToken], rows: list[dict]) -> tuple[str | None, list[str], list[_ScToken], str | None]:
    """Split the tokens before a row's 指标性质 into (previous row's note, labels, name tokens, problem)."""
    label_at = [i for i, t in enumerate(before) if _SC_LABEL_RE.match(t.text)]
    if label_at:
        head, name = before[: label_at[0]], before[label_at[-1] + 1 :]
        between = [t for t in before[label_at[0] : label_at[-1] + 1] if not _SC_LABEL_RE.match(t.text)]
        if between:
            return None, [], [], f"text {''.join(t.text for t in between)!r} between the labels"
        labels = [before[i].text for i in label_at]
    else:
        lines: dict[int, list[_ScToken]] = {}
        for t in before:
            lines.setdefault(t.no, []).append(t)
        groups = list(lines.values())
        # the note ends at the last line with sentence punctuation (names have none), or is "无" / "/"
        cut = 0
        for k, group in enumerate(groups):
            text = "".join(t.text for t in group)
            if _SENTENCE_RE.search(text) or (k == 0 and (text in ("无", "") or _is_dash(text))):
                cut = k + 1
        head = [t for g in groups[:cut] for t in g]
        name = [t for g in groups[cut:] for t in g]
        labels = []
    note = "".join(t.text for t in head) or None
    if note is not None and not rows:
        return None, [], [], f"text {note!r} before the first row"
    if not name:
        return None, [], [], "a row without a 三级指标 name"
    if any(_SENTENCE_RE.search(t.text) for t in name):
        return None, [], [], f"the name {''.join(t.text for t in name)!r} reads as a sentence"
    return note, labels, name, None


def _sc_row(tokens: list[_ScToken], anchor: int, name: str, errors: list[str]) -> tuple[dict | None, int]:
    """指标值 [度量单位] 完成值 权重 得分 after the 指标性质 at `anchor`; returns the row and the next index."""
    nature = tokens[anchor].text
    after = [t.text for t in tokens[anchor + 1 : anchor + 6]]

    def points(*ks: int) -> bool:
        return all(k < len(after) and (_is_points(after[k]) or (k == ks[-1] and _is_dash(after[k]))) for k in ks)

    unit_like = (
        len(after) > 1
        and not _is_points(after[1])
        and (
            bool(_UNIT_ONLY_RE.match(after[1]))
            or (
                len(after[1]) <= 4
                and not re.search(r"\d", after[1])
                and after[1] not in _QUALITATIVE_TARGETS
                and nature != "定性"
            )
            or _is_dash(after[1])
        )
    )
    if unit_like and points(3, 4):
        value, unit, actual, weight, score, used = after[0], after[1], after[2], after[3], after[4], 5
    elif points(2, 3):
        value, unit, actual, weight, score, used = after[0], "", after[1], after[2], after[3], 4
    else:
        errors.append(
            f"indicators: line {tokens[anchor].no}: {name}: cannot read 指标值 度量单位 完成值 权重 得分 "
            f"from {' '.join(after)!r}"
        )
        return None, anchor
    if _is_dash(unit):
        unit = ""
    if _UNIT_ONLY_RE.match(actual) or not actual:
        errors.append(
            f"indicators: line {tokens[anchor].no}: {name}: 完成值 read as {actual!r}, a unit: the cell is "
            f"empty or the cells are out of order ({' '.join(after)!r})"
        )
        return None, anchor
    target = value if nature == "定性" else f"{_nfkc(nature) if nature in ('＝',) else nature}{value}{unit}"
    weight_n = _number(weight)
    if not 0 < weight_n <= 100:
        errors.append(f"indicators: {name}: 权重 {weight} is outside 0-100")
        return None, anchor
    return {
        "name": name,
        "target": target,
        "actual": actual,
        "weight": weight_n,
        "score": None if _is_dash(score) else _number(score),
        "deviation_note": None,
    }, anchor + 1 + used


def _sc_total(line: _Line, data: dict, missing: list[str], notes: list[str], errors: list[str]) -> float | None:
    """合计: "合计 100 98" is 权重 total and 得分 total; "合计 100" alone is the weights' total only."""
    match = _SC_TOTAL_RE.match(line.text)
    assert match is not None, "called on a 合计 line"
    rest = match.group("rest")
    numbers = [t for t in rest.split() if _AMOUNT_RE.match(_nfkc(t))]
    total_weight = _number(numbers[0]) if numbers else None
    total_score = _number(numbers[1]) if len(numbers) >= 2 else None
    if total_score is None:
        missing.append("total_score")
        notes.append(
            f"total_score: the 合计 row (line {line.no}) {line.text!r} prints only the weights' total; the "
            "total score is not printed: left empty (not summed from the rows)"
        )
    if data.get("indicators") and "funds" in data:
        weights = sum(i["weight"] for i in data["indicators"]) + data["funds"]["total"]["weight"]
        if total_weight is not None and abs(weights - total_weight) > 1e-6:
            errors.append(
                f"weights: 权重 of the rows and the budget add up to {weights:g}, the 合计 row says "
                f"{total_weight:g}; a row may be misread"
            )
        scores = [i["score"] for i in data["indicators"]] + [data["funds"]["total"]["score"]]
        if total_score is not None and None not in scores and abs(sum(scores) - total_score) > 0.005:
            notes.append(
                f"scores: the rows and the budget score add up to {sum(scores):g}, the 合计 row says {total_score:g}"
            )
    return total_score


def _sc_after(lines: list[_Line], notes: list[str]) -> None:
    """评价结论 / 存在问题 / 改进措施 / signatures: not fields of the model; kept in notes, as printed."""
    text = "".join(line.text for line in lines if line.text)
    marks = list(_SC_AFTER_RE.finditer(text))
    if not marks:
        if text:
            notes.append(f"after 合计 (not a field of the model): {text}")
        return
    if text[: marks[0].start()].strip():
        notes.append(f"after 合计 (not a field of the model): {text[: marks[0].start()].strip()}")
    for mark, nxt in zip(marks, [*marks[1:], None], strict=False):
        value = text[mark.end() : nxt.start() if nxt else len(text)].strip(" ：:")
        notes.append(f"{mark.group(1)} (not a field of the model): {value or '(empty)'}")
