"""The ``webarena-gym`` command line."""

from __future__ import annotations

import pytest

from webarena_gym.browser import ChromiumNotFoundError, find_chromium
from webarena_gym.cli import main


def test_doctor_reports_the_chromium_it_launches(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert find_chromium().path in out
    assert "launch        ok" in out
    assert "WA_SHOPPING" in out


def test_doctor_explains_a_missing_chromium(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WEBARENA_GYM_CHROMIUM", str(tmp_path / "no-such-chrome"))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "NOT FOUND" in out and "playwright install chromium" in out


def test_find_chromium_order(monkeypatch, tmp_path):
    fake = tmp_path / "chrome"
    fake.write_text("")
    assert find_chromium(fake).source == "executable_path"
    monkeypatch.setenv("WEBARENA_GYM_CHROMIUM", str(fake))
    assert find_chromium().source == "WEBARENA_GYM_CHROMIUM"
    with pytest.raises(ChromiumNotFoundError, match="is not a file"):
        find_chromium(tmp_path / "missing")
