"""What every HTTP route shares: the store dependency, cached responses with one ETag rule, the
API error type and the claim search parameters.

The JSON API (``api.py``, ``factcheck_api.py``, ``citations_api.py``) and the pages (``web.py``)
import from here; none of them defines its own version. Domain logic stays out: this module only
turns requests into calls on ``Store`` and results into responses.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from app import problems
from app.claims_schema import SLUG, Slug
from app.search import MAX_QUERY_CHARS
from app.settings import Settings
from app.store import ClaimQuery, Store
from app.vocab import Certainty, SortOrder, Verdict

# --- dependencies -------------------------------------------------------------------------------


def get_store(request: Request) -> Store:
    """The process's ``Store`` (one per app, created by ``main.create_app``)."""
    return request.app.state.store  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    """The app's settings (those given to ``create_app``, not re-read from the environment)."""
    return request.app.state.settings  # type: ignore[no-any-return]


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# --- errors -------------------------------------------------------------------------------------


class ApiError(HTTPException):
    """A 4xx or 5xx with the project's error ``code``; ``main.py`` renders it as
    ``{"error": {"status", "code", "message", "details"}}`` (or as the HTML error page)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        page_message: str | None = None,
    ):
        super().__init__(status, detail=message, headers=headers)
        self.code = code
        self.details = details or []
        #: What the HTML error page says instead of ``message``, when that is for whoever runs
        #: the server (a setting's name) and not for a reader.
        self.page_message = page_message


def error_json(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> bytes:
    """The one serializer of every error body, from a route or from a middleware that refuses
    before routing (``app.guard``, ``app.ratelimit``): compact UTF-8 JSON
    ``{"error": {"status", "code", "message", "details"}}``."""
    return dumps({"error": {"status": status, "code": code, "message": message, "details": details or []}})


def wants_html(path: str, accept: str) -> bool:
    """Whether an error answers with the friendly HTML page rather than JSON: pages (not
    ``/api/`` or ``/openapi.json``) for clients that accept HTML, curl's ``*/*`` included, unless
    they ask for JSON only. ``accept``: the ``Accept`` header ("" when absent)."""
    if path.startswith(("/api/", "/openapi.json")):
        return False
    accept = accept or "*/*"
    return "text/html" in accept or "json" not in accept


class ResponseTooLarge(ApiError):
    """422 ``response-too-large``: the answer would pass ``Settings.max_response_bytes``.
    ``advice`` says what to ask for instead (a narrower scope, a download)."""

    def __init__(self, size: int, cap: int, advice: str = "ask for less (a smaller limit or scope)"):
        super().__init__(
            422,
            "response-too-large",
            f"The answer would be about {size:,} bytes, more than this server sends in one response "
            f"({cap:,}); {advice}.",
        )


def check_response_size(size: int, cap: int, advice: str | None = None) -> None:
    """The one response-size rule (``Settings.max_response_bytes``): raise ``ResponseTooLarge``
    when ``size`` (bytes, exact or estimated before the work) passes ``cap``. Routes whose answer
    grows with the knowledge base or the request call it before producing the body;
    ``app.guard`` applies it to every other response."""
    if size > cap:
        raise ResponseTooLarge(size, cap, *([advice] if advice else []))


class NotFound(ApiError):
    """404 for an unknown claim, study or page: code ``<what>-not-found``."""

    def __init__(self, what: str, key: str):
        super().__init__(404, f"{what}-not-found", f"No {what} with id '{key}'.")


# --- JSON bodies -------------------------------------------------------------------------------


def json_body(raw: bytes) -> bytes:
    """A JSON request body as parsed: without a leading UTF-8 byte-order mark, which RFC 8259
    (section 8.1) lets a parser ignore and Windows tools write (the parser took it for the first
    value: "expected value at line 1 column 1")."""
    return raw.removeprefix(codecs.BOM_UTF8)


#: Byte-order marks of encodings JSON may not be sent in (UTF-32's first: it starts as UTF-16's).
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF8_ONLY = "send JSON in UTF-8 (RFC 8259)."


def unreadable_json(raw: bytes) -> ApiError | None:
    """422 ``invalid-request`` saying what is wrong with the characters of a body the JSON parser
    refused (``raw`` after ``json_body``), or None when they are fine and the parser's own
    message (a syntax error, with its line and column) is the one to give.

    The characters: another encoding than UTF-8 (a UTF-16 or UTF-32 byte-order mark, NUL bytes,
    a byte that starts no UTF-8 character, with its offset) or a string holding half of a UTF-16
    surrogate pair (the escape ``\\ud800`` alone), with its field and position, which the
    parser reports as "unexpected end of hex escape" or "lone leading surrogate"."""
    for bom, name in _OTHER_BOMS:
        if raw.startswith(bom):
            return _body_error(f"The body is {name} (it starts with a {name} byte-order mark); {_UTF8_ONLY}")
    if b"\x00" in raw:
        return _body_error(f"The body holds NUL bytes (UTF-16 or UTF-32 text, most likely); {_UTF8_ONLY}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return _body_error(
            f"The body is not UTF-8: the byte 0x{raw[exc.start]:02x} at byte {exc.start:,} (line {line}) "
            f"cannot be read there ({exc.reason}); {_UTF8_ONLY}"
        )
    try:  # Python's parser reads a lone surrogate escape into the string: find where it is
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    details = [{"in": "body", "field": field, "message": message} for field, message in _surrogates(value)]
    if not details:
        return None
    return ApiError(422, "invalid-request", " ".join(d["message"] for d in details), details=details)


def _body_error(message: str) -> ApiError:
    return ApiError(
        422, "invalid-request", message, details=[{"in": "body", "field": "", "message": message}]
    )


def _surrogates(value: Any) -> list[tuple[str, str]]:
    """``(field, message)`` for each string or key of a parsed JSON ``value`` holding an unpaired
    surrogate, in the body's order (at most ``MAX_ERRORS``); the field is the dotted path
    (``posts.1.text``). A stack, not recursion: the value may nest as deep as the parser went."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any, bool]] = [("", value, False)]  # (path, node, node is a key)
    while stack and len(found) < MAX_ERRORS:
        path, node, is_key = stack.pop()
        if isinstance(node, str):
            if match := _SURROGATE.search(node):
                subject = f"The key {node!a}" if is_key else f"The field {path}" if path else "The body"
                found.append((path, _surrogate_problem(subject, match)))
        elif isinstance(node, dict | list):
            items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            for key, item in reversed(items):  # reversed onto the stack: the first comes off first
                stack.append((f"{path}.{key}" if path else str(key), item, False))
                if isinstance(key, str):
                    stack.append((path, key, True))
    return found


