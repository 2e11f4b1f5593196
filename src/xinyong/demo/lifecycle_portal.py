"""Demo portal content (issue #8, work-plan item 十七), planted through ``portal.articles`` and ``portal.selections``
so /news, /policies, /campaigns, /innovation-cases, /selections and the office's /portal/admin have data after
``xinyong demo``.

What ``plant_portal`` writes (deterministic for a seed on the same registry; every date within the year before the
anchor — today, or 2026-11-27 when today is later — and never after it):

* news (信用动态) and policies (政策法规), each published on its own day;
* campaign articles on their campaign's day: 消费者权益日 (3·15), 诚信宣传月 (June), 信用记录关爱日 (6·14),
  开学第一课 (9·1), 诚信兴商宣传月 (September), and one 诚信建设万里行 article;
* innovation cases (信用创新案例) of several towns and departments, one per scenario shown;
* a draft and a withdrawn article for the office's list;
* a published 守合同重信用企业 round: nominated by the market regulator's officer, reviewed (one rejected) and
  published by the office, its winners put on the red list through ``lists.entries``;
* an open 诚信示范中小企业 round closing after the anchor, with nominations awaiting review.

Candidates are enterprises that pass the selections' eligibility on the day (``portal.selections.problems``).
Returns how many articles and nominations were planted; ``Conflict`` when the departments or enough eligible
enterprises are missing. The caller commits.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.clock import CHINA_TZ
from xinyong.errors import Conflict
from xinyong.lists.types import list_catalogue
from xinyong.portal import articles, selections
from xinyong.portal.models import Article
from xinyong.portal.rules import portal_rules
from xinyong.subjects.models import Department, Subject

LATEST_ANCHOR = date(2026, 11, 27)
DEPARTMENTS = ("scjgj", "kgsxj")
CANDIDATES = 300
OFFICE = "demo:office"


@dataclass(frozen=True)
class Story:
    """An article: kind, title, summary, source, body; published ``days`` before the anchor (None: on the
    campaign's day of the anchor's year or the year before); campaign, unit and scenario where they apply."""

    kind: str
    title: str
    summary: str
    source: str
    body: str
    days: int | None = None
    campaign: str = ""
    unit: str = ""
    scenario: str = ""


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


STORIES: tuple[Story, ...] = (
    Story(
        "news",
        "区社会信用体系建设领导小组召开年度工作会议",
        "部署年度社会信用体系建设工作要点，推进信用监管、信用修复和诚信宣传。",
        "区发改局（区信用办）",
        "<h2>会议要求</h2>"
        + _p("会议通报了上一年度城市信用状况监测情况，部署年度社会信用体系建设工作要点。")
        + "<ul><li>加快双公示数据报送，确保7个工作日内公示；</li><li>落实失信约束措施清单管理；</li>"
        "<li>开展“守合同重信用”企业、“诚信示范中小企业”和“信用创新案例”评选。</li></ul>",
        days=300,
    ),
    Story(
        "news",
        "“一站式信用修复”服务窗口在区政务服务中心开通",
        "企业可在一个窗口办理行政处罚信息信用修复的咨询、申请和材料提交。",
        "区发改局",
        _p(
            "为方便市场主体修复信用，区政务服务中心开设“一站式信用修复”服务窗口。",
            "申请人可登录本平台“信用修复”栏目在线申请，也可到窗口现场办理。",
        ),
        days=210,
    ),
    Story(
        "news",
        "区信用办通报第三季度双公示数据报送质量",
        "各部门双公示数据报送及时率、合规率整体提升，个别部门存在迟报。",
        "区发改局（区信用办）",
        _p("第三季度，全区各部门报送行政许可、行政处罚信息，及时率和合规率较上季度提升。")
        + '<p>各部门质量评分详见<a href="/quality">质量通报</a>。</p>',
        days=50,
    ),
    Story(
        "news",
        "番禺区开展2026年度“双随机、一公开”联合抽查",
        "市场监管、生态环境、住建等部门联合开展跨部门随机抽查，结果依法公示。",
        "区市场监管局",
        _p("本次联合抽查按信用风险分类确定抽查比例，抽查结果在本平台“双随机一公开”栏目公示。"),
        days=20,
    ),
    Story(
        "policy",
        "《广东省社会信用条例》",
        "广东省人民代表大会常务委员会公告，2021年6月1日起施行。",
        "广东省人民代表大会常务委员会",
        "<h2>第一章 总则</h2>"
        + _p("第一条 为了规范社会信用管理，提高社会信用水平，根据有关法律、行政法规，结合本省实际，制定本条例。"),
        days=330,
    ),
    Story(
        "policy",
        "国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见",
        "国办发〔2020〕49号：规范失信惩戒对象名单制度，依法依规开展失信惩戒。",
        "国务院办公厅",
        _p(
            "严格限定设列领域范围，严格规范认定标准，严格规范认定程序，依法依规开展失信惩戒，建立有利于自我纠错、"
            "主动自新的信用修复机制。"
        )
        + '<p>全文见<a href="https://www.gov.cn/">中国政府网</a>。</p>',
        days=240,
    ),
    Story(
        "policy",
        "失信行为纠正后的信用信息修复管理办法（试行）",
        "国家发展改革委令第58号，规定信用信息修复的条件、程序和期限。",
        "国家发展和改革委员会",
        _p(
            "信用主体依法享有信用信息修复的权利。除法律、法规和党中央、国务院政策文件明确规定不可修复的情形外，"
            "满足相关条件的信用主体均可按要求申请信用信息修复。"
        )
        + '<table><caption>行政处罚信息公示期限</caption><thead><tr><th scope="col">领域</th>'
        '<th scope="col">最短公示期</th><th scope="col">最长公示期</th></tr></thead><tbody>'
        "<tr><td>一般领域</td><td>3个月</td><td>3年</td></tr>"
        "<tr><td>特种设备、安全生产、消防领域</td><td>1年</td><td>3年</td></tr></tbody></table>",
        days=120,
    ),
    Story(
        "campaign",
        "“3·15”消费者权益日：诚信经营 放心消费",
        "各镇街在商圈开展诚信经营宣传，发布消费提示。",
        "区市场监管局",
        _p("围绕“诚信经营 放心消费”主题，在市桥、大石等商圈设置咨询台，向商户发放诚信经营倡议书。"),
        campaign="consumer_rights_day",
    ),
    Story(
        "campaign",
        "番禺区启动诚信宣传月活动",
        "以“诚信进学校、进企业、进社区”为主题，开展为期一个月的诚信宣传。",
        "区发改局、区委宣传部",
        "<h2>活动安排</h2><ol><li>诚信主题宣讲进社区；</li><li>企业信用管理培训；</li><li>发布诚信典型案例。</li></ol>",
        campaign="integrity_month",
    ),
    Story(
        "campaign",
        "“6·14信用记录关爱日”：珍爱信用记录 享受幸福人生",
        "宣传个人信用报告查询、信用修复等知识。",
        "区发改局",
        _p("在区政务服务中心设置宣传点，讲解如何查询信用记录、对错误信息提出异议。")
        + "<blockquote>信用记录是个人的“经济身份证”。</blockquote>",
        campaign="credit_record_day",
    ),
    Story(
        "campaign",
        "“开学第一课”：诚信教育走进校园",
        "区教育局组织中小学开展诚信主题班会。",
        "区教育局",
        _p("各中小学以“诚实守信，从我做起”为主题开展开学第一课，引导学生树立诚信意识。"),
        campaign="first_lesson",
    ),
    Story(
        "campaign",
        "诚信兴商宣传月：守信激励让诚信企业“有感”",
        "宣传守信激励措施，推介“守合同重信用”企业。",
        "区科工商信局",
        _p("宣传月期间集中宣传守信联合激励措施，推介“守合同重信用”企业和诚信示范中小企业。"),
        campaign="honest_commerce_month",
    ),
    Story(
        "campaign",
        "全国“诚信建设万里行”番禺站走访诚信企业",
        "走访诚信经营典型企业，宣传诚信故事。",
        "区委宣传部",
        _p("“诚信建设万里行”主题宣传活动走进番禺，走访多家诚信经营典型企业。"),
        days=75,
        campaign="integrity_tour",
    ),
    Story(
        "innovation_case",
        "“信用+医疗”：信用就医“先诊疗后付费”",
        "信用良好的患者在区属医院就诊可免交押金、先诊疗后付费。",
        "区卫生健康局",
        _p("依托公共信用信息，对信用良好的患者提供“先诊疗后付费”服务，减少排队缴费次数。"),
        days=260,
        unit="区卫生健康局",
        scenario="credit_health",
    ),
    Story(
        "innovation_case",
        "“信用+租赁”：小谷围街道租房押金减免",
        "信用良好的租户在合作租赁企业租房可减免押金。",
        "小谷围街道",
        _p("街道联合住房租赁企业推出押金减免服务，租户授权查询公共信用信息后即可享受。"),
        days=180,
        unit="小谷围街道",
        scenario="credit_rental",
    ),
    Story(
        "innovation_case",
        "“信易贷”：中小企业凭信用获得首贷",
        "依托广州“信易贷”平台，帮助中小企业凭信用获得融资。",
        "区发改局",
        _p("推动辖区中小企业在“信易贷”平台注册，银行依据企业授权的信用信息发放信用贷款。"),
        days=140,
        unit="区发改局",
        scenario="credit_lending",
    ),
    Story(
        "innovation_case",
        "“信用+家政”：家政服务员持“信用码”上岗",
        "为家政服务员建立信用档案，雇主扫码查看。",
        "大石街道",
        _p("街道为辖区家政服务员建立信用档案，生成“信用码”，雇主扫码即可查看从业记录。"),
        days=90,
        unit="大石街道",
        scenario="credit_housekeeping",
    ),
    Story(
        "innovation_case",
        "信用承诺制助力“证照分离”改革",
        "实行告知承诺的事项当场办结，事后核查。",
        "区政务数据局",
        _p("在涉企经营许可事项中推行告知承诺制，申请人作出承诺即可当场取得许可，部门开展事中事后核查。"),
        days=35,
        unit="区政务数据局",
        scenario="credit_commitment",
    ),
)
DRAFT = Story(
    "news", "（草稿）年度信用创新案例评选通知", "", "区发改局", _p("拟于下月发布评选通知，征集信用创新案例。"), days=5
)
WITHDRAWN = Story(
    "news",
    "关于调整信用修复窗口办公时间的通知",
    "",
    "区政务服务中心",
    _p("窗口办公时间调整为工作日9:00–17:00。"),
    days=60,
)
REASONS = (
    "合同管理制度健全，近三年合同履约率100%，无合同违法失信记录。",
    "坚持诚信经营，合同台账规范，连续多年获评守合同重信用企业。",
    "依法签订和履行合同，未发生合同纠纷，社会信誉良好。",
    "诚信经营示范作用突出，近年无严重失信记录，带动上下游诚信履约。",
)


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ).astimezone(UTC)


def _campaign_day(code: str, anchor: date) -> date:
    """The campaign's day (its month's first day without one) in the anchor's year, else the year before."""
    found = portal_rules().campaign(code)
    assert found is not None and found.month is not None
    for year in (anchor.year, anchor.year - 1):
        day = date(year, found.month, found.day or 1)
        if day <= anchor:
            return day
    raise AssertionError("unreachable")  # pragma: no cover


