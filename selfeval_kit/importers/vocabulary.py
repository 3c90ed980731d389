"""The form vocabulary: which printed labels mean which field, kept as data in ``vocabulary.yaml``.

The reader asks this module what a cell or a line *is*; it never spells a label itself, so a
new province's template is new rows in the YAML, not new code::

    voc = vocabulary()
    voc.title("2023年度 北京市 项目支出绩效自评表 (2023年度)")   # TitleMatch(kind="self_evaluation", year=2023 …)
    voc.field("项目名称：热线（运维）")      # LabelMatch(section="fields", key="name", value="热线（运维）")
    voc.field("合计", section="funds")       # the funds total row, not the indicator total
    voc.column("全年预算数（A）", "funds")   # "budget_final"
    voc.level1("產出指標(50分)")             # "产出指标"
    voc.level2("数 量")                      # "数量指标"
    voc.sign("不低于")                       # "≥"
    voc.is_noise("第 1 页 共 3 页")          # True

Matching compares `normalise`d text with normalised labels: NFKC, traditional → simplified
(character by character, OpenCC's t2s table), white space removed, pinyin ruby / column
letters / points dropped, sign look-alikes mapped, trailing colons stripped. That view is
for labels only: every value handed back (`LabelMatch.value`, `TitleMatch.before`) is cut
from the ORIGINAL text, as printed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import opencc
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.form.labels import MONEY_UNITS

__all__ = ["SECTIONS", "SELF_EVALUATION", "LabelMatch", "TitleMatch", "Vocabulary", "normalise", "vocabulary"]

# The sections `Vocabulary.field` looks in, in this order when a label is in two ("合计").
SECTIONS: tuple[str, ...] = ("fields", "other", "funds", "goal", "indicators")
SELF_EVALUATION = "self_evaluation"  # `TitleMatch.kind` of a project self-evaluation form
# What the reader relies on; the YAML may add more.
_REQUIRED = {
    "funds.columns": ("budget_initial", "budget_final", "executed", "weight", "execution_rate", "score", "reason"),
    "funds.rows": ("total", "appropriation", "carryover", "other"),
    "indicators.columns": ("level1", "level2", "name", "target", "actual", "weight", "score", "deviation_note"),
}

_PLACEHOLDERS = {
    "{n}": r"\d+(?:\.\d+)?",
    "{L}": "[A-Z]",
    "{py}": "[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[1-5]?",
}
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年|\)|$)")
_YEAR_LINE_RE = re.compile(r"\(?((?:19|20)\d{2})(?:年度?)?\)?")


@dataclass(frozen=True)
class LabelMatch:
    """What `Vocabulary.field` found at the start of a cell or line.

    Attributes
    ----------
    section : str
        One of `SECTIONS`: ``"fields"`` (name, department, implementer, year, unit),
        ``"other"`` (printed but not in the model: 项目负责人, 评价结论 …), ``"funds"`` (``"block"``
        or a row: total, appropriation, carryover, other, special, unit_funds), ``"goal"``
        (block, planned, achieved) or ``"indicators"`` (block, total).
    key : str
        The English name (GLOSSARY.md) within the section.
    label : str
        The label as printed, cut from the original text.
    value : str or None
        What follows the label in the same text after a colon or white space, as printed
        (inner line breaks kept); None when the text is the label alone.
    unit : str or None
        ``"元"`` or ``"万元"`` when a unit in brackets follows the label: 项目资金（万元）.
    """

    section: str
    key: str
    label: str
    value: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class TitleMatch:
    """What `Vocabulary.title` found in a line.

    Attributes
    ----------
    kind : str
        `SELF_EVALUATION`, or the key of a ``not_self_evaluation`` kind (``"targets"``,
        ``"whole_department"`` …) for a document that is not a project self-evaluation form.
    phrase : str
        The vocabulary's phrase that matched (simplified, as written in the YAML).
    why : str or None
        For a not-self-evaluation kind: why it is not one, in Chinese, for the import report.
    year, unit : int or None, str or None
        The year the line holds (None when none, or two different ones) and its money unit.
    before, after : str
        The original text either side of the phrase, stripped: a place, an attachment number.
    """

    kind: str
    phrase: str
    why: str | None
    year: int | None
    unit: str | None
    before: str
    after: str

    @property
    def is_self_evaluation(self) -> bool:
        """True for a project self-evaluation form."""
        return self.kind == SELF_EVALUATION


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.cache
def _char(ch: str) -> str:
    """One printed character in the matching view: NFKC, simplified, no white space."""
    return "".join(_t2s().convert(c) for c in unicodedata.normalize("NFKC", ch) if not c.isspace())


def _plain(text: str) -> str:
    """NFKC and no white space: how templates and sign look-alikes are compared."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if not c.isspace())