def _surrogate_problem(subject: str, match: re.Match[str]) -> str:
    return (
        f"{subject} holds an unpaired surrogate (\\u{ord(match[0]):04x}) at position {match.start():,} "
        "(counting characters from 0), half of a UTF-16 pair and no character; remove it, or send "
        "the whole pair (as \\ud83d\\ude00 for 😀)."
    )


# --- cached responses ---------------------------------------------------------------------------


def dumps(doc: Any) -> bytes:
    """Compact UTF-8 JSON (dates and other non-JSON values as strings)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 If-None-Match: '*', or a list of tags compared weakly (a proxy may add W/)."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def make_etag(generation: str | None, kind: str, key: object) -> str:
    """A strong ETag valid for one build: the generation, the kind of document, and the key
    (hashed when it is not a short plain string, e.g. a citation scope)."""
    if not isinstance(key, str) or len(key) > 100 or not key.isprintable():
        key = hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest()
    return f'"{generation}-{kind}-{key}"'


def cached_response(
    request: Request,
    body: bytes,
    *,
    etag: str | None = None,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """``body`` with ``Cache-Control: no-cache`` and its ETag, or a 304 when the client has it."""
    all_headers = {"Cache-Control": "no-cache", **(headers or {})}
    if etag:
        all_headers["ETag"] = etag
        if etag_matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)


_MISSING = object()


async def cached_document(
    request: Request,
    kind: str,
    key: Any,
    load: Callable[[], Any],
    what: str,
    *,
    render: Callable[[Any], bytes] = dumps,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """Serve a document from the per-build cache, rendering and caching it on a miss.

    A hit costs a dictionary look-up (plus a stat call on SQLite); a miss goes to the database in
    the threadpool so the event loop never blocks on I/O. ``load`` returns the document (None:
    404 ``<what>-not-found``; it may also raise an ``ApiError``); ``render`` turns it into the
    response body (JSON by default, an HTML page in ``web.py``, a citation file).
    """
    store = get_store(request)
    body = store.peek(kind, key, _MISSING)
    if body is _MISSING:
        body = await run_in_threadpool(store.cached, kind, key, lambda: _render(load(), render))
    if body is None:
        raise NotFound(what, str(key))
    etag = make_etag(store.current_generation, kind, key)
    return cached_response(request, body, etag=etag, media_type=media_type, headers=headers)


def _render(doc: Any, render: Callable[[Any], bytes]) -> bytes | None:
    return None if doc is None else render(doc)


# --- query parameters as the OpenAPI document writes them ---------------------------------------
#
# FastAPI validates query strings in pydantic's lax mode, which accepts more than the schema says
# ("limit=+1", "limit=1_0", "cited=yes", "cited=1"). These validators make a parameter accept
# exactly the values its schema describes: integers in ASCII digits (1.0 included, as JSON Schema
# counts it), booleans "true" or "false".

_INTEGER = re.compile(r"(-?)([0-9]+)(?:\.0+)?")  # JSON Schema: 1.0 is an integer too
_BIG_INTEGER = "1" + "0" * 30  # what a longer number is checked as: out of every range, and cheap


def _schema_int(value: object) -> object:
    if isinstance(value, str):
        match = _INTEGER.fullmatch(value)
        if not match:
            raise PydanticCustomError(
                "int_parsing", "Input should be a whole number written in the digits 0-9"
            )
        if len(match[2]) > len(_BIG_INTEGER):  # still a number: the range check says what is allowed
            return match[1] + _BIG_INTEGER
    return value


def _schema_bool(value: object) -> object:
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise PydanticCustomError("bool_parsing", "Input should be true or false")
        return value == "true"
    return value


#: Put after ``Query(...)`` in ``Annotated[int, Query(ge=1), SchemaInt]`` (after, so that the
#: schema keeps its ``minimum``/``maximum``).
SchemaInt = BeforeValidator(_schema_int)
SchemaBool = BeforeValidator(_schema_bool)


def plain_problem(error: dict[str, Any], subject: str | None = None) -> str:
    """One pydantic validation error (``RequestValidationError.errors()`` item) as a sentence for
    people: names the parameter (or body field), says what is allowed and what was sent.

    "The parameter topic must be an id of lower-case letters, digits and hyphens (like
    knee-pain); 'Knee Pain' is not." An empty value says to leave the parameter out. The one
    wording of validation errors: every 4xx of the API and the pages (``main.describe_error``)
    and the command line's configuration errors (``subject``: the variable, ``EVIDENCE_KB_...``);
    never pydantic's own sentence ("Input should be a valid list")."""
    loc = [str(p) for p in error.get("loc", ())]
    where, path = (loc[0], loc[1:]) if loc and loc[0] in ("query", "path", "body", "header") else ("", loc)
    subject = subject or _subject(where, path)
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    special = _own_wording(kind, subject, error, ctx)
    if special is not None:
        return special
    if where == "body" and (typed := _json_typed(kind, subject, error.get("input"))):
        return typed
    allowed = _allowed(kind, ctx, str(error.get("msg", "")))
    if allowed is None:  # rare: a kind none of our fields has; pydantic's reason, in our frame
        return _in_our_words(subject, str(error.get("msg", "")))
    value = error.get("input")
    if value == "" and where == "query":  # a blank parameter: leaving it out gives the default
        return f"{subject} is empty: leave it out, or give {allowed}."
    if kind in ("too_short", "too_long") and "actual_length" in ctx:  # a list: say how many came
        return f"{subject} must hold {allowed}; {_count(ctx['actual_length'], 'was', 'were')} sent."
    if kind in ("string_too_short", "string_too_long") and isinstance(value, str):
        return f"{subject} must be {allowed}; {_count(len(value), 'was', 'were')} sent."
    return f"{subject} must be {allowed}{_shown(value)}."