def _publish(office: Context, story: Story, day: date) -> Article:
    return articles.create_article(
        on(office, day),
        story.kind,
        story.title,
        story.body,
        summary=story.summary,
        source=story.source,
        campaign=story.campaign,
        unit=story.unit,
        scenario=story.scenario,
        publish=True,
    ).article


def _articles(office: Context, anchor: date) -> int:
    for story in STORIES:
        day = anchor - timedelta(days=story.days) if story.days is not None else _campaign_day(story.campaign, anchor)
        _publish(office, story, day)
    articles.create_article(
        on(office, anchor - timedelta(days=DRAFT.days or 0)), DRAFT.kind, DRAFT.title, DRAFT.body, source=DRAFT.source
    )
    gone = _publish(office, WITHDRAWN, anchor - timedelta(days=WITHDRAWN.days or 0))
    later = on(office, anchor - timedelta(days=(WITHDRAWN.days or 0) - 3))
    articles.withdraw_article(later, gone.id, gone.lock_version, "办公时间恢复原安排，通知作废")
    return len(STORIES) + 2


def _eligible(ctx: Context, list_code: str, pool: list[Subject], days: tuple[date, ...], count: int) -> list[Subject]:
    """The first ``count`` subjects of ``pool`` eligible for ``list_code`` on every one of ``days`` (taken from the
    pool)."""
    kind = list_catalogue().get(list_code)
    found: list[Subject] = []
    while pool and len(found) < count:
        subject = pool.pop()
        if not any(selections.problems(ctx, kind, subject, day) for day in days):
            found.append(subject)
    if len(found) < count:
        raise Conflict(f"主体库中符合“{kind.name}”评选条件的企业不足 {count} 家：请先载入演示数据（xinyong demo）")
    return found


