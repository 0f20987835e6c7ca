"""`loadreply` and `dumpreply`: the JSON interchange format, round trips and bad input."""

import copy
import io
import json

import pytest
from django.core.management import call_command

from measures.models import Measure
from proposals.models import (
    Agency,
    Assignment,
    Deputy,
    Proposal,
    ProposalAuthor,
    Reply,
    ReplyCopy,
    Role,
    Session,
)
from tests.conftest import SEED_JSON, SHARED_SEED_JSON

pytestmark = pytest.mark.django_db

MODELS = (Session, Deputy, Proposal, ProposalAuthor, Agency, Assignment, Reply, ReplyCopy, Measure)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def load(*paths) -> tuple[int, str, str]:
    """Run loadreply; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("loadreply", *[str(p) for p in paths], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def dump(reply_id: int) -> dict:
    out = io.StringIO()
    call_command("dumpreply", str(reply_id), stdout=out)
    return json.loads(out.getvalue())


def write(tmp_path, name: str, obj) -> str:
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return str(path)


def seed() -> dict:
    return json.loads(SEED_JSON.read_text(encoding="utf-8"))


# The demo copy in the repository, and the shared original when it stands beside the checkout.
SEED_FILES = [SEED_JSON] + ([SHARED_SEED_JSON] if SHARED_SEED_JSON.exists() else [])


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.parent.parent.name + "/" + p.name for p in SEED_FILES])
def test_seed_round_trip_every_key_equal(path):
    code, out, err = load(path)
    assert code == 0, err
    reply_id = int(out.strip())
    exported = dump(reply_id)
    original = json.loads(path.read_text(encoding="utf-8"))
    for key, value in original.items():
        assert exported[key] == value, key
    # The exported letter names every key of the format, with the defaults filled in.
    assert exported["kind"] == "建议" and exported["addressee_title"] == "代表"
    assert exported["heading_style"] == "chinese" and exported["attachments"] == []


def test_seed_import_creates_the_whole_record():
    code, out, _ = load(SEED_JSON)
    assert code == 0
    reply = Reply.objects.get(pk=int(out))
    proposal = reply.proposal
    assert proposal.session.name == "市五届人大一次会议"
    assert proposal.session.body == "congress"
    assert proposal.number == "12" and proposal.title == "关于化解企业招工难的建议"
    assert proposal.author_names() == ["沈宝栋", "李芸"]
    assert proposal.lead_author().name == "沈宝栋"
    assert reply.agency.name == "随州市人力资源和社会保障局"
    assert reply.assignment.role == Role.LEAD
    assert reply.class_code == "A"
    assert [m.heading for m in reply.measures.order_by("position")][:1] == [
        "关于提高工人待遇，特别是提高技术工人薪酬方面"
    ]
    assert reply.measures.count() == 5
    assert reply.copy_line() == "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"
    # A new agency takes its contact people and 抄送 list from its first letter.
    assert reply.agency.handler_name == "孙建波" and reply.agency.postcode == "441300"
    assert [str(c) for c in reply.agency.default_copies.all()] == [
        "市人大常委会选任工委（2份）",
        "市政府督查室（2份）",
    ]


def test_import_is_idempotent_on_session_number_agency(tmp_path):
    _, first, _ = load(SEED_JSON)
    before = counts()
    changed = seed()
    changed["sections"] = changed["sections"][:2]
    changed["closing"] = ["第一段结束语。", "第二段结束语。"]
    code, second, err = load(write(tmp_path, "changed.json", changed))
    assert code == 0, err
    assert second == first
    after = counts()
    assert after["Measure"] == 2
    assert {k: v for k, v in after.items() if k != "Measure"} == {
        k: v for k, v in before.items() if k != "Measure"
    }
    exported = dump(int(first))
    assert exported["closing"] == ["第一段结束语。", "第二段结束语。"]
    assert len(exported["sections"]) == 2


CPPCC_LETTER = {
    "agency": "随州市交通运输局",
    "title": "关于市政协五届一次会议第74227号提案的答复",
    "session": "市政协五届一次会议",
    "proposal_number": "74227",
    "proposal_title": "关于加快农村公路建设的提案",
    "kind": "提案",
    "deputies": ["王芳"],
    "opening": "您提出的《关于加快农村公路建设的提案》收悉，现答复如下：",
    "consulted": ["市财政局", "市自然资源和规划局"],
    "sections": [
        {
            "heading": "总体情况",
            "paragraphs": ["全市农村公路总里程达到一万公里。"],
            "subsections": [
                {
                    "heading": "建设进度",
                    "paragraphs": ["今年完成新改建农村公路 500 公里。"],
                    "subsections": [
                        {
                            "heading": "县乡道",
                            "paragraphs": ["县乡道完成 200 公里。"],
                            "subsections": [
                                {"heading": "随县", "paragraphs": ["随县完成 80 公里。"]},
                                {"heading": None, "paragraphs": ["其余县市区正在推进。"]},
                            ],
                        },
                    ],
                },
            ],
        },
        {"heading": None, "paragraphs": ["感谢您对交通运输工作的关心和支持。"]},
    ],
    "closing": ["下一步，我们将继续加大投入。", "再次感谢您的关心。"],
    "heading_style": "chinese",
    "class_code": "B",
    "doc_number": "随交函〔2023〕15号",
    "signer": "李明",
    "publicity": "主动公开",
    "signature": "随州市交通运输局",
    "date": "2023-05-05",
    "contact": {"handler_name": "赵强", "handler_phone": "0722-3251234"},
    "contact_block_lines": ["联系人：赵强", "联系电话：0722-3251234"],
    "cc": [{"recipient": "市政协提案委", "copies": None}, {"recipient": "市政府督查室", "copies": None}],
    "cc_line": "抄送：市政协提案委，市政府督查室。",
    "attachments": ["政协提案办理情况反馈意见表"],
}


def test_cppcc_letter_round_trip_with_every_optional_key(tmp_path):
    code, out, err = load(write(tmp_path, "cppcc.json", CPPCC_LETTER))
    assert code == 0, err
    exported = dump(int(out))
    for key, value in CPPCC_LETTER.items():
        assert exported[key] == value, key
    assert exported["addressee_title"] == "委员"
    reply = Reply.objects.get(pk=int(out))
    assert reply.proposal.session.body == "cppcc"
    assert reply.effective_salutation == "王芳委员："
    assert reply.contact_style == "plain" and reply.copy_style == "gb"
    assert reply.contact_block_text == "" and reply.copy_line_text == ""
    assert Measure.objects.filter(reply=reply, level=4).count() == 2


def test_contact_block_and_copy_line_in_no_known_style_are_kept_verbatim(tmp_path):
    letter = copy.deepcopy(CPPCC_LETTER)
    letter["contact_block_lines"] = ["责任领导：李明", "承办人：赵强", "联系电话：0722-3251234"]
    letter["cc_line"] = "抄送：市政协提案委（一式二份）。"
    code, out, err = load(write(tmp_path, "verbatim.json", letter))
    assert code == 0, err
    exported = dump(int(out))
    assert exported["contact_block_lines"] == letter["contact_block_lines"]
    assert exported["cc_line"] == letter["cc_line"]


def test_integer_and_text_numbers_keep_their_type(tmp_path):
    letter = copy.deepcopy(CPPCC_LETTER)
    letter["proposal_number"] = 8
    letter["title"] = "对市政协五届一次会议第8号提案的答复"
    _, out, _ = load(write(tmp_path, "int.json", letter))
    assert dump(int(out))["proposal_number"] == 8
    _, out, _ = load(write(tmp_path, "text.json", CPPCC_LETTER))
    assert dump(int(out))["proposal_number"] == "74227"


def test_salutation_generated_when_absent_and_counted_authors(tmp_path):
    letter = seed()
    del letter["salutation"]
    letter["deputies"] = ["纪占斌"]
    letter["deputies_more"] = False
    letter["deputies_count"] = 3
    _, out, _ = load(write(tmp_path, "count.json", letter))
    reply = Reply.objects.get(pk=int(out))
    assert reply.effective_salutation == "纪占斌等3名代表："
    exported = dump(reply.pk)
    assert exported["salutation"] is None and exported["deputies_count"] == 3


def test_unknown_keys_are_ignored_with_a_warning(tmp_path):
    letter = seed()
    letter["remark"] = "内部备注"
    letter["contact"]["fax"] = "0722-1234567"
    code, out, err = load(write(tmp_path, "extra.json", letter))
    assert code == 0
    assert "未知键“remark”" in err and "未知键“contact.fax”" in err
    assert "remark" not in dump(int(out))


def _missing(key):
    def change(letter):
        del letter[key]

    return change


def _set(key, value):
    def change(letter):
        letter[key] = value

    return change


def _set_section(value):
    def change(letter):
        letter["sections"][1]["paragraphs"] = value

    return change


def _too_deep(letter):
    section = {"heading": "第五级", "paragraphs": ["内容"]}
    for level in range(4):
        section = {"heading": f"第{level}级", "paragraphs": [], "subsections": [section]}
    letter["sections"].append(section)


BAD_LETTERS = [
    ("missing-title", _missing("title"), "缺少必填键“title”"),
    ("missing-agency", _missing("agency"), "缺少必填键“agency”"),
    ("missing-sections", _missing("sections"), "缺少必填键“sections”"),
    ("missing-deputies", _missing("deputies"), "缺少必填键“deputies”"),
    ("title-number", _set("title", 12), "键“title”应为字符串，实为整数"),
    ("deputies-string", _set("deputies", "沈宝栋、李芸"), "键“deputies”应为字符串列表"),
    ("deputies-empty", _set("deputies", []), "键“deputies”至少要有一位提出人"),
    ("number-float", _set("proposal_number", 12.5), "键“proposal_number”应为字符串或整数"),
    ("number-bool", _set("proposal_number", True), "键“proposal_number”应为字符串或整数"),
    ("more-string", _set("deputies_more", "是"), "键“deputies_more”应为布尔值"),
    ("class-unknown", _set("class_code", "E"), "键“class_code”的值“E”不是已知的办理结果分类"),
    ("kind-unknown", _set("kind", "意见"), "键“kind”的值“意见”无效"),
    ("date-bad", _set("date", "2022-02-30"), "键“date”的值“2022-02-30”不是有效日期"),
    (
        "cc-copies-text",
        _set("cc", [{"recipient": "市政府督查室", "copies": "2"}]),
        "键“cc[0].copies”应为正整数或 null",
    ),
    ("cc-no-recipient", _set("cc", [{"copies": 2}]), "缺少必填键“cc[0].recipient”"),
    ("contact-list", _set("contact", ["张春强"]), "键“contact”应为对象"),
    ("paragraph-number", _set_section(["第一段", 2]), "键“sections[1].paragraphs[1]”应为字符串"),
    (
        "too-deep",
        _too_deep,
        "键“sections[5].subsections[0].subsections[0].subsections[0].subsections[0]”嵌套超过4级",
    ),
    ("title-too-long", _set("title", "长" * 301), "键“title”过长"),
]


@pytest.mark.parametrize("name,change,message", BAD_LETTERS, ids=[b[0] for b in BAD_LETTERS])
def test_bad_letter_names_file_and_key_and_saves_nothing(tmp_path, name, change, message):
    letter = seed()
    change(letter)
    path = write(tmp_path, f"{name}.json", letter)
    code, out, err = load(path)
    assert code != 0
    assert out == ""
    assert f"{path}：" in err and message in err, err
    assert "未导入任何内容" in err
    assert all(n == 0 for n in counts().values()), counts()


def test_invalid_json_names_file_and_position(tmp_path):
    path = write(tmp_path, "broken.json", '{"agency": "随州市人力资源和社会保障局",\n  "title": }')
    code, out, err = load(path)
    assert code != 0 and out == ""
    assert f"{path}：不是有效的 JSON（第2行" in err
    assert all(n == 0 for n in counts().values())


def test_top_level_not_an_object(tmp_path):
    code, _, err = load(write(tmp_path, "list.json", [seed()]))
    assert code != 0 and "顶层应为 JSON 对象，实为列表" in err


def test_missing_file(tmp_path):
    code, _, err = load(tmp_path / "nowhere.json")
    assert code != 0 and "文件不存在" in err


def test_good_files_load_and_bad_file_is_refused_in_one_run(tmp_path):
    bad = seed()
    bad["agency"] = "随州市民政局"
    bad["class_code"] = "Z"
    code, out, err = load(
        SEED_JSON, write(tmp_path, "bad.json", bad), write(tmp_path, "cppcc.json", CPPCC_LETTER)
    )
    assert code != 0
    assert len(out.split()) == 2
    assert "bad.json：键“class_code”" in err
    assert not Agency.objects.filter(name="随州市民政局").exists()
    assert Reply.objects.count() == 2


def test_failure_while_saving_rolls_back_the_whole_file(tmp_path, monkeypatch):
    """A fault after the proposal and agency are written leaves nothing of that file behind."""
    import proposals.letters.interchange as interchange

    def explode(*args, **kwargs):
        raise interchange.LetterFormatError("模拟故障")

    monkeypatch.setattr(interchange, "_create_measures", explode)
    code, _, err = load(SEED_JSON)
    assert code != 0 and "模拟故障" in err
    assert all(n == 0 for n in counts().values())


def test_cohandler_cannot_be_the_author_of_a_reply(tmp_path, seed_reply):
    union = Agency.objects.create(name="随州市总工会")
    Assignment.objects.create(proposal=seed_reply.proposal, agency=union, role=Role.JOINT)
    letter = seed()
    letter["agency"] = "随州市总工会"
    before = counts()
    code, _, err = load(write(tmp_path, "union.json", letter))
    assert code != 0 and "随州市总工会对该建议是会办单位，不能答复代表" in err
    assert counts() == before


def test_dumpreply_unknown_id():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="答复 999 不存在"):
        call_command("dumpreply", "999", stdout=io.StringIO())


def test_the_repositorys_seed_text_is_the_shared_original():
    """proposals/demo/reply-12.txt (what the tests and benchletters read) is ../shared's letter."""
    shared = SHARED_SEED_JSON.with_suffix(".txt")
    if shared.exists():
        assert SEED_JSON.with_suffix(".txt").read_bytes() == shared.read_bytes()
    assert "沈宝栋、李芸等代表：" in SEED_JSON.with_suffix(".txt").read_text(encoding="utf-8")