_INT_KINDS = frozenset({"int_parsing", "int_type", "int_from_float"})
_NUMBER_KINDS = _INT_KINDS | {"float_type", "float_parsing"}


def _json_typed(kind: str, subject: str, value: object) -> str | None:
    """A JSON body's wrong type in JSON's words: a number or boolean sent as a string ("limit":
    "5") is "must be a JSON number, not a string", as the digits are right and the quotes are
    not (the query string's "written in the digits 0-9" misled); a fraction where a whole number
    goes is "must be a whole number". None for other errors."""
    if isinstance(value, str) and kind in _NUMBER_KINDS:
        return f"{subject} must be a JSON number, not a string ({_cut(value)!r})."
    if isinstance(value, str) and kind in ("bool_parsing", "bool_type"):
        return f"{subject} must be true or false (a JSON boolean), not a string ({_cut(value)!r})."
    if kind in _INT_KINDS and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{subject} must be a whole number; {value!r} is not."
    if kind in _NUMBER_KINDS and (isinstance(value, bool) or value is None or isinstance(value, list | dict)):
        return f"{subject} must be a JSON number, not {_json_kind(value)}."
    return None


def _json_kind(value: object) -> str:
    """What a decoded JSON value is, in JSON's words ("true", "null", "an array")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else "an array" if isinstance(value, list) else "an object"


def _cut(value: str) -> str:
    return value[:40] + "…" if len(value) > 40 else value


def _subject(where: str, path: list[str]) -> str:
    """How an error names what it is about: a query parameter, a part of the address or a field."""
    if where == "query":  # repeated parameters: topic.0 is still the parameter "topic"
        name = str(path[0]) if path else ""
        if not name:  # "?=x": said plainly, not "The parameter  is not known here"
            return "A parameter with an empty name (nothing before its '=')"
        if not name.strip():
            return f"A parameter whose name is only spaces ('{name}')"
        return f"The parameter {name}"
    if where == "path":
        return f"The address part {'.'.join(path)}"
    return f"The field {'.'.join(path)}" if path else "The request"


def _own_wording(kind: str, subject: str, error: dict[str, Any], ctx: dict[str, Any]) -> str | None:
    """The sentence for the kinds that are not "must be X": missing, unknown or repeated, and the
    project's own checks (whose message is what follows the subject). None for the others."""
    msg = str(error.get("msg", ""))
    if kind == "missing":  # ctx "expected" when the route knows the values (main.with_expected)
        return (
            f"{subject} is required; give one of {ctx['expected']}."
            if ctx.get("expected")
            else f"{subject} is required."
        )
    if kind == "duplicate_id":  # factcheck_api.post_ids: the message is what follows the subject
        return f"{subject} {msg or 'must be unique'}."
    if kind == "unknown_parameter":  # publish_http.reject_unknown_query: "... (accepted: a, b)"
        return f"{subject} is not known here{msg.removeprefix('unknown query parameter')}."
    if kind == "repeated_parameter":  # publish_http.reject_unknown_query; input: the values
        values = error.get("input") or []
        shown = ", ".join(repr(v[:40]) for v in values[:5]) + (", ..." if len(values) > 5 else "")
        return f"{subject} takes one value and was given {len(values)} ({shown}); give it once."
    if kind == "repeated_field":  # publish_http: a form field sent twice; input: the values
        values = error.get("input") or []
        shown = ", ".join(repr(v[:40]) for v in values[:5]) + (", ..." if len(values) > 5 else "")
        times = "twice" if len(values) == 2 else f"{len(values)} times"
        return f"{subject} appears {times} in the form ({shown}); send it once."
    if kind == "extra_forbidden":  # a JSON body's unknown field; ctx "accepted" when the route knows,
        # "instead" when another route takes it ({"posts": [...]} sent to the single fact-check)
        accepted = f" (accepted: {ctx['accepted']})" if ctx.get("accepted") else ""
        if ctx.get("instead"):
            return f"{subject} is not known here{accepted}; it belongs to {ctx['instead']}."
        return f"{subject} is not known here{accepted}; leave it out."
    if kind == "blank":  # factcheck_api: the message is what follows the subject
        return f"{subject} {msg}."
    if kind == "value_error":  # our own validators: pydantic prefixes "Value error, "
        return f"{subject}: {msg.removeprefix('Value error, ')}."
    return None


