"""Load a YAML rulebook and validate it against its pydantic model."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

RULES_DIR = Path(__file__).parent
M = TypeVar("M", bound=BaseModel)
# How sure a rule's source is (rules.md): H primary text, M secondary sources agree, L inference (a platform default).
Confidence = Literal["H", "M", "L"]


class RulebookError(ValueError):
    """A rulebook file is missing or does not validate."""


class Cited(BaseModel):
    """Every rule names its source (document and article)."""

    source: str


class StrictRule(BaseModel):
    """Base of the rulebooks' models: unknown keys refused, values frozen, strings stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourcedRule(StrictRule):
    """A rule with its source (document and article) and how sure that source is."""

    source: str = Field(min_length=1)
    confidence: Confidence


def load_rulebook(name: str, model: type[M], directory: Path = RULES_DIR) -> M:
    """Read ``<directory>/<name>.yaml`` and validate it as ``model`` (cached per file)."""
    return _load(directory / f"{name}.yaml", model)


@cache
def _load(path: Path, model: type[M]) -> M:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulebookError(f"规则文件无法读取 (cannot read rulebook) {path.name}: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RulebookError(f"规则文件校验失败 (rulebook invalid) {path.name}: {exc}") from exc


def parse_model_data(data: object, model: type[M], label: str, name: str, error: type[Exception]) -> M:
    """Validate already-read YAML data of a scoring model (``label``: 评价模型, 个人诚信分模型…) as ``model``;
    ``error`` with every problem in Chinese (field path and reason) otherwise."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in err['loc']) or '文件'}：{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise error(f"{label} {name} 校验失败：{problems}") from None


def read_model_file(path: Path, model: type[M], label: str, error: type[Exception]) -> M:
    """Read and validate the model file ``path``, whose ``name`` must equal the file name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"{label}文件无法读取 {path.name}：{exc}") from exc
    parsed = parse_model_data(data, model, label, path.stem, error)
    if getattr(parsed, "name", None) != path.stem:
        raise error(f"{label} {path.stem} 的 name 应与文件名相同（收到 {getattr(parsed, 'name', None)!r}）")
    return parsed
