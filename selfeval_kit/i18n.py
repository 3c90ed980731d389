"""The command's own messages in the user's language: Chinese when the locale is Chinese, else English.

The messages are written in English (the msgids) and looked up in the gettext catalogue
``locale/zh_CN/LC_MESSAGES/selfeval.mo`` (compiled from ``selfeval.po`` beside it with Babel).
The language is read from the environment as gettext reads it: the first of ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set (``LANGUAGE`` may list several,
``zh_CN:en``). A Chinese locale (``zh_CN``, any ``zh_*``, ``zh``) gives the zh_CN catalogue,
anything else English. Messages take named placeholders, filled after translation::

    _("wrote {path} ({n} forms)").format(path=out, n=len(portfolio))

The catalogue is opened on first use and kept; `reset` forgets it (tests change the environment).
"""

from __future__ import annotations

import gettext
import os
from functools import lru_cache
from pathlib import Path

__all__ = ["DOMAIN", "LOCALE_DIR", "N_", "_", "language", "ngettext", "reset"]

DOMAIN = "selfeval"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_CHINESE = "zh_CN"  # the one catalogue: every Chinese locale reads it
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order


def language() -> str:
    """The language of the messages, from the environment: ``"zh_CN"`` or ``"en"``.

    Returns
    -------
    str
        ``"zh_CN"`` when the first locale variable set names Chinese before it names English (or
        C/POSIX); ``"en"`` otherwise.
    """
    for variable in _ENVIRONMENT:
        value = os.environ.get(variable)
        if value:
            break
    else:
        return "en"
    for entry in value.split(":"):  # LANGUAGE lists languages by preference
        name = entry.split(".")[0].split("@")[0].lower()
        if name == "zh" or name.startswith("zh_"):
            return _CHINESE
        if name in ("c", "posix", "en") or name.startswith("en_"):
            return "en"  # the msgids are English: no catalogue needed, and none later in the list wins
    return "en"


@lru_cache(maxsize=1)
def _translations() -> gettext.NullTranslations:
    if language() != _CHINESE:
        return gettext.NullTranslations()
    # fallback: a missing or unreadable catalogue (a broken install) gives English, not a traceback
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[_CHINESE], fallback=True)


def _(message: str) -> str:
    """`message` in the user's language.

    Parameters
    ----------
    message
        The English text (the msgid), with ``{name}`` placeholders to fill afterwards.

    Returns
    -------
    str
        Its translation, or `message` itself when English is wanted or it has none.
    """
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The message for a count `n` in the user's language.

    Parameters
    ----------
    singular, plural
        The English texts for one and for several (the msgids).
    n
        The count that chooses the form.

    Returns
    -------
    str
        The translation of the form for `n` (Chinese has one form), or the English one.
    """
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:  # the gettext convention, which extractors know
    """Mark `message` for the catalogue without translating it now (a table built at import).

    Parameters
    ----------
    message
        The English text; pass it to `_` where it is shown.

    Returns
    -------
    str
        `message`, unchanged.
    """
    return message


def reset() -> None:
    """Forget the catalogue, so that the next message reads the environment again."""
    _translations.cache_clear()