#: What a value must be, for the pydantic error kinds whose rule has no parameter.
_FIXED = {
    "int_parsing": "a whole number written in the digits 0-9",
    "int_type": "a whole number written in the digits 0-9",
    "int_from_float": "a whole number written in the digits 0-9",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text (a JSON string)",
    "list_type": "a list (a JSON array)",
    "model_type": "an object (a JSON object with named fields)",
    "model_attributes_type": "an object (a JSON object with named fields)",
    "dict_type": "an object (a JSON object with named fields)",
    "mapping_type": "an object (a JSON object with named fields)",
    "tuple_type": "a list (a JSON array)",
    "set_type": "a list (a JSON array)",
    "frozen_set_type": "a list (a JSON array)",
    "iterable_type": "a list (a JSON array)",
    "float_type": "a number",
    "float_parsing": "a number",
    "json_type": "JSON text",
    "json_invalid": "valid JSON",
}
#: The kinds with a limit: the ``ctx`` key holding it, the words around it and, for a length,
#: its unit (a length is prose, "10,000 characters"; a value to send is written as it is sent,
#: 1000000).
_LIMITS: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    "greater_than_equal": ("ge", "a number of at least {}", None),
    "greater_than": ("gt", "a number above {}", None),
    "less_than_equal": ("le", "a number of at most {}", None),
    "less_than": ("lt", "a number below {}", None),
    "string_too_long": ("max_length", "at most {} long", ("character", "characters")),
    "string_too_short": ("min_length", "at least {} long", ("character", "characters")),
    "too_long": ("max_length", "at most {}", ("item", "items")),
    "too_short": ("min_length", "at least {}", ("item", "items")),
    "string_pattern_mismatch": ("pattern", "text matching {}", None),
    "enum": ("expected", "one of {}", None),
    "literal_error": ("expected", "one of {}", None),
}


