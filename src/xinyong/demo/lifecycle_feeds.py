"""Demo judicial and sector feeds (issue #11 item 5): law firms' and lawyers' credit records reported by 区司法局,
credit service agencies' records reported by 区发改局 (区信用办), both through the intake pipeline as a department
batch, and the courts' 失信被执行人名单 imported by 区法院 as a received list.

What ``plant_feeds`` writes (deterministic for a seed on the same registry; dates in the year before the anchor —
today, or 2026-11-27 when today is later — never after it):

* ``lawyer_credit`` (one batch of 区司法局): three law firms (USCCs of 司法行政, authority 3, new to the registry,
  created unverified) — a penalty, a passed annual review, a commendation — and two lawyers (natural persons,
  ID numbers encrypted by intake) — a bar sanction and a commendation;
* ``credit_agency_record`` (one batch of 区发改局): two agencies new to the registry — a filing each, a violation
  and a penalty for the first;
* ``court_dishonest_debtor`` (one import of 区法院, ``partial``): three enterprises drawn from the registry's first
  enterprises, one natural person new to the registry, and one enterprise listed and already removed by the court.

Intake batches are all-or-nothing; a second run on the same registry re-sends identical rows (``unchanged``) and
re-imports the same list rows (``unchanged``), so nothing is added twice. The departments must be registered
(``xinyong demo`` registers every department of ``catalog/departments.yaml``); a missing one skips its part.
Returns the number of records loaded plus list entries added. The caller commits.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from datetime import date, timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.codes.ric import ric_check_char
from xinyong.codes.uscc import make_uscc
from xinyong.intake import service as intake
from xinyong.lists import received
from xinyong.subjects.models import Department, Subject

LATEST_ANCHOR = date(2026, 11, 27)
COURT_LIST = "court_dishonest_debtor"
COURT = "广州市番禺区人民法院"
JUSTICE = "广州市番禺区司法局"
BAR = "广州市律师协会"
CREDIT_OFFICE = "广州市番禺区发展和改革局"
FIRMS = ("广东禾信律师事务所", "广东番诚律师事务所", "广东沙湾明德律师事务所")
LAWYERS = ("陈律明", "黄法正")
AGENCIES = ("广州禾信信用管理有限公司", "广州番诚信用评估有限公司")
CANDIDATES = 400  # enterprises drawn from the first ids of the registry for the court list
LIST_HEADER = (
    "统一社会信用代码",
    "身份证号码",
    "名称",
    "列入日期",
    "列入原因",
    "作出决定机关",
    "决定文书号",
    "移出日期",
)
COURT_REASONS = (
    "有履行能力而拒不履行生效法律文书确定的义务",
    "违反财产报告制度",
    "违反限制消费令",
    "无正当理由拒不履行执行和解协议",
)


def _anchor(ctx: Context) -> date:
    return min(ctx.today, LATEST_ANCHOR)


def _officer(ctx: Context, department: Department) -> Context:
    """A department officer of ``department`` acting at the demo's time."""
    return dataclasses.replace(
        ctx, actor=f"demo:officer:{department.code}", role="department_officer", department_id=department.id
    )


def _departments(ctx: Context) -> dict[str, Department]:
    stmt = select(Department).where(Department.code.in_(("sfj", "fgj", "fy")))
    return {d.code: d for d in ctx.session.scalars(stmt)}


def _code(authority: str, org_type: str, prefix: str, seed: int, n: int) -> str:
    """A check-char-valid USCC of 番禺区 whose body is derived from the seed (digits only after the prefix)."""
    return make_uscc(authority, org_type, "440113", f"{prefix}{seed % 10000:04d}{n:02d}")


def _ric(rng: random.Random) -> str:
    born = date(1965, 1, 1) + timedelta(days=rng.randint(0, 12000))
    first = f"440113{born:%Y%m%d}{rng.randint(100, 999)}"
    return first + ric_check_char(first)


def _labelled(item_id: str, values: dict[str, str]) -> dict[str, str]:
    labels = {f.key: f.label for f in load_catalog().item(item_id).fields}
    return {labels[k]: v for k, v in values.items()}


def _lawyer_rows(rng: random.Random, seed: int, anchor: date) -> list[dict[str, str]]:
    def day() -> str:
        return (anchor - timedelta(days=rng.randint(20, 330))).isoformat()

    firms = [(name, _code("3", "1", "LW", seed, n)) for n, name in enumerate(FIRMS)]
    year = anchor.year
    plan = (
        (
            0,
            "行政处罚",
            "是",
            "",
            "未按规定统一接受委托、统一收取律师费",
            "《中华人民共和国律师法》第五十条",
            "警告，责令限期改正",
        ),
        (
            1,
            "年度考核",
            "否",
            "合格",
            f"{year - 1}年度律师事务所年度检查考核",
            "《律师事务所年度检查考核办法》",
            "考核等次：合格",
        ),
        (2, "表彰奖励", "否", "", "公共法律服务工作表现突出", "区司法局表彰决定", "授予优秀律师事务所称号"),
    )
    rows: list[dict[str, str]] = []
    for n, (firm, kind, adverse, review, matter, basis, result) in enumerate(plan, start=1):
        name, code = firms[firm]
        rows.append(
            {
                "subject_name": name,
                "subject_category": "法人及非法人组织",
                "uscc": code,
                "legal_representative": rng.choice(("王立新", "李国华", "何志远")),
                "practice_no": f"3144{seed % 10000:04d}{n:02d}",
                "record_kind": kind,
                "adverse": adverse,
                "review_result": review,
                "doc_no": f"番司信〔{year}〕{seed % 1000}{n:02d}号",
                "matter": matter,
                "legal_basis": basis,
                "result": result,
                "decided_on": day(),
                "authority": JUSTICE,
            }
        )
    for n, person in enumerate(LAWYERS, start=len(plan) + 1):
        sanction = n == len(plan) + 1
        rows.append(
            {
                "subject_name": person,
                "subject_category": "自然人",
                "id_type": "身份证",
                "id_number": _ric(rng),
                "practice_no": f"1440120{seed % 10000:04d}1{n:05d}",
                "firm_name": firms[n % len(firms)][0],
                "record_kind": "行业处分" if sanction else "表彰奖励",
                "adverse": "是" if sanction else "否",
                "doc_no": f"穗律协〔{year}〕{seed % 1000}{n:02d}号",
                "matter": "私自接受委托、收取费用" if sanction else "法律援助工作表现突出",
                "legal_basis": "《中华人民共和国律师法》第四十八条" if sanction else "律师协会表彰决定",
                "result": "通报批评" if sanction else "授予优秀律师称号",
                "decided_on": day(),
                "authority": BAR,
            }
        )
    return [_labelled("lawyer_credit", r) for r in rows]


