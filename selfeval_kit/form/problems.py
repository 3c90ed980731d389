"""pydantic's validation errors of a form as `Problem`s, in the user's language.

`problem` turns one of pydantic's errors into a Problem naming the field path; its message is
pydantic's (or the form model's) in English, translated by the error's type and context where the
catalogue has it (`selfeval_kit.i18n`). `field_path` writes a location as ``indicators[3].weight``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from selfeval_kit.errors import Problem
from selfeval_kit.form.model import LIMIT_ERROR, Form
from selfeval_kit.i18n import N_, _, ngettext

__all__ = ["field_path", "problem"]


def field_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the last element of loc, for listing allowed keys."""
    model: Any = Form
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", None)
        model = args[0] if args and getattr(annotation, "__origin__", None) is list else annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


# pydantic's messages by error type (its stable codes), in its words.
_PYDANTIC = {
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": N_("Input should be a valid integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "string_type": N_("Input should be a valid string"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than": N_("Input should be less than {lt}"),
    "literal_error": N_("Input should be {expected}"),
    "finite_number": N_("Input should be a finite number"),
    "dict_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
}
# Those with a count, by the field that counts: a singular and a plural (constraints the model has).
_COUNTED = {
    "too_short": (
        "min_length",
        N_("{field_type} should have at least {min_length} item after validation, not {actual_length}"),
        N_("{field_type} should have at least {min_length} items after validation, not {actual_length}"),
    ),
    "string_too_short": (
        "min_length",
        N_("String should have at least {min_length} character"),
        N_("String should have at least {min_length} characters"),
    ),
}
# The form model's own messages (form.model: value errors and custom errors), as it renders them.
_MODEL_MESSAGES = (
    N_("not a plausible amount: expected 0 or from {low} to {high} in the form's unit"),
    N_("{chars} characters, at most {limit} allowed"),
    N_(
        "id must be 1-64 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit, "
        "without '..' (it names files and URLs)"
    ),
    N_(
        "id {id} is reserved: the build writes its own pages under the names index, annual and "
        "annual-<year> (and notebooks), in any case; choose another id"
    ),
    N_("not a 一级指标 label: did you mean {near}? (expected one of {known})"),
    N_("{count} indicators, at most {limit} allowed"),
    N_("the form's text fields hold {chars} characters in all, at most {limit} allowed"),
)
_MODEL_PATTERNS = [  # each message as a pattern, a placeholder a named group
    (re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.*?)", re.escape(template)), re.DOTALL), template)
    for template in _MODEL_MESSAGES
]


def _templates(kind: str, ctx: dict[str, Any], message: str) -> tuple[str, str, dict[str, Any]] | None:
    """A message's English template, its translation and its fields; None for a message not known."""
    if kind in _PYDANTIC:
        return _PYDANTIC[kind], _(_PYDANTIC[kind]), ctx
    if kind in _COUNTED:
        field, one, many = _COUNTED[kind]
        n = ctx.get(field, 0)
        return (one if n == 1 else many), ngettext(one, many, n), ctx
    for pattern, template in _MODEL_PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return template, _(template), found.groupdict()
    return None


def _translated(kind: str, ctx: dict[str, Any], message: str) -> str:
    """pydantic's or the model's `message` in the user's language; in English, `message` itself.

    English keeps pydantic's text, which renders numbers its way (``100``, not ``100.0``).
    """
    known = _templates(kind, ctx, message)
    if known is None or known[1] == known[0]:  # English, or no translation
        return message
    fields = {key: int(v) if isinstance(v, float) and v.is_integer() else v for key, v in known[2].items()}
    if "expected" in fields:  # a literal's choices: "'元' or '万元'"
        fields["expected"] = str(fields["expected"]).replace(" or ", _(" or "))
    if fields.get("field_type") == "List":
        fields["field_type"] = _("List")
    try:
        return known[1].format(**fields)
    except (KeyError, IndexError, ValueError):  # a translation naming a field the error does not give
        return message


def problem(file: str, err: Any) -> Problem:
    """A Problem for one of pydantic's validation errors."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    if kind == "missing":
        return Problem(file, field_path(loc), _("required field is missing"))
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = _("; allowed here: {keys}").format(keys=", ".join(model.model_fields)) if model else ""
        return Problem(file, field_path(loc), _("unknown key (check its spelling)") + allowed)
    message = err.get("msg") or _("invalid value")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    message = _translated(kind, err.get("ctx") or {}, message)
    return Problem(file, field_path(loc), message, value, has_value=kind != LIMIT_ERROR)