def _template(text: str) -> str:
    """A noise template ("第{n}页") as a regex."""
    parts = re.split(r"(\{n\}|\{L\}|\{py\})", _plain(text))
    return "".join(_PLACEHOLDERS.get(part, re.escape(part)) for part in parts)


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    """A regex of literal words, longest first so a longer look-alike wins at each position."""
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)) if ordered else r"(?!)")


def _rewrite(
    text: str, origin: list[int], pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]
) -> tuple[str, list[int]]:
    """Replace each match of `pattern`, keeping for every character its index in the original."""
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() == m.end():
            continue
        new = repl(m)
        out += [text[pos : m.start()], new]
        where += origin[pos : m.start()] + [origin[m.start()]] * len(new)
        pos = m.end()
    out.append(text[pos:])
    where += origin[pos:]
    return "".join(out), where


@dataclass(frozen=True)
class _Folder:
    """Makes the matching view of a text and maps each of its characters back to the original."""

    drop: re.Pattern[str]  # column letters, pinyin ruby, points
    signs: re.Pattern[str]
    sign_of: dict[str, str]

    def fold(self, text: str) -> tuple[str, list[int]]:
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            mapped = _char(ch)
            chars.append(mapped)
            origin += [i] * len(mapped)
        folded, origin = _rewrite("".join(chars), origin, self.drop, lambda m: "")
        return _rewrite(folded, origin, self.signs, lambda m: self.sign_of[m.group()])

    def normalise(self, text: str) -> str:
        return self.fold(text)[0].rstrip(":")


