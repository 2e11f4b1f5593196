"""A broken database configuration gives one clear line and exit code 2, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

XINYONG = str(Path(sys.executable).with_name("xinyong"))


def run(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XINYONG_DATABASE_URL": url}
    return subprocess.run([XINYONG, "subjects", "code-quality"], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "无法解析"),
        ("foo://x", "不支持的数据库"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/x", "无法连接"),
    ],
)
def test_broken_database_url(url: str, words: str) -> None:
    done = run(url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("错误:") and words in done.stderr


def test_unmigrated_database_points_to_upgrade(tmp_path: Path) -> None:
    done = run(f"sqlite:///{tmp_path / 'empty.db'}")
    assert done.returncode == 2
    assert "xinyong db upgrade" in done.stderr
    assert "Traceback" not in done.stderr
