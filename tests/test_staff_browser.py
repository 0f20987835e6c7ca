"""Committee staff in a real browser: import a session's list from the downloaded template, find
the overdue ones on the dashboard, and check the per-agency Excel statistics against the import.

Screenshots of every step land in test-artifacts/staff/ for a person to look at.
"""

import calendar
import datetime
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from proposals.models import Assignment, Proposal
from tests.conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "staff"
HEADER = [
    "编号",
    "标题",
    "类别",
    "领衔代表",
    "联名代表",
    "主办单位",
    "协办单位",
    "会办单位",
    "交办日期",
    "重点督办",
]
HR, EDU, UNION = "随州市人力资源和社会保障局", "随州市教育局", "随州市总工会"


def plus_months(day: datetime.date, months: int) -> datetime.date:
    """The due-date rule written out independently: calendar months, clamped to month end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@pytest.fixture
def world(seed_reply, union_agency, education_agency, committee_staff):
    """The shared cast: 建议 12 (市人社局 主办, 市总工会 会办, no 交办 date), the 市教育局, and staff.
    The seed's 随州市人力资源和社会保障局 has no short name, so the dashboard shows its full name."""
    return seed_reply.assignment.proposal.session


def shot(page, name: str) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def table_rows(page) -> list[tuple[str, str]]:  # noqa: F811
    """(编号, 承办单位) of every row of the dashboard table."""
    rows = []
    for row in page.locator("table.dashboard tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if len(cells) > 1:
            rows.append((re.sub(r"^第(.+)号$", r"\1", cells[1].strip()), cells[4].strip()))
    return rows


def test_staff_import_a_list_find_the_overdue_and_download_statistics(live_server, world, tmp_path, page):  # noqa: F811
    base, today = live_server.url, timezone.localdate()
    long_ago, a_while_ago = today - datetime.timedelta(days=130), today - datetime.timedelta(days=100)
    recently, just_now = today - datetime.timedelta(days=10), today - datetime.timedelta(days=5)
    # 编号, 标题, 类别, 领衔代表, 联名代表, 主办单位, 协办单位, 会办单位, 交办日期, 重点督办
    proposals = [
        [
            "101",
            "关于提高技能人才待遇的建议",
            "建议",
            "沈宝栋",
            "李芸、王强",
            HR,
            "市总工会",
            "",
            long_ago.isoformat(),
            "是",
        ],
        [
            "102",
            "关于加强农村学校师资配备的建议",
            "建议",
            "王芳",
            "",
            "市教育局",
            "",
            "",
            f"{a_while_ago.year}年{a_while_ago.month}月{a_while_ago.day}日",
            "否",
        ],
        [
            "103",
            "关于规范校外培训机构管理的建议",
            "建议",
            "李芸",
            "刘洋，陈静",
            EDU,
            "",
            "",
            recently.strftime("%Y/%m/%d"),
            "",
        ],
        [
            "104",
            "关于支持返乡人员创业就业的议案",
            "议案",
            "纪占斌",
            "",
            HR,
            "",
            "市教育局",
            just_now,
            "否",
        ],  # a real date cell, as Excel stores a typed date
        [
            "105",
            "关于保障新就业形态劳动者权益的建议",
            "建议",
            "陈静",
            "沈宝栋",
            UNION,
            "",
            "",
            a_while_ago.isoformat(),
            "否",
        ],
    ]
    overdue = {("101", HR), ("101", "市总工会"), ("102", "市教育局"), ("105", "市总工会")}
    recent = {("103", "市教育局"), ("104", HR), ("104", "市教育局")}
    seed = {("12", HR), ("12", "市总工会")}

    # 1. 交办导入: download the template, fill it in, upload it into the session.
    sign_in(page, base, "committee")
    page.get_by_role("link", name="交办导入").click()
    page.wait_for_url(f"{base}/intake/")
    assert page.get_by_role("heading", name="交办导入").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载导入模板").click()
    template = download_info.value
    assert template.suggested_filename == "建议提案交办清单模板.xlsx"
    template.save_as(tmp_path / template.suggested_filename)
    book = load_workbook(tmp_path / template.suggested_filename)
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.max_row == 2  # the header and one example row, which staff overwrite
    sheet.delete_rows(2, sheet.max_row)
    for row in proposals:
        sheet.append(row)
    filled = tmp_path / "市五届人大一次会议交办清单.xlsx"
    book.save(filled)

    page.get_by_label("届次").select_option(label="市五届人大一次会议")
    page.get_by_label(re.compile("建议提案清单")).set_input_files(filled)
    page.get_by_role("button", name="导入").click()
    page.wait_for_load_state("networkidle")
    assert (
        page.locator(".alert-success").inner_text().strip() == "导入成功：新增 5 件，更新 0 件，未变化 0 件。"
    )
    assert not page.locator(".intake-errors").count()
    shot(page, "01-intake")
    imported = Proposal.objects.filter(session=world, number__in=["101", "102", "103", "104", "105"])
    assert imported.count() == 5
    assert Proposal.objects.get(session=world, number="101").key_supervision
    assert Assignment.objects.get(proposal__number="104", agency__name=HR).assigned_date == just_now
    assert Assignment.objects.get(proposal__number="102", agency__name=EDU).assigned_date == a_while_ago
    assert Assignment.objects.get(proposal__number="101", agency__name=UNION).role == "co"  # 协办单位
    assert Assignment.objects.get(proposal__number="104", agency__name=EDU).role == "joint"  # 会办单位
    # The same file again changes nothing, and every row says so.
    page.get_by_label("届次").select_option(label="市五届人大一次会议")
    page.get_by_label(re.compile("建议提案清单")).set_input_files(filled)
    page.get_by_role("button", name="导入").click()
    page.wait_for_load_state("networkidle")
    assert (
        page.locator(".alert-success").inner_text().strip() == "导入成功：新增 0 件，更新 0 件，未变化 5 件。"
    )
    assert page.locator("table.intake-rows tbody .badge").all_inner_texts() == ["未变化"] * 5
    shot(page, "01-intake-again")

    # 2. 督办总览: everything imported is listed; 只看超期 leaves exactly the overdue ones.
    page.get_by_role("link", name="督办总览").click()
    page.wait_for_url(f"{base}/dashboard/")
    assert "共 9 项" in page.get_by_role("heading", name=re.compile("督办总览")).inner_text()
    assert set(table_rows(page)) == overdue | recent | seed
    body = page.locator("table.dashboard").inner_text()
    for title in (
        "关于提高技能人才待遇的建议",
        "关于规范校外培训机构管理的建议",
        "关于支持返乡人员创业就业的议案",
    ):
        assert title in body
    shot(page, "02-dashboard")

    filters = page.locator("form.dashboard-filters")
    filters.get_by_label("只看超期").check()
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"/dashboard/\?.*overdue=1"))
    assert filters.get_by_label("只看超期").is_checked()
    assert "共 4 项" in page.get_by_role("heading", name=re.compile("督办总览")).inner_text()
    assert set(table_rows(page)) == overdue
    rows = page.locator("table.dashboard tbody tr")
    assert rows.count() == 4
    lead_due = {
        "101": plus_months(long_ago, 3),
        "102": plus_months(a_while_ago, 3),
        "105": plus_months(a_while_ago, 3),
    }
    for index in range(4):
        row = rows.nth(index)
        cells = row.locator("td").all_inner_texts()
        assert "table-danger" in row.get_attribute("class")  # overdue rows are highlighted
        assert re.fullmatch(r"超期\d+天", cells[11].strip())
        if cells[5].strip() == "主办":
            due = lead_due[cells[1].strip().removeprefix("第").removesuffix("号")]
            assert cells[10].strip() == f"{due.year}年{due.month}月{due.day}日"
            assert cells[11].strip() == f"超期{(today - due).days}天"
        else:  # 市总工会 协办 on 101: one month for the opinion
            assert (cells[1].strip(), cells[5].strip()) == ("第101号", "协办")
            opinion_due = plus_months(long_ago, 1)
            assert cells[10].strip() == f"{opinion_due.year}年{opinion_due.month}月{opinion_due.day}日"
    assert page.locator("table.dashboard").get_by_text("重点", exact=True).count() == 2  # 101 twice
    shot(page, "02-dashboard-overdue")

    # 3. 统计: the per-agency table on the page and in the downloaded Excel file.
    page.get_by_role("link", name="统计", exact=True).click()
    page.wait_for_url(f"{base}/statistics/")
    page.get_by_label("届次").select_option(label="市五届人大一次会议")
    page.get_by_role("button", name="统计").click()
    page.wait_for_url(re.compile(r"/statistics/\?session=\d+"))
    # 主办 (lead and 分办) and 协办 (协办 and 会办) per agency; 建议 12 adds one 主办 to 市人社局
    # and one 会办 to 市总工会. Nothing is answered yet.
    expected = {HR: (3, 0), EDU: (2, 1), UNION: (1, 2), "合计": (6, 3)}
    on_page = {}
    for row in page.locator("table.agency-statistics tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        on_page[cells[0]] = (int(cells[1]), int(cells[2]), int(cells[3]), cells[4])
    assert on_page == {name: (lead, co, 0, "0.0%") for name, (lead, co) in expected.items()}
    shot(page, "03-statistics")

    agencies_heading = page.locator("h2", has_text="各承办单位")
    with page.expect_download() as download_info:
        agencies_heading.get_by_role("link", name="下载 Excel").click()
    table = download_info.value
    assert table.suggested_filename == "承办单位办理情况统计.xlsx"
    table.save_as(tmp_path / table.suggested_filename)
    sheet = load_workbook(tmp_path / table.suggested_filename).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:5] == ["承办单位", "主办/分办", "协办/会办", "已答复", "办复率%"]
    figures = {row[0]: (row[1], row[2], row[3], row[4]) for row in rows[1:]}
    assert figures == {name: (lead, co, 0, 0) for name, (lead, co) in expected.items()}
    assert rows[-1][0] == "合计"


