"""Selectors from the catalogue: CSS, or a plain XPath 1.0 path; nothing that reads elsewhere.

A selector picks elements of a fetched page (``selector``, ``drop``, ``link_selector``). It is
data from the catalogue, so it is checked when the catalogue is loaded, by an allowlist:

- CSS as lxml's cssselect accepts it (what ``feeds.read.html`` compiles). Its translation to
  XPath is checked like an XPath below (cssselect only ever emits the safe functions, and
  ``lower-case`` of lxml's own namespace for ``:contains()``).
- Otherwise an XPath 1.0 expression, read token by token (the XPath 1.0 lexical rules): every
  function it calls must be one of the XPath 1.0 core functions that look only at the
  document (:data:`SAFE_FUNCTIONS`); no variables, no prefixed (extension) functions or
  names, nothing beyond XPath 1.0 syntax (``Q{...}``, ``=>``, ``!``, ``{...}``). Functions that
  read files, addresses or the environment, such as ``doc``, ``document``, ``unparsed-text``,
  ``collection`` or ``environment-variable``, are refused by name with that reason.

:func:`check_selector` raises :class:`SelectorError` (``feeds.errors``; also a ValueError)
saying why and what to write instead; :func:`compile_selector` gives the compiled, checked selector.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from cssselect import SelectorError as CssError
from lxml import etree
from lxml.cssselect import CSSSelector

from feeds.errors import SelectorError

#: the XPath 1.0 core functions: each looks only at the document being selected from
SAFE_FUNCTIONS = frozenset(
    {
        "last",
        "position",
        "count",
        "id",
        "local-name",
        "namespace-uri",
        "name",
        "string",
        "concat",
        "starts-with",
        "contains",
        "substring-before",
        "substring-after",
        "substring",
        "string-length",
        "normalize-space",
        "translate",
        "boolean",
        "not",
        "true",
        "false",
        "lang",
        "number",
        "sum",
        "floor",
        "ceiling",
        "round",
    }
)
#: node tests written like calls: ``text()``, ``node()``, ...
NODE_TYPES = frozenset({"comment", "text", "processing-instruction", "node"})
#: functions (XPath 2-3.1, XSLT, XQuery) known to read files, addresses or the environment;
#: refused like any other unknown function, with this reason named
READING_FUNCTIONS = frozenset(
    {
        "doc",
        "doc-available",
        "document",
        "unparsed-text",
        "unparsed-text-lines",
        "unparsed-text-available",
        "unparsed-entity-uri",
        "collection",
        "uri-collection",
        "environment-variable",
        "available-environment-variables",
        "json-doc",
        "system-property",
        "transform",
        "load-xquery-module",
        "put",
        "send-request",
    }
)
#: what cssselect's lxml translator adds for ``:contains()``: an in-memory lower-casing
_CSS_INTERNAL = frozenset({"__lxml_internal_css:lower-case"})
OPERATOR_NAMES = frozenset({"and", "or", "mod", "div"})
MAX_SELECTOR_LENGTH = 1000

_NCNAME = r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<literal>"[^"]*"|'[^']*')
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<variable>\$)
  | (?P<name>{_NCNAME}(?::(?!:)(?:{_NCNAME}|\*))?)
  | (?P<punct>::|\.\.|//|!=|<=|>=|[()\[\].@,/|+\-=<>*])
    """,
    re.VERBOSE,
)
_OPERATORS = frozenset({"/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">="})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def check_selector(selector: str) -> Literal["css", "xpath"]:
    """Which kind of selector this is, once checked; raises SelectorError if it is neither
    CSS nor an XPath 1.0 path that calls only :data:`SAFE_FUNCTIONS`."""
    _check_size(selector)
    try:
        path = CSSSelector(selector).path
    except (CssError, etree.XPathError, ValueError) as exc:
        css_error = f"{type(exc).__name__}: {exc}"
    else:
        _check_css(selector, path)
        return "css"
    xpath_error = _xpath_problem(selector)
    if xpath_error is None:
        return "xpath"
    if _looks_like_xpath(selector):
        raise SelectorError(f"selector {selector!r} is refused: {xpath_error}")
    raise SelectorError(
        f"selector {selector!r} is neither CSS ({css_error}) nor a plain XPath "
        f"({xpath_error}); write a CSS selector such as 'main article'"
    )


@functools.lru_cache(maxsize=512)
def compile_selector(selector: str) -> etree.XPath:
    """The checked selector, compiled (CSS is translated to XPath); raises SelectorError."""
    if check_selector(selector) == "css":
        return CSSSelector(selector)
    return etree.XPath(selector)


def _check_size(selector: str) -> None:
    if not selector.strip():
        raise SelectorError("a selector must not be empty")
    if len(selector) > MAX_SELECTOR_LENGTH:
        raise SelectorError(
            f"a selector of {len(selector)} characters is refused (at most "
            f"{MAX_SELECTOR_LENGTH}); select a container instead of listing elements"
        )


def _looks_like_xpath(selector: str) -> bool:
    return selector.lstrip().startswith(("/", "(", ".", "@")) or "(" in selector


def _check_css(selector: str, path: str) -> None:
    """Refuse CSS that cssselect parsed but that we do not run: namespaces, and anything
    whose translation calls more than the safe functions (a guard against a future
    translator)."""
    if _uses_namespace(selector):
        raise SelectorError(
            f"selector {selector!r} is refused: CSS namespace prefixes (ns|name) are not "
            "supported; select by element name, class or id"
        )
    problem = _path_problem(path, allowed_prefixed=_CSS_INTERNAL)
    if problem is not None:
        raise SelectorError(f"selector {selector!r} is refused: its XPath translation {problem}")


def _uses_namespace(selector: str) -> bool:
    """A '|' outside quotes and attribute operators (``|=``) is a CSS namespace prefix."""
    unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "", selector)
    return bool(re.search(r"\|(?!=)", unquoted))


def _xpath_problem(selector: str) -> str | None:
    """Why ``selector`` is not an acceptable XPath, or None if it is."""
    problem = _path_problem(selector, allowed_prefixed=frozenset())
    if problem is not None:
        return problem
    try:
        found = etree.XPath(selector)(etree.fromstring("<html><body/></html>"))
    except etree.XPathError as exc:
        return f"it is not valid XPath 1.0: {exc}"
    if not isinstance(found, list):
        return "it does not select elements (it computes a value)"
    return None


def _path_problem(path: str, allowed_prefixed: frozenset[str]) -> str | None:
    """The first refused token of an XPath expression, as a reason; None if all are allowed."""
    try:
        tokens = tokenize(path)
    except SelectorError as exc:
        return str(exc)
    for index, (token, role) in enumerate(zip(tokens, roles(tokens), strict=True)):
        if token.kind == "variable":
            return "it uses a variable ($...); selectors take no variables"
        if role == "call":
            problem = _call_problem(token.text, allowed_prefixed)
        elif role == "name" and ":" in token.text and token.text not in allowed_prefixed:
            problem = f"it uses the prefixed name {token.text!r}; namespaces are not supported"
        else:
            problem = None
        if problem is not None:
            return f"{problem} (at token {index + 1})"
    return None


def _call_problem(name: str, allowed_prefixed: frozenset[str]) -> str | None:
    if name in SAFE_FUNCTIONS or name in NODE_TYPES or name in allowed_prefixed:
        return None
    local = name.rsplit(":", 1)[-1]
    if local in READING_FUNCTIONS:
        return (
            f"it calls {name}(), which reads files, addresses or the environment; a selector "
            "may only look at the fetched page"
        )
    return (
        f"it calls {name}(), which is not an XPath 1.0 function a selector may use "
        f"(allowed: {', '.join(sorted(SAFE_FUNCTIONS))})"
    )


def roles(tokens: list[Token]) -> list[str]:
    """The role of every token by the XPath 1.0 disambiguation rules (section 3.7): a name or
    ``*`` right after an operand is an operator; a name followed by '(' is a function call or
    node type test; other names are name tests. Roles: operator, call, name, other."""
    result: list[str] = []
    after_operand = False
    for index, token in enumerate(tokens):
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        role = _role(token, following, after_operand)
        result.append(role)
        after_operand = _ends_operand(token, role)
    return result


def _role(token: Token, following: str, after_operand: bool) -> str:
    if token.kind == "name" and after_operand and token.text in OPERATOR_NAMES:
        return "operator"
    if token.kind == "punct" and token.text == "*":
        return "operator" if after_operand else "name"
    if token.kind == "name":
        return "call" if following == "(" else "name"
    if token.kind == "punct" and token.text in _OPERATORS:
        return "operator"
    return "other"


def _ends_operand(token: Token, role: str) -> bool:
    """Whether the next name or '*' is in operator position after this token."""
    if role in ("operator", "call"):
        return False
    return token.text not in ("@", "::", "(", "[", ",")


def tokenize(expression: str) -> list[Token]:
    """XPath 1.0 tokens (white space dropped); raises SelectorError at anything else."""
    tokens: list[Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise SelectorError(
                f"{expression[position : position + 10]!r} at position {position} is not XPath 1.0"
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group()))
        position = match.end()
    return tokens
