"""Fixed letter wording: contact blocks, 抄送 lines, heading numbers and dates."""

import datetime

import pytest

from proposals.letters import wording
from proposals.letters.wording import Contact

FULL = Contact("张春强", "13908661566", "孙建波", "19908660409", "441300")


@pytest.mark.parametrize(
    "style,contact,expected",
    [
        (
            "suizhou",
            FULL,
            [
                "主管领导姓名：张春强 联系电话：13908661566",
                "经办人姓名：孙建波 联系电话：19908660409",
                "邮 政 编 码：441300",
            ],
        ),
        (
            "suizhou",
            Contact(handler_name="孙建波", handler_phone="19908660409"),
            ["经办人姓名：孙建波 联系电话：19908660409"],
        ),
        ("plain", FULL, ["联系人：孙建波", "联系电话：19908660409"]),
        ("inline", FULL, ["联系人：孙建波 联系电话：19908660409"]),
        ("note", FULL, ["（联系人：孙建波，联系电话：19908660409）"]),
        ("note", Contact(), []),
    ],
)
def test_contact_block_styles(style, contact, expected):
    assert wording.contact_lines(style, contact) == expected


def test_copy_line_styles():
    copies = [("市人大常委会选任工委", 2), ("市政府督查室", 2)]
    assert wording.copy_line("suizhou", copies) == "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"
    assert (
        wording.copy_line("gb", [("市政协提案委", None), ("市政府督查室", 1)])
        == "抄送：市政协提案委，市政府督查室（1份）。"
    )
    assert wording.copy_line("suizhou", []) == ""


@pytest.mark.parametrize(
    "n,expected",
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "100"),
    ],
)
def test_chinese_numerals(n, expected):
    assert wording.chinese_numeral(n) == expected


def test_heading_numbers_per_level_and_style():
    assert [wording.heading_number("chinese", level, 2) for level in (1, 2, 3, 4)] == [
        "二、",
        "（二）",
        "2.",
        "（2）",
    ]
    assert [wording.heading_number("arabic", level, 3) for level in (1, 2, 3, 4)] == ["3.", "(3)", "3)", "③"]


def test_dates_have_no_leading_zeros():
    assert wording.chinese_date(datetime.date(2023, 5, 5)) == "2023年5月5日"
    assert wording.chinese_date(datetime.date(2022, 7, 26)) == "2022年7月26日"
