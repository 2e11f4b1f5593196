"""Input and output shapes of the registry."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from xinyong.subjects.models import SUBJECT_KIND_LABELS


class SubjectIn(BaseModel):
    """A subject to register. Identifiers are strings, always."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: str = Field(
        description="legal_person / unincorporated_org / individual_business / natural_person / government_body"
    )
    name: str = Field(min_length=1, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    reg_no: str | None = Field(default=None, max_length=32)
    ric: str | None = Field(default=None, max_length=40, description="公民身份号码 (natural persons only)")
    legal_representative: str | None = Field(default=None, max_length=64)
    organisation_type: str | None = Field(default=None, max_length=32)
    township_code: str | None = Field(default=None, max_length=9)
    address: str | None = Field(default=None, max_length=200)
    registered_on: date | None = None
    source: str = Field(default="", max_length=64)


class SubjectOut(BaseModel):
    """A subject as shown to a reader; personal data already masked or removed by the query layer."""

    id: int
    kind: str
    kind_label: str
    name: str
    uscc: str | None
    uscc_problems: list[str]
    reg_no: str | None
    ric_masked: str | None
    legal_representative: str | None
    township_code: str | None
    township_name: str | None
    registered_on: date | None
    status: str

    @staticmethod
    def kind_label_of(kind: str) -> str:
        """Chinese label of a subject kind."""
        return SUBJECT_KIND_LABELS.get(kind, kind)


class SearchPage(BaseModel):
    """One page of search results."""

    query: str
    mode: str = Field(description="name or code")
    total: int
    total_is_lower_bound: bool = Field(description="true when the fragment is too common to count exactly")
    offset: int
    limit: int
    items: list[SubjectOut]


class IdentityOut(BaseModel):
    """A natural person's full ID number (公民身份号码); each read is audited."""

    subject_id: int
    name: str
    ric: str = Field(description="完整的公民身份号码")


class CodeQuality(BaseModel):
    """The registry's duplicate and erroneous code figures against the work-plan target (item 十一)."""

    subjects: int = Field(description="subjects that should carry a USCC (all but natural persons)")
    duplicate_codes: int = Field(description="distinct codes held by two or more subjects (重码)")
    duplicate_subjects: int = Field(description="subjects holding a duplicated code")
    erroneous_codes: int = Field(description="subjects whose code fails the GB 32100 checks (错码)")
    missing_codes: int = Field(description="subjects without a code or with the 00000000000000000X placeholder")
    rate: float = Field(description="(duplicate_codes + erroneous_codes) / subjects")
    target: float = Field(description="work-plan ceiling, 0.005% = 0.00005")
    meets_target: bool