def _allowed(kind: str, ctx: dict[str, Any], msg: str) -> str | None:
    """What a value of this pydantic error ``kind`` must be, as the words after "must be" (after
    "must hold" for a list's length), with the limit from the error's ``ctx`` (pydantic v2 puts
    ``min_length``, ``max_length``, ``ge``, ``le``, ``gt``, ``lt``, ``pattern``, ``expected``
    there). An unlisted kind whose message is "Input should be X" gives X; None: no plain form."""
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == SLUG.pattern:
        return "an id of lower-case letters, digits and hyphens (like knee-pain)"
    if kind in _FIXED:
        return _FIXED[kind]
    if kind in _LIMITS:
        key, words, unit = _LIMITS[kind]
        limit = ctx.get(key)
        if limit is None:
            return None
        return words.format(_count(limit, *unit) if unit else limit)
    if msg.startswith("Input should be "):  # pydantic's wording of "must be": keep what follows
        return msg.removeprefix("Input should be ").rstrip(".")
    return None


#: pydantic's "X should (not) be/have/contain Y" ("Keys should be strings", "Decimal input should
#: have no more than 4 digits in total"): what follows "should" is what a value must be.
_SHOULD = re.compile(r"^[A-Z][\w ]*? should (not )?(be|have|contain) (.+?)\.?$", re.DOTALL)


