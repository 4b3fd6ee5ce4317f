"""Corrections to citeproc-py where it departs from the CSL 1.0.2 specification.

Written for citeproc-py 0.11 (``SUPPORTED`` below, the range pinned in pyproject.toml);
``patch_citeproc`` checks the installed version before it changes anything and refuses another,
because each correction replaces a method whose code it assumes.
"""

from __future__ import annotations

import threading
import unicodedata
from importlib.metadata import version
from typing import Any


def collation_key(text: str) -> str:
    """Alphabetical order as a reader expects it: 'Özden' with the Os, case ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


#: The citeproc-py releases these corrections are written for (pyproject.toml pins the same range).
SUPPORTED = ((0, 11), (0, 12))  # from 0.11 inclusive to 0.12 exclusive

_recording = threading.local()
_patch_lock = threading.Lock()


class UnsupportedCiteproc(RuntimeError):
    """The installed citeproc-py is not a release the corrections were written for."""


def _release(text: str) -> tuple[int, int]:
    major, minor, *_ = [*text.split("+")[0].split("."), "0", "0"][:3]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def check_version(installed: str | None = None) -> str:
    """The installed citeproc-py version; raises ``UnsupportedCiteproc`` outside ``SUPPORTED``."""
    installed = installed or version("citeproc-py")
    low, high = SUPPORTED
    if not low <= _release(installed) < high:
        raise UnsupportedCiteproc(
            f"citeproc-py {installed} is installed; app/citations_citeproc.py corrects "
            f"{low[0]}.{low[1]}.x only: check each correction against the new release, then "
            "widen SUPPORTED and the pin in pyproject.toml"
        )
    return installed


def patch_citeproc() -> None:
    """Apply the corrections below once per process (called before a style is first loaded).

    Raises ``UnsupportedCiteproc`` when another citeproc-py release is installed.
    """
    from citeproc import model

    with _patch_lock:
        if getattr(model, "_evidence_kb_patched", False):
            return
        check_version()
        _suppress_substituted_variables(model)
        _sort_by_collation_key(model)
        _date_parts_with_locale_delimiter(model)
        model._evidence_kb_patched = True


def _suppress_substituted_variables(model: Any) -> None:
    """CSL 1.0.2, cs:substitute: "Substituted variables are suppressed in the rest of the output
    to prevent duplication". citeproc-py 0.11 (``Substitute.render``) suppresses only a
    substitute that is a bare ``<text variable>``; through a macro (APA's
    ``author-title-substitute``) a work without author printed its title twice. We record the
    variables the substitute rendered and suppress those."""
    text_tag = f"{{{model.CitationStylesElement.nsmap['cs']}}}text"
    original_variable = model.Text._variable

    def _variable(self: Any, item: Any, context: Any) -> Any:
        value = original_variable(self, item, context)
        recorder = getattr(_recording, "variables", None)
        if recorder is not None and value:
            recorder.append(self.get("variable"))
        return value

    def _substitute(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        for child in self.getchildren():
            outer = getattr(_recording, "variables", None)
            rendered: list[Any] = []
            _recording.variables = rendered
            try:
                if isinstance(child, model.Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                continue
            finally:
                _recording.variables = outer
                if outer is not None:
                    outer.extend(rendered)
            if text:
                self.add_to_repressed_list(child, context)
                context.get_layout().repressed.setdefault(text_tag, []).extend(rendered)
                return text
        return None

    model.Text._variable = _variable
    model.Substitute.render = _substitute


def _sort_by_collation_key(model: Any) -> None:
    """CSL 1.0.2, sorting: keys compare "as a human would" (locale collation). citeproc-py 0.11
    (``Key.sort_keys``) compares code points, so 'Özden' came after 'Wang'. Keys are folded
    (accents and case removed) first."""
    original_sort_keys = model.Key.sort_keys

    def _sort_keys(self: Any, items: Any, context: Any) -> list[Any]:
        keys = original_sort_keys(self, items, context)
        return [collation_key(str(k)) if isinstance(k, str) else k for k in keys]

    model.Key.sort_keys = _sort_keys


def _date_parts_with_locale_delimiter(model: Any) -> None:
    """CSL 1.0.2, localized dates: the parts take the delimiters of the locale's cs:date.
    citeproc-py 0.11 (``Date.render_single_date``) joins them with the calling element's
    (none), so NLM dates came out as "2020Mar15" instead of "2020 Mar 15"."""

    def _render_single_date(self: Any, date: Any, show_parts: Any = None, context: Any = None) -> Any:
        parts = self.parts(date, show_parts, context) if context != self else self.parts(date, show_parts)
        return self.join(parts) if parts else None

    model.Date.render_single_date = _render_single_date
