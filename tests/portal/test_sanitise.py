"""Cleaning article HTML (issue #8, bad input: "HTML in news articles is sanitised"): scripts, event handlers,
javascript: and other schemes, style attributes, iframes and the like go, allowed markup stays, the editor is told
what went; a fuzz of nasty fragments never yields a tag, attribute or URL outside the allowlist; the rulebook
refuses a dangerous policy at load."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.portal.rules import PortalRules, portal_rules
from xinyong.portal.sanitise import clean_html, removals, sanitise, url_allowed
from xinyong.rules.loader import RULES_DIR, RulebookError, load_rulebook

ALLOWED = (
    "<h2>标题</h2><h3>小节</h3><h4>细目</h4><p>段落<br><strong>加粗</strong><em>强调</em></p>"
    "<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引文</blockquote>"
    '<p><a href="https://www.gov.cn/" title="中国政府网" rel="noopener noreferrer">链接</a>'
    '<a href="/lists/public" rel="noopener noreferrer">站内</a>'
    '<a href="mailto:xyb@panyu.gov.cn" rel="noopener noreferrer">邮件</a></p>'
    '<p><img src="/static/favicon.svg" alt="标志" width="32" height="32"></p>'
    '<table><caption>表</caption><thead><tr><th scope="col" colspan="2">列</th></tr></thead>'
    '<tbody><tr><td rowspan="2">格</td><td>格</td></tr></tbody></table>'
)


def test_allowed_markup_is_kept_as_it_is() -> None:
    cleaned = sanitise(ALLOWED)
    assert cleaned.html == ALLOWED
    assert cleaned.warnings == ()


@pytest.mark.parametrize(
    ("payload", "gone", "told"),
    [
        ("<p>a<script>alert(1)</script>b</p>", "alert", "删除了 <script> 元素及其全部内容"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT><p>x</p>", "evil", "<script>"),
        ('<img src="a.png" alt="a" onerror="alert(1)">', "onerror", "删除了事件属性 onerror（<img>）"),
        ('<p ONCLICK="alert(1)">x</p>', "alert", "onclick"),
        ('<a href="javascript:alert(1)">x</a>', "javascript", "javascript:alert(1)"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert", "只允许 http:、https:、mailto:"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "alert", "删除了不允许的地址"),
        ('<a href=" &#14; javascript:alert(1)">x</a>', "alert", "删除了不允许的地址"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:", "删除了不允许的地址"),
        ('<a href="vbscript:msgbox(1)">x</a>', "vbscript", "删除了不允许的地址"),
        ('<a href="//evil.example/">x</a>', "evil", "//evil.example/"),
        ('<img src="http://insecure.example/a.png" alt="a">', "insecure", "只允许 https:"),
        ('<img src="javascript:alert(1)" alt="a">', "alert", "<img src>"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style", "删除了 style 样式属性"),
        ('<iframe src="https://evil.example/"></iframe><p>x</p>', "iframe", "删除了 <iframe> 元素及其全部内容"),
        ("<object data=x.swf></object><embed src=x.swf><p>x</p>", "swf", "<object>"),
        ("<svg><script>alert(1)</script><circle onload=alert(2)/></svg><p>x</p>", "alert", "<svg>"),
        ("<math><mtext><img src=x onerror=alert(1)></mtext></math><p>x</p>", "alert", "<math>"),
        ("<style>p{color:red}</style><p>x</p>", "color", "<style>"),
        ('<form action="https://evil.example/"><input name="pw"></form><p>x</p>', "<form", "<form>"),
        ('<div class="x" id="y"><span>文字</span></div>', "<div", "删除了不允许的标签 <div>（保留其中文字）"),
        ("<!-- 注释 --><p>x</p>", "注释", "删除了 HTML 注释"),
        ('<base href="https://evil.example/"><p>x</p>', "base", "<base>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>x</p>', "refresh", "<meta>"),
        ('<p><a href="https://a.example/" target="_blank">x</a></p>', "_blank", "删除了 <a> 的 target 属性"),
        ("<h1>大标题</h1>", "<h1", "<h1>"),
        ("<noscript><p>x</p></noscript><p>y</p>", "noscript", "<noscript>"),
        ("<textarea><script>alert(1)</script></textarea><p>x</p>", "alert", "<textarea>"),
    ],
)
def test_nasty_payloads_are_removed_and_reported(payload: str, gone: str, told: str) -> None:
    cleaned = sanitise(payload)
    assert gone.lower() not in cleaned.html.lower(), cleaned.html
    assert any(told in w for w in cleaned.warnings), cleaned.warnings


def test_links_get_rel_and_images_without_alt_are_flagged() -> None:
    cleaned = sanitise('<a href="https://a.example/">x</a><img src="/static/a.png">')
    assert cleaned.html == '<a href="https://a.example/" rel="noopener noreferrer">x</a><img src="/static/a.png">'
    assert cleaned.warnings == ("图片缺少替代文字（alt），读屏软件无法说明图片内容：请补充",)
    external = sanitise('<img src="https://cdn.example/a.png" alt="外链图">')
    assert external.html == '<img src="https://cdn.example/a.png" alt="外链图">'
    assert "外部图片受本站内容安全策略限制不会显示" in external.warnings[0]


def test_counts_are_given_for_repeated_removals() -> None:
    assert removals("<script>1</script><script>2</script><p>x</p>") == ("删除了 <script> 元素及其全部内容（2 处）",)


@pytest.mark.parametrize(
    ("url", "schemes", "relative", "ok"),
    [
        ("https://a.example/x", ("https",), False, True),
        ("HTTPS://a.example/x", ("https",), False, True),
        ("/static/a.png", ("https",), True, True),
        ("../a.png?x=1#y", ("https",), True, True),
        ("/static/a.png", ("https",), False, False),
        ("//evil.example/a.png", ("https",), True, False),
        ("\\\\evil.example\\a", ("https",), True, False),
        ("java\nscript:alert(1)", ("http", "https"), True, False),
        ("javascript :alert(1)", ("http", "https"), True, False),
        ("", ("https",), True, False),
        ("page?next=https://x", ("https",), True, True),
    ],
)
def test_url_rule(url: str, schemes: tuple[str, ...], relative: bool, ok: bool) -> None:
    assert url_allowed(url, schemes, relative) is ok


class _Inventory(HTMLParser):
    """Every tag and attribute of cleaned output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