def _in_our_words(subject: str, msg: str) -> str:
    """The sentence for an error kind with no wording of ours: "<subject> must (not) <what
    pydantic says it should>", else "<subject> is not valid (<pydantic's reason>)"."""
    should = _SHOULD.match(msg)
    if should:
        return f"{subject} must {should[1] or ''}{should[2]} {should[3]}."
    reason = msg.strip().rstrip(".")
    if reason[1:2].islower():  # "Invalid ..." -> "invalid ...", but "URL ..." stays
        reason = reason[:1].lower() + reason[1:]
    return f"{subject} is not valid ({reason})." if reason else f"{subject} is not valid."


def expected_values(annotation: Any) -> str | None:
    """ "'a', 'b' or 'c'" for an Enum or Literal annotation (pydantic's wording of the values of
    an enum error), or None for any other type."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = [str(member.value) for member in annotation]
    elif get_origin(annotation) is Literal:
        values = [str(v) for v in get_args(annotation)]
    else:
        return None
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _shown(value: object) -> str:
    """ "; 'Knee Pain' is not" for a value worth echoing (text cut at 40 characters)."""
    if isinstance(value, str) and len(value) > 40:
        value = value[:40] + "…"
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"; {value!r} is not"
    return ""


#: A 422 lists at most this many problems (a body with 500,000 unknown fields gets 20; the query
#: string is bounded before parsing by ``Settings.max_query_params``, ``app.guard``).
MAX_ERRORS = 20


# --- claim search parameters --------------------------------------------------------------------


def query_text(q: str) -> str:
    """A search text as the pages and the API all read it: control characters (NUL, escapes,
    line breaks; Unicode category Cc) become spaces, then surrounding spaces go. One rule for every
    ``q`` parameter, so nothing unprintable reaches the search, a page or its ``<title>``."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in q).strip()


#: The ``q`` parameter of every search: bounded, cleaned by ``query_text``.
QueryText = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Full-text query")]


def unknown_topics(topics: list[str], known: frozenset[str]) -> ApiError | None:
    """404 ``topic-not-found`` for the topics that no claim of the build has (an id of the data,
    like an unknown claim or study; the schema cannot list them), worded by
    ``problems.unknown_topics`` as ``evidence-kb export`` says it, one detail per topic."""
    found = problems.unknown_topics(topics, known)
    if found is None:
        return None
    details = [{"in": "query", "field": f"topic.{i}", "message": message} for i, message in found.each()]
    return ApiError(404, "topic-not-found", str(found), details=details)


def claim_filters(
    request: Request,
    q: QueryText = "",
    topic: Annotated[
        list[Slug],
        Query(
            description="Topic slug (a topic of the claims; another is 404 topic-not-found); repeat for several (any of them)"
        ),
    ] = [],  # noqa: B006
    verdict: Annotated[list[Verdict], Query(description="Verdict; repeat for several (any of them)")] = [],  # noqa: B006
    grade: Annotated[list[Certainty], Query(description="Evidence grade; repeatable (any of them)")] = [],  # noqa: B006
) -> ClaimQuery:
    """The claim filters shared by ``/api/v1/claims``, ``/claims`` and ``/api/v1/citations``. A
    topic that no claim has is a 404 naming the topics (as an unknown claim or study is), not an
    empty result that reads as "no claims on this"."""
    if topic and (error := unknown_topics(list(topic), get_store(request).topic_ids())):
        raise error
    return ClaimQuery(q=query_text(q), topic=list(topic), verdict=list(verdict), grade=list(grade))


ClaimFiltersDep = Annotated[ClaimQuery, Depends(claim_filters)]
SortParam = Annotated[
    SortOrder | None,
    Query(description="Order; default: relevance with a query, the most repeated claims without"),
]


def claim_search(
    filters: ClaimFiltersDep,
    sort: SortParam = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Claims per page"), SchemaInt] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Claims to skip"), SchemaInt] = 0,
) -> ClaimQuery:
    """The filters plus order and paging: ``/api/v1/claims``."""
    filters.sort = sort or ""
    filters.limit = limit
    filters.offset = offset
    return filters


ClaimSearchDep = Annotated[ClaimQuery, Depends(claim_search)]