@dataclass(frozen=True)
class Vocabulary:
    """The vocabulary, compiled; make it with `vocabulary()` (the package's) or `from_yaml`.

    All lookups take text as printed and compare its `normalise`d form. Where labels overlap,
    the longest wins.
    """

    folder: _Folder = field(repr=False)
    titles: tuple[tuple[str, str, str, str | None], ...] = field(repr=False)  # folded, kind, phrase, why
    labels: dict[str, list[tuple[str, str]]] = field(repr=False)  # folded → [(section, key)] in SECTIONS order
    columns: dict[str, dict[str, str]] = field(repr=False)  # block → folded → role
    levels1: dict[str, str] = field(repr=False)
    levels2: dict[str, str] = field(repr=False)
    parents_of: dict[str, tuple[str, ...]] = field(repr=False)
    hints_of: dict[str, tuple[str, ...]] = field(repr=False)  # 二级 → words of a 三级 name in its group
    totals: frozenset[str] = field(repr=False)
    units: dict[str, str] = field(repr=False)  # folded hint ("单位:万元", "(元)") → 元 / 万元
    unit_re: re.Pattern[str] = field(repr=False)
    pages: re.Pattern[str] = field(repr=False)
    helps: tuple[str, ...] = field(default=(), repr=False)  # folded phrases of a template's own instructions
    column_parts: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)  # block → label pieces
    column_starts: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)  # block → label beginnings

    @classmethod
    def from_yaml(cls, text: str, source: str | Path) -> Vocabulary:
        """Compile a vocabulary from YAML text.

        Raises
        ------
        DataError
            Naming `source` and every problem: not YAML, a missing or unknown section, an
            empty label, one label under two keys of a section.
        """
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DataError.single(source, f"词汇表不是有效的 YAML（not valid YAML）：{exc}") from None
        try:
            spec = _Spec.model_validate(raw)
        except ValidationError as exc:
            problems = [
                Problem(str(source), ".".join(map(str, e["loc"])), f"词汇表格式不对（expected {e['msg']}）")
                for e in exc.errors()
            ]
            raise DataError(problems) from None
        return _build(spec, source)

    def normalise(self, text: str) -> str:
        """The matching view of `text`; see the module `normalise`."""
        return self.folder.normalise(text)

    def title(self, line: str) -> TitleMatch | None:
        """The title phrase anywhere in `line` (the longest, when several), or None.

        Parameters
        ----------
        line : str
            A printed line: "2023年度 北京市 项目支出绩效自评表 (2023年度)", "附件3 部门整体支出绩效自评表".

        Returns
        -------
        TitleMatch or None
            Its kind (self-evaluation or which other document), the year and unit the line
            holds, and the original text before and after the phrase.
        """
        folded, origin = self.folder.fold(line)
        for phrase, kind, written, why in self.titles:
            at = folded.find(phrase)
            if at < 0:
                continue
            end = origin[at + len(phrase) - 1] + 1
            years = {int(y) for y in _YEAR_RE.findall(folded)}
            year = years.pop() if len(years) == 1 else None
            return TitleMatch(kind, written, why, year, self.unit(line), line[: origin[at]].strip(), line[end:].strip())
        return None

    def year_line(self, line: str) -> int | None:
        """The year of a line holding only a year and perhaps a unit: "(2022 年度)", "（2021年度） 单位：万元"."""
        folded = self.unit_re.sub("", self.normalise(line))
        m = _YEAR_LINE_RE.fullmatch(folded)
        return int(m.group(1)) if m else None

    def unit(self, text: str) -> str | None:
        """The money unit a text states ("单位：万元", "（元）", "金额单位:人民币元"), or None.

        A unit word glued to more Chinese text is not one: "实施单位：元宝山区…" states no unit.
        """
        folded, origin = self.folder.fold(text)
        for m in self.unit_re.finditer(folded):
            after = origin[m.end() - 1] + 1
            if m.group().endswith(")") or after >= len(text) or not _is_cjk(text[after]):
                return self.units[m.group()]
        return None

    def field(self, text: str, section: str | None = None) -> LabelMatch | None:
        """The label a header, funds or goal cell starts with, and the value after it.

        Parameters
        ----------
        text : str
            A cell or line as printed: "项目名称", "项 目 名 称：", "項目名稱", "项目名称：热线（运维）",
            "年度资金总额 12,800,000.00 …", "项目资金（万元）".
        section : str, optional
            Look only in this one of `SECTIONS`; without it all are searched and a label in two
            ("合计": funds total row and indicator total) is taken for the first in `SECTIONS`.

        Returns
        -------
        LabelMatch or None
            None when no label starts the text, or when one does but is glued to more text
            ("其他资金包括…"): a label and its value are parted by a colon or white space.
        """
        folded, origin = self.folder.fold(text)
        for k in range(len(folded), 0, -1):
            hits = [hit for hit in self.labels.get(folded[:k], ()) if section in (None, hit[0])]
            if hits and (match := self._cut(text, folded, origin, k, *hits[0])) is not None:
                return match
        return None

    def _cut(self, text: str, folded: str, origin: list[int], k: int, section: str, key: str) -> LabelMatch | None:
        """The LabelMatch for the label folded[:k], or None when it runs into the text after it."""
        label_end = origin[k - 1] + 1
        j = k
        unit = None
        m = self.unit_re.match(folded, j)
        if m and m.group().endswith(")"):
            unit, j = self.units[m.group()], m.end()
        j += len(folded[j:]) - len(folded[j:].lstrip(":"))
        if j == len(folded):
            return LabelMatch(section, key, text[:label_end].strip(), None, unit)
        start = origin[j]
        if start == label_end:  # glued: "其他资金包括"
            return None
        return LabelMatch(section, key, text[:label_end].strip(), text[start:].rstrip() or None, unit)

    def column(self, text: str, block: str) -> str | None:
        """The role of a header cell of the ``"funds"`` or ``"indicators"`` table, or None.

        Column letters and a bracketed unit are ignored: "全年预算数（A）" is ``"budget_final"``,
        "年度预算数(万元)" is ``"amounts"``, "未完成原因\\n分析" is ``"deviation_note"``.
        """
        if block not in self.columns:
            raise ValueError(f"block must be one of {sorted(self.columns)}, not {block!r}")
        folded = self.unit_re.sub(lambda m: "" if m.group().endswith(")") else m.group(), self.normalise(text))
        return self.columns[block].get(folded.rstrip(":"))

    def column_part(self, text: str, block: str, *, start: bool = False) -> bool:
        """Is `text` a piece of a column label of the ``"funds"`` or ``"indicators"`` table, printed
        apart from the rest of it ("年度" / "指标值", "偏差原因分析及" / "改进措施"); with `start`, its
        beginning ("年度", not "指标值")?"""
        folded = self.unit_re.sub(lambda m: "" if m.group().endswith(")") else m.group(), self.normalise(text))
        pieces = (self.column_starts if start else self.column_parts).get(block, frozenset())
        return bool(folded) and folded.rstrip(":") in pieces

    def level1(self, text: str) -> str | None:
        """The canonical 一级指标 label of a cell ("产出", "產出指標(50分)" → "产出指标"), or None."""
        return self.levels1.get(self.normalise(text))

    def level2(self, text: str) -> str | None:
        """The canonical 二级指标 label of a cell ("数量", "社会效益" → "社会效益指标"), or None."""
        return self.levels2.get(self.normalise(text))

    def is_level_prefix(self, text: str) -> bool:
        """Does a 一级 or 二级 label begin with `text` (a label printed over several lines: "产出指")?"""
        folded = self.normalise(text)
        return bool(folded) and any(label.startswith(folded) for label in (*self.levels1, *self.levels2))

    def parents(self, level2: str) -> tuple[str, ...]:
        """The 一级 labels a canonical 二级 label may stand under, most usual first; () if unknown."""
        return self.parents_of.get(level2, ())

    def says(self, name: str, level2: str) -> bool:
        """Does a 三级 name say it is in this 二级 group (canonical label): 平台网站响应时间 → 时效指标?"""
        folded = self.normalise(name)
        return any(hint in folded for hint in self.hints_of.get(level2, ()))

    def is_total(self, text: str) -> bool:
        """Is `text` the indicator table's total label (总分, 合计, "总  分")?"""
        return self.normalise(text) in self.totals

    def is_noise(self, line: str) -> bool:
        """Is `line` a page marker ("第 1 页 共 3 页", "- 2 -") or only column letters / points ("（A）")?"""
        folded = self.normalise(line)
        if not folded:
            return bool(line.strip())
        return self.pages.fullmatch(folded) is not None

    def is_help(self, text: str) -> bool:
        """Is `text` the template's own instruction printed in a cell ("预算执行率=预算执行数/调整后预算数,
        预算执行率未达到90%的需说明原因…"), not what the form's author wrote?"""
        folded = self.normalise(text)
        return any(phrase in folded for phrase in self.helps)

    def sign(self, text: str) -> str | None:
        """The canonical comparison sign a text is (">=", "＞＝", "不低于" → "≥"), or None if it is none."""
        folded = self.normalise(text)
        return folded if folded in self.folder.sign_of.values() else None


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@functools.cache
def vocabulary() -> Vocabulary:
    """The package's vocabulary (``importers/vocabulary.yaml``), loaded once."""
    source = resources.files("selfeval_kit.importers").joinpath("vocabulary.yaml")
    return Vocabulary.from_yaml(source.read_text(encoding="utf-8"), "selfeval_kit/importers/vocabulary.yaml")