FRAGMENTS = st.sampled_from(
    [
        "<p>", "</p>", "<script>", "</script>", "alert(1)", "<img src=x onerror=alert(1)>", "<a href='",
        "javascript:", "JaVa&#x53;cript:", "java\tscript:", "https://ok.example/", "//evil.example", "'>",
        "</a>", "<svg onload=alert(1)>", "<iframe srcdoc='<script>alert(1)</script>'>", "<style>", "</style>",
        "<div style='x'>", "<!--", "-->", "<![CDATA[", "]]>", "<math>", "<table><tr><td onclick=x>", "文字",
        "&lt;script&gt;", "<h2 onmouseover=x>", "<a href=data:text/html,x>", "<object>", "<embed src=x>",
        "<textarea>", "<noscript>", "<template>", "<img src='https://x/y.png' alt=y>", "\x00", "<base href=x>",
        "<p/onclick=alert(1)>", "<img/src=x/onerror=alert(1)>", "<a href=\"java\nscript:x\">",
    ]
)  # fmt: skip


def _inside_allowlist(cleaned: str) -> None:
    policy = portal_rules().sanitiser
    assert "<script" not in cleaned.lower() and "<iframe" not in cleaned.lower()
    inventory = _Inventory()
    inventory.feed(cleaned)
    for tag, attrs in inventory.tags:
        assert tag in policy.tags, (tag, cleaned)
        allowed = set(policy.attributes.get(tag, ())) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            assert name in allowed, (tag, name, cleaned)
            if name == "href":
                assert url_allowed(value or "", policy.link_schemes, policy.relative_urls), cleaned
            if name == "src":
                assert url_allowed(value or "", policy.image_schemes, policy.relative_urls), cleaned


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=25).map("".join))
def test_fuzzed_fragments_never_leave_anything_outside_the_allowlist(html: str) -> None:
    cleaned = clean_html(html)
    _inside_allowlist(cleaned)
    _inside_allowlist(clean_html(cleaned))  # what the page shows: the stored body cleaned again on render


def _variant(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load((RULES_DIR / "portal.yaml").read_text(encoding="utf-8"))
    data["sanitiser"] |= change
    (tmp_path / "portal.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"tags": ["p", "script"]}, "不得允许可执行或加载外部文档的标签"),
        ({"attributes": {"p": ["onclick"]}}, "不得允许事件或样式属性"),
        ({"attributes": {"p": ["style"]}}, "不得允许事件或样式属性"),
        ({"link_schemes": ["https", "javascript"]}, "javascript:"),
        ({"tags": ["p", "textarea"]}, "不能既保留又连内容删除"),
        ({"attributes": {"div": ["title"]}}, "未被允许"),
    ],
)
def test_the_rulebook_refuses_a_dangerous_policy(tmp_path: Path, change: dict[str, object], words: str) -> None:
    with pytest.raises(RulebookError, match=words):
        load_rulebook("portal", PortalRules, _variant(tmp_path, change))