def _agency_rows(rng: random.Random, seed: int, anchor: date) -> list[dict[str, str]]:
    year = anchor.year
    codes = [_code("9", "1", "CA", seed, n) for n in range(len(AGENCIES))]
    plan = (
        (0, "备案", "综合信用服务机构备案", "信用服务机构备案管理规定", "准予备案", 300),
        (1, "备案", "企业征信机构备案", "《征信机构管理办法》", "准予备案", 280),
        (0, "违规记录", "出具的信用报告数据来源不实", "《征信业管理条例》", "责令限期整改", 150),
        (0, "行政处罚", "未经同意采集企业负责人个人信息", "《征信业管理条例》", "警告，罚款", 60),
    )
    rows = []
    for n, (agency, kind, matter, basis, result, days) in enumerate(plan, start=1):
        decided = anchor - timedelta(days=days + rng.randint(0, 15))
        rows.append(
            _labelled(
                "credit_agency_record",
                {
                    "subject_name": AGENCIES[agency],
                    "subject_category": "法人及非法人组织",
                    "uscc": codes[agency],
                    "legal_representative": rng.choice(("赵明", "钱伟", "孙丽")),
                    "agency_type": "综合信用服务机构" if agency == 0 else "征信机构",
                    "record_kind": kind,
                    "doc_no": f"番发改信〔{year}〕{seed % 1000}{n:02d}号",
                    "matter": matter,
                    "legal_basis": basis,
                    "result": result,
                    "decided_on": decided.isoformat(),
                    "valid_to": (decided + timedelta(days=3 * 365)).isoformat() if kind == "备案" else "",
                    "authority": CREDIT_OFFICE,
                },
            )
        )
    return rows


def _court_csv(ctx: Context, rng: random.Random, anchor: date) -> bytes:
    stmt = (
        select(Subject)
        .where(Subject.kind == "legal_person", Subject.uscc.is_not(None))
        .order_by(Subject.id)
        .limit(CANDIDATES)
    )
    pool = list(ctx.session.scalars(stmt))
    chosen = rng.sample(pool, min(4, len(pool)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LIST_HEADER)
    for n, firm in enumerate(chosen, start=1):
        day = anchor - timedelta(days=rng.randint(60, 500))
        removed = (day + timedelta(days=rng.randint(20, 50))).isoformat() if n == len(chosen) else ""
        doc = f"（{day.year}）粤0113执{rng.randint(1000, 9999)}号"
        writer.writerow((firm.uscc, "", firm.name, day.isoformat(), rng.choice(COURT_REASONS), COURT, doc, removed))
    day = anchor - timedelta(days=rng.randint(30, 200))
    person = (
        "",
        _ric(rng),
        "林某某",
        day.isoformat(),
        COURT_REASONS[2],
        COURT,
        f"（{day.year}）粤0113执{rng.randint(1000, 9999)}号",
        "",
    )
    writer.writerow(person)
    return out.getvalue().encode("utf-8")


def plant_feeds(ctx: Context, seed: int) -> int:
    """Plant the demo feeds (see the module docstring); the number of records loaded and list entries added."""
    rng = random.Random(f"feeds:{seed}")
    anchor = _anchor(ctx)
    departments = _departments(ctx)
    made = 0
    if "sfj" in departments:
        sfj = departments["sfj"]
        rows = _lawyer_rows(rng, seed, anchor)
        made += intake.submit_rows(_officer(ctx, sfj), "lawyer_credit", sfj.id, rows, channel="demo").accepted
    if "fgj" in departments:
        fgj = departments["fgj"]
        rows = _agency_rows(rng, seed, anchor)
        made += intake.submit_rows(_officer(ctx, fgj), "credit_agency_record", fgj.id, rows, channel="demo").accepted
    if "fy" in departments:
        content = _court_csv(ctx, rng, anchor)
        officer = _officer(ctx, departments["fy"])
        # partial: a row naming a subject the court list already holds under another date (a run on another day
        # or seed) is reported and skipped, the others are imported
        result = received.import_received(
            officer, COURT_LIST, "失信被执行人名单.csv", content, "演示：法院推送", partial=True
        )
        made += result.added
    return made