def normalise(text: str) -> str:
    """The matching view of a label: never use it on a value.

    NFKC (full-width letters, digits, brackets, colons → ASCII); traditional characters →
    simplified, character by character; all white space removed; pinyin ruby "(jì)", column
    letters "(A)" "(B/A×100%)" and points "(50分)" removed; sign look-alikes mapped (">=",
    "不低于" → "≥"); trailing colons stripped.

    Examples
    --------
    >>> normalise("項 目 名 稱：")
    '项目名称'
    >>> normalise("全年预算数（A）")
    '全年预算数'
    """
    return vocabulary().normalise(text)


# --------------------------------------------------------------------------- the YAML's shape

_Words = Annotated[list[Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Other(_Strict):
    why: str
    phrases: _Words


class _Titles(_Strict):
    self_evaluation: _Words
    not_self_evaluation: dict[str, _Other]


class _Unit(_Strict):
    labels: _Words
    values: dict[Literal[MONEY_UNITS], _Words]  # type: ignore[valid-type]  # the model's units only


class _Fields(_Strict):
    name: _Words
    department: _Words
    implementer: _Words
    year: _Words
    unit: _Unit


class _Funds(_Strict):
    block: _Words
    columns: dict[str, _Words]
    rows: dict[str, _Words]


class _Goal(_Strict):
    block: _Words
    planned: _Words
    achieved: _Words


class _Level2(_Strict):
    parents: _Words
    labels: list[str] = []
    hints: list[str] = []


class _Indicators(_Strict):
    block: _Words
    columns: dict[str, _Words]
    level1: dict[str, list[str]]
    level2: dict[str, _Level2]
    total: _Words


class _Noise(_Strict):
    pages: list[str]
    column_letters: list[str]
    ruby: list[str]
    points: list[str]
    help_texts: list[str] = []


class _Spec(_Strict):
    version: Literal[1]
    titles: _Titles
    fields: _Fields
    other_fields: dict[str, _Words]
    funds: _Funds
    goal: _Goal
    indicators: _Indicators
    signs: dict[str, _Words]
    noise: _Noise


# --------------------------------------------------------------------------- compiling it


class _Index:
    """Folded label → entries, collecting a problem for a label given to two keys of one namespace."""

    def __init__(self, folder: _Folder, source: str | Path, problems: list[Problem]):
        self.folder, self.source, self.problems = folder, str(source), problems

    def add(self, table: dict, where: str, entry: object, words: Iterable[str], many: bool = False) -> None:
        for word in words:
            folded = self.folder.normalise(word)
            old = table.get(folded)
            clash = [e for e in old if e[0] == entry[0] and e != entry] if many and old else []  # type: ignore[index]
            if not folded:
                self.problems.append(Problem(self.source, where, f"标签 {word!r} 规范化后为空（empty label）"))
            elif clash or (not many and old is not None and old != entry):
                self.problems.append(
                    Problem(self.source, where, f"标签 {word!r} 同时属于两个键（one label, two keys）：{old} / {entry}")
                )
            elif many:
                table.setdefault(folded, [])
                if entry not in table[folded]:
                    table[folded].append(entry)
            else:
                table[folded] = entry


def _folder(spec: _Spec) -> _Folder:
    noise = spec.noise
    drop = "|".join(_template(t) for t in [*noise.column_letters, *noise.ruby, *noise.points])
    sign_of = {
        "".join(_char(c) for c in look): canonical
        for canonical, looks in spec.signs.items()
        for look in [canonical, *looks]
    }
    return _Folder(re.compile(drop or r"(?!)"), _alternation(sign_of), sign_of)


def _field_labels(spec: _Spec, index: _Index) -> dict[str, list[tuple[str, str]]]:
    labels: dict[str, list[tuple[str, str]]] = {}
    f = spec.fields
    groups: list[tuple[str, dict[str, list[str]]]] = [
        ("fields", {"name": f.name, "department": f.department, "implementer": f.implementer, "year": f.year}),
        ("fields", {"unit": f.unit.labels}),
        ("other", spec.other_fields),
        ("funds", {"block": spec.funds.block, **spec.funds.rows}),
        ("goal", {"block": spec.goal.block, "planned": spec.goal.planned, "achieved": spec.goal.achieved}),
        ("indicators", {"block": spec.indicators.block, "total": spec.indicators.total}),
    ]
    for section, keys in groups:
        for key, words in keys.items():
            index.add(labels, f"{section}.{key}", (section, key), words, many=True)
    return labels


def _build(spec: _Spec, source: str | Path) -> Vocabulary:
    """Compile a validated spec; every clash or missing key becomes one Problem."""
    problems: list[Problem] = []
    for where, keys in _REQUIRED.items():
        section, part = where.split(".")
        have = getattr(getattr(spec, section), part)
        problems += [Problem(str(source), where, f"缺少键 {key}（missing key）") for key in keys if key not in have]
    folder = _folder(spec)
    index = _Index(folder, source, problems)
    titles: dict[str, tuple[str, str, str, str | None]] = {}
    kinds: list[tuple[str, list[str], str | None]] = [(SELF_EVALUATION, spec.titles.self_evaluation, None)]
    kinds += [(kind, other.phrases, other.why) for kind, other in spec.titles.not_self_evaluation.items()]
    for kind, phrases, why in kinds:
        for phrase in phrases:
            index.add(titles, f"titles.{kind}", (folder.normalise(phrase), kind, phrase, why), [phrase])
    columns: dict[str, dict[str, str]] = {"funds": {}, "indicators": {}}
    for block, roles in (("funds", spec.funds.columns), ("indicators", spec.indicators.columns)):
        for role, words in roles.items():
            index.add(columns[block], f"{block}.columns.{role}", role, words)
    levels1: dict[str, str] = {}
    for canonical, words in spec.indicators.level1.items():
        index.add(levels1, "indicators.level1", canonical, [canonical, *words])
    levels2: dict[str, str] = {}
    for canonical, level2 in spec.indicators.level2.items():
        index.add(levels2, "indicators.level2", canonical, [canonical, *level2.labels])
        problems += [
            Problem(str(source), f"indicators.level2.{canonical}", f"上级 {p} 不是一级指标（parent not a level1）")
            for p in level2.parents
            if p not in spec.indicators.level1
        ]
    totals: dict[str, str] = {}
    index.add(totals, "indicators.total", "total", spec.indicators.total)
    units: dict[str, str] = {}
    for canonical, words in spec.fields.unit.values.items():
        hints = [f"({w})" for w in words]
        hints += [h for label in spec.fields.unit.labels for w in words for h in (f"{label}:{w}", f"({label}:{w})")]
        index.add(units, "fields.unit", canonical, hints)
    labels = _field_labels(spec, index)
    if problems:
        raise DataError(problems)
    return Vocabulary(
        folder=folder,
        titles=tuple(sorted(titles.values(), key=lambda t: len(t[0]), reverse=True)),
        labels=labels,
        columns=columns,
        levels1=levels1,
        levels2=levels2,
        parents_of={c: tuple(level2.parents) for c, level2 in spec.indicators.level2.items()},
        hints_of={c: tuple(folder.normalise(h) for h in level2.hints) for c, level2 in spec.indicators.level2.items()},
        totals=frozenset(totals),
        units=units,
        unit_re=_alternation(units),
        pages=re.compile("|".join(_template(t) for t in spec.noise.pages) or r"(?!)"),
        helps=tuple(folder.normalise(t) for t in spec.noise.help_texts),
        column_parts={block: _pieces(labels) for block, labels in columns.items()},
        column_starts={
            block: frozenset(k[:n] for k in labels for n in range(1, len(k) + 1)) for block, labels in columns.items()
        },
    )


def _pieces(labels: Iterable[str]) -> frozenset[str]:
    """Every piece of the labels (each run of their characters): what a label printed over lines is cut into."""
    return frozenset(label[i:j] for label in labels for i in range(len(label)) for j in range(i + 1, len(label) + 1))
