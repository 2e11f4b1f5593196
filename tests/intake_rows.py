"""Setup data for intake tests: valid 行政处罚 rows keyed by the national column headers."""

from __future__ import annotations

from factories import uscc
from xinyong.catalog.items import load_catalog

PENALTY_LABEL = {f.key: f.label for f in load_catalog().item("penalty").fields}


def penalty_row(n: int, authority: str, /, **over: str) -> dict[str, str]:
    """A valid penalty on an enterprise (code ``uscc(n)``, document 番市监罚〔2026〕n号) decided by the
    department whose code is ``authority``; 数据来源单位 left blank (filled from the submitting department).
    ``over`` replaces values by field key."""
    values = {
        "subject_name": f"广州禾丰贸易{n}有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": uscc(n),
        "reg_no": "",
        "legal_representative": "王五",
        "id_type": "",
        "id_number": "",
        "doc_no": f"番市监罚〔2026〕{n}号",
        "violation_type": "虚假宣传",
        "violation_facts": "在网店发布虚假广告",
        "legal_basis": "《中华人民共和国广告法》第五十五条",
        "penalty_category": "罚款",
        "content": "罚款人民币五千元",
        "fine_amount": "0.5",
        "decided_on": "2026-11-20",
        "valid_until": "2027-11-19",
        "publicity_end": "",
        "authority": "广州市番禺区市场监督管理局",
        "authority_uscc": authority,
        "source_department": "",
        "source_department_uscc": "",
    }
    values.update(over)
    return {PENALTY_LABEL[k]: v for k, v in values.items()}