def on(ctx: Context, day: date, hour: int = 10) -> Context:
    """``ctx`` acting at ``hour`` o'clock in China on ``day``."""
    return dataclasses.replace(ctx, at=_moment(day, hour))


def _rounds(ctx: Context, office: Context, officers: dict[str, Context], pool: list[Subject], anchor: date) -> int:
    # a published round of 守合同重信用企业: opened 120 days before the anchor, closed 30 days later
    opened_on, closes_on = anchor - timedelta(days=120), anchor - timedelta(days=90)
    review_day = closes_on + timedelta(days=7)
    done = selections.open_selection(
        on(office, opened_on),
        "contract_honouring",
        opened_on.year,
        f"{opened_on.year}年度番禺区“守合同重信用”企业公示活动",
        closes_on,
        "请各部门推荐合同管理制度健全、近年无合同违法失信记录的企业，推荐截止日前报区信用办。",
    )
    nominees = _eligible(ctx, "contract_honouring", pool, (opened_on + timedelta(days=10), review_day), 4)
    made = [
        selections.nominate(on(officers["scjgj"], opened_on + timedelta(days=10 + n)), done.id, s.id, REASONS[n % 3])
        for n, s in enumerate(nominees)
    ]
    for n, nomination in enumerate(made):
        decision, note = (
            ("reject", "推荐材料未附合同履约情况说明") if n == len(made) - 1 else ("approve", "符合评选条件")
        )
        selections.review(on(office, review_day), nomination.id, decision, note, nomination.lock_version)
    doc_no = f"番发改〔{review_day.year}〕{30 + review_day.month}号"
    selections.publish_selection(on(office, review_day, 15), done.id, doc_no, done.lock_version)
    # an open round of 诚信示范中小企业, closing after the anchor
    start = anchor - timedelta(days=15)
    round_ = selections.open_selection(
        on(office, start),
        "integrity_model_sme",
        start.year,
        f"{start.year}年度番禺区诚信示范中小企业评选",
        anchor + timedelta(days=20),
        "请各部门、各镇街推荐诚信经营示范作用突出的中小企业。",
    )
    waiting = _eligible(ctx, "integrity_model_sme", pool, (start + timedelta(days=3), anchor), 3)
    for n, subject in enumerate(waiting):
        who = officers["kgsxj"] if n % 2 else officers["scjgj"]
        selections.nominate(on(who, start + timedelta(days=3 + n)), round_.id, subject.id, REASONS[3])
    return len(made) + len(waiting)


def plant_portal(ctx: Context, seed: int) -> int:
    """Plant the articles and the two selection rounds (see the module docstring); how many articles and
    nominations were planted."""
    require(ctx, "demo.load")
    session = ctx.session
    found = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(DEPARTMENTS)))}
    if len(found) < len(DEPARTMENTS):
        raise Conflict("演示门户内容需要已登记的区市场监管局和区科工商信局：请先载入演示数据（xinyong demo）")
    anchor = min(ctx.today, LATEST_ANCHOR)
    office = dataclasses.replace(ctx, actor=OFFICE, role="credit_office_staff")
    officers = {
        code: dataclasses.replace(
            ctx, actor=f"demo:officer:{code}", role="department_officer", department_id=department.id
        )
        for code, department in found.items()
    }
    pool = list(
        session.scalars(
            select(Subject)
            .where(Subject.kind == "legal_person", Subject.uscc.is_not(None), Subject.uscc_problems == "")
            .order_by(Subject.id)
            .limit(CANDIDATES)
        )
    )
    random.Random(seed).shuffle(pool)
    planted = _articles(office, anchor)
    return planted + _rounds(ctx, office, officers, pool, anchor)
