"""SEC-29: every installed package is at or above its floor in docs/version-floors.md (the latest
patch of Django 5.2 LTS, WeasyPrint 70.0, the fixed release of each published advisory)."""

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.version import Version

FLOORS = Path(__file__).resolve().parent.parent / "docs" / "version-floors.md"
ROW = re.compile(r"^\| (?P<package>[\w.-]+) \| (?P<floor>[\w.]+) \| (?P<why>.+) \|$")


def floors() -> list[tuple[str, str, str]]:
    rows = [ROW.match(line) for line in FLOORS.read_text(encoding="utf-8").splitlines()]
    return [(m["package"], m["floor"], m["why"]) for m in rows if m and m["package"] != "Package"]


def test_the_table_names_django_and_weasyprint_and_every_row_says_why():
    table = {package.lower(): (floor, why) for package, floor, why in floors()}
    assert Version(table["django"][0]).release[:2] == (5, 2)
    assert Version(table["weasyprint"][0]) >= Version("70.0")
    assert len(table) >= 8 and all(why.strip() for _, why in table.values())


@pytest.mark.parametrize("package,floor,why", floors(), ids=[row[0] for row in floors()])
def test_installed_version_is_at_or_above_its_floor(package, floor, why):
    try:
        installed = version(package)
    except PackageNotFoundError:
        pytest.fail(f"{package} 未安装，但版本下限表列出了它（{why}）")
    assert Version(installed) >= Version(floor), f"{package} {installed} 低于下限 {floor}：{why}"


def test_django_stays_on_the_lts_series():
    assert Version(version("Django")).release[:2] == (5, 2)


def test_requirements_pin_at_or_above_the_floors():
    pins = dict(
        re.findall(r"^([\w.-]+)==([\w.]+)$", (FLOORS.parent.parent / "requirements.txt").read_text(), re.M)
    )
    pins = {name.lower(): value for name, value in pins.items()}
    for package, floor, why in floors():
        if package.lower() in pins:
            assert Version(pins[package.lower()]) >= Version(floor), f"requirements.txt：{package} {why}"
