"""The industry catalogue (``rules/industries.yaml``): the keys a subject's ``industry`` may hold."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.rules.loader import load_rulebook


class Industry(BaseModel):
    """One industry: a key, a Chinese label, GB/T 4754-2017 codes and the source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    label: str = Field(min_length=2, max_length=40)
    codes: tuple[str, ...] = ()
    source: str = Field(min_length=4)


class IndustryCatalogue(BaseModel):
    """The versioned list of industries (keys unique)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str
    industries: tuple[Industry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> IndustryCatalogue:
        keys = [i.key for i in self.industries]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            raise ValueError(f"行业代码重复：{'、'.join(duplicated)}")
        return self

    def get(self, key: str) -> Industry | None:
        """The industry ``key``, or None."""
        return next((i for i in self.industries if i.key == key), None)

    def label(self, key: str | None) -> str:
        """The label of ``key`` ("未分类" for None; the key itself when unknown)."""
        if key is None:
            return "未分类"
        found = self.get(key)
        return found.label if found else key


def load_industries() -> IndustryCatalogue:
    """The industry catalogue, validated at load (cached)."""
    return load_rulebook("industries", IndustryCatalogue)


def check_industry(key: str) -> str:
    """``key`` if it is a catalogue industry; ``ValueError`` with the known keys otherwise."""
    catalogue = load_industries()
    if catalogue.get(key) is None:
        known = "、".join(f"{i.key}（{i.label}）" for i in catalogue.industries)
        raise ValueError(f"未知的行业 {key!r}（可用：{known}）")
    return key
