"""Load a YAML rulebook and validate it against its pydantic model."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

RULES_DIR = Path(__file__).parent
M = TypeVar("M", bound=BaseModel)


class RulebookError(ValueError):
    """A rulebook file is missing or does not validate."""


class Cited(BaseModel):
    """Every rule names its source (document and article)."""

    source: str


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
