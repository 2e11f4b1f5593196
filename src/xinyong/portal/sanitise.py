"""Cleaning article HTML: the allowlist of ``rules/portal.yaml`` applied with nh3 (ammonia), and a report to the
editor of what was removed.

``sanitise`` is called before an article body is stored: it returns the cleaned HTML and a warning per kind of
thing removed (scripts and other executable elements with their content, tags outside the allowlist, event
handlers, ``style`` and other attributes, links and images whose URL is not allowed), so nothing disappears
silently. ``clean_html`` is the same cleaning without the report, cheap enough to run again on every render
(defence in depth: a body written to the database by another path is still cleaned before it is shown).

The report comes from a scan of the input with the standard library's parser under the same policy; the cleaning
itself is nh3's alone, so a parser difference can at worst make a warning imprecise, never let markup through.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

import nh3

from xinyong.portal.rules import Sanitiser, portal_rules

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these before reading a scheme
URL_ATTRIBUTES = frozenset({"href", "src"})
SHOWN_URL = 60


@dataclass(frozen=True)
class Cleaned:
    """The cleaned HTML and what was removed from it (Chinese, one line per kind, with counts)."""

    html: str
    warnings: tuple[str, ...]


def url_allowed(url: str, schemes: tuple[str, ...] | frozenset[str], relative: bool) -> bool:
    """Whether ``url`` has one of ``schemes``, or is relative (a path, query or fragment) when ``relative``.
    Protocol-relative URLs (``//host/...``) count as neither: they leave the site with the page's scheme."""
    text = _IGNORED_IN_URL.sub("", url)
    if not text:
        return False
    if text.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    found = _SCHEME.match(text)
    if found:
        return found.group(1).lower() in {s.lower() for s in schemes}
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    if ":" in head:  # something scheme-like that is not a valid scheme (e.g. "java script:")
        return False
    return relative


def _attribute_filter(policy: Sanitiser) -> Callable[[str, str, str], str | None]:
    """nh3's per-attribute hook: links and images keep only the URLs their own schemes allow."""
    links, images = tuple(policy.link_schemes), tuple(policy.image_schemes)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute in URL_ATTRIBUTES:
            schemes = images if tag == "img" else links
            return value if url_allowed(value, schemes, policy.relative_urls) else None
        return value

    return keep


@cache
def _cleaner() -> nh3.Cleaner:
    policy = portal_rules().sanitiser
    return nh3.Cleaner(
        tags=set(policy.tags),
        clean_content_tags=set(policy.drop_with_content),
        attributes={tag: set(names) for tag, names in policy.attributes.items()},
        attribute_filter=_attribute_filter(policy),
        strip_comments=True,
        link_rel=policy.link_rel or None,
        url_schemes=set(policy.link_schemes) | set(policy.image_schemes),
        url_relative="pass_through" if policy.relative_urls else "deny",
    )


def clean_html(html: str) -> str:
    """``html`` cleaned with the portal's allowlist (no report)."""
    return _cleaner().clean(html or "")


def _shown(url: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]", "?", url.strip())
    return text if len(text) <= SHOWN_URL else text[: SHOWN_URL - 1] + "…"


class _Scan(HTMLParser):
    """Counts what the policy removes from a fragment."""

    def __init__(self, policy: Sanitiser) -> None:
        super().__init__(convert_charrefs=True)
        self.policy = policy
        self.allowed = set(policy.tags)
        self.dropped = set(policy.drop_with_content)
        self.found: Counter[str] = Counter()
        self.inside: list[str] = []  # open elements removed with their content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closes=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closes=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closes: bool) -> None:
        if self.inside:
            return
        if tag in self.dropped:
            self.found[f"删除了 <{tag}> 元素及其全部内容"] += 1
            if not closes and tag not in ("script", "style"):  # the parser reads those two's content as text
                self.inside.append(tag)
            return
        if tag not in self.allowed:
            self.found[f"删除了不允许的标签 <{tag}>（保留其中文字）"] += 1
            return
        kept = set(self.policy.attributes.get(tag, ()))
        names = {name for name, _ in attrs}
        for name, value in attrs:
            if name.startswith("on"):
                self.found[f"删除了事件属性 {name}（<{tag}>）"] += 1
            elif name == "style":
                self.found["删除了 style 样式属性"] += 1
            elif tag == "a" and name == "rel" and self.policy.link_rel:
                if (value or "").split() != self.policy.link_rel.split():
                    self.found[f"链接的 rel 属性改为“{self.policy.link_rel}”"] += 1
            elif name not in kept:
                self.found[f"删除了 <{tag}> 的 {name} 属性"] += 1
            elif name in URL_ATTRIBUTES:
                schemes = self.policy.image_schemes if tag == "img" else self.policy.link_schemes
                if not url_allowed(value or "", schemes, self.policy.relative_urls):
                    relative = "及站内相对地址" if self.policy.relative_urls else ""
                    allowed = "、".join(f"{s}:" for s in schemes) + relative
                    self.found[
                        f"删除了不允许的地址 {_shown(value or '') or '（空）'}（<{tag} {name}>，只允许 {allowed}）"
                    ] += 1
        src = dict(attrs).get("src") or ""
        if (
            tag == "img"
            and _SCHEME.match(_IGNORED_IN_URL.sub("", src))
            and url_allowed(src, self.policy.image_schemes, self.policy.relative_urls)
        ):
            self.found["外部图片受本站内容安全策略限制不会显示，请改用本站图片地址（/static/…）"] += 1
        if tag == "img" and "alt" not in names:
            self.found["图片缺少替代文字（alt），读屏软件无法说明图片内容：请补充"] += 1

    def handle_endtag(self, tag: str) -> None:
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_comment(self, data: str) -> None:
        if not self.inside:
            self.found["删除了 HTML 注释"] += 1

    def handle_decl(self, decl: str) -> None:
        self.found["删除了文档类型声明"] += 1

    def unknown_decl(self, data: str) -> None:
        self.found["删除了 CDATA 或其他声明"] += 1

    def handle_pi(self, data: str) -> None:
        self.found["删除了处理指令"] += 1


def removals(html: str) -> tuple[str, ...]:
    """What cleaning ``html`` removes, one Chinese line per kind (with a count when more than one)."""
    scan = _Scan(portal_rules().sanitiser)
    scan.feed(html or "")
    scan.close()
    return tuple(f"{text}（{n} 处）" if n > 1 else text for text, n in scan.found.items())


def sanitise(html: str) -> Cleaned:
    """``html`` cleaned, with the report of what was removed."""
    return Cleaned(html=clean_html(html), warnings=removals(html))