def test_a_row_with_an_unknown_agency_imports_nothing(live_server, world, tmp_path, page):  # noqa: F811
    from openpyxl import Workbook

    base, today = live_server.url, timezone.localdate()
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(
        ["201", "关于建设城区停车场的建议", "建议", "沈宝栋", "", HR, "", "", today.isoformat(), "否"]
    )
    book.active.append(
        [
            "202",
            "关于整治河道污染的建议",
            "建议",
            "王芳",
            "",
            "随州市河道管理局",
            "市总工会",
            "",
            today.isoformat(),
            "否",
        ]
    )
    book.save(tmp_path / "有错误的交办清单.xlsx")

    sign_in(page, base, "committee")
    page.goto(f"{base}/intake/")
    page.get_by_label("届次").select_option(label="市五届人大一次会议")
    page.get_by_label(re.compile("建议提案清单")).set_input_files(tmp_path / "有错误的交办清单.xlsx")
    page.get_by_role("button", name="导入").click()
    page.wait_for_load_state("networkidle")
    assert "未导入任何内容" in page.locator(".alert").first.inner_text()
    assert page.locator(".intake-errors li").all_inner_texts() == [
        "第3行：主办单位“随州市河道管理局”不存在。"
    ]
    assert not page.locator(".alert-success").count()
    shot(page, "04-intake-error")

    # Neither row is in the dashboard: the good row 201 is refused with the bad one.
    for number in ("201", "202"):
        page.goto(f"{base}/dashboard/")
        page.get_by_placeholder("编号、标题或提出人").fill(number)
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(re.compile(rf"/dashboard/\?.*q={number}"))
        assert "共 0 项" in page.get_by_role("heading", name=re.compile("督办总览")).inner_text()
        assert page.locator("table.dashboard tbody").inner_text().strip() == "没有符合条件的项目。"
    # The search itself works: the seed proposal is found the same way.
    page.get_by_placeholder("编号、标题或提出人").fill("12")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"/dashboard/\?.*q=12"))
    assert {number for number, _ in table_rows(page)} == {"12"}
    assert not Proposal.objects.filter(number__in=["201", "202"]).exists()
