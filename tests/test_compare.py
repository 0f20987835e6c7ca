"""查看修改: the changed paragraphs with their place in the letter and one line of context."""

from proposals.letters.compare import changes, letter_lines

BASE = {
    "title": "对市五届人大一次会议第12号建议的答复",
    "salutation": "沈宝栋、李芸等代表：",
    "opening": "你们提出的建议收悉，现答复如下：",
    "heading_style": "chinese",
    "sections": [
        {
            "heading": "关于提高工人待遇方面",
            "paragraphs": ["第一段。", "第二段。", "第三段。"],
            "subsections": [
                {"heading": "技能人才", "paragraphs": ["培训5172人次。"], "subsections": []},
            ],
        },
        {"heading": "关于弘扬劳模精神方面", "paragraphs": ["开展宣传。"], "subsections": []},
    ],
    "closing": ["感谢对人社工作的支持。"],
    "class_code": "A",
    "contact_block_lines": ["经办人姓名：孙建波 联系电话：19908660409"],
    "cc_line": "抄送：市人大常委会选任工委（2份）",
}


def changed(**edits):
    new = {**BASE, **edits}
    return changes(BASE, new)


def test_lines_know_where_they_stand():
    places = {text: where for where, text in letter_lines(BASE)}
    assert places["培训5172人次。"] == "一、（一）第1段"
    assert places["一、关于提高工人待遇方面"] == "一、"
    assert places["开展宣传。"] == "二、第1段"


def test_only_the_change_and_one_line_around_it():
    sections = [dict(s) for s in BASE["sections"]]
    sections[0] = {**sections[0], "paragraphs": ["第一段。", "第二段（修改）。", "第三段。"]}
    diff = changed(sections=sections)
    assert [(d["kind"], d["where"], d["text"]) for d in diff] == [
        ("same", "一、第1段", "第一段。"),
        ("removed", "一、第2段", "第二段。"),
        ("added", "一、第2段", "第二段（修改）。"),
        ("same", "一、第3段", "第三段。"),
    ]


def test_far_apart_changes_are_separated_by_a_gap():
    diff = changed(opening="来信收悉，现答复如下：", class_code="B")
    kinds = [d["kind"] for d in diff]
    assert "gap" in kinds and kinds.count("removed") == 2 and kinds.count("added") == 2
    assert not any(d["text"] == "培训5172人次。" for d in diff)


def test_no_change_gives_nothing():
    assert changes(BASE, dict(BASE)) == []
