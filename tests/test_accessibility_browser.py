"""Every kind of page passes axe-core's WCAG 2.0/2.1 A and AA rules (GB/T 37668), in a real browser.

axe-core is the pinned npm release the Makefile fetches into .make/axe/ (`make axe`, a step of
`make test`); it is read from disk and evaluated through the DevTools protocol, so the page's
Content-Security-Policy stays as deployed and nothing is loaded from a CDN. Each page is one test,
opened as the person who uses it, with data in the state that shows the most of it; a screenshot
of each lands in test-artifacts/accessibility/ for a person to look at.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from proposals.models import Reply
from tests.conftest import ARTIFACTS, REPO, TWO_SECTIONS, editor_data, login, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = REPO / ".make" / "axe" / "axe.min.js"
SHOTS = ARTIFACTS / "accessibility"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}"""


@dataclass(frozen=True)
class Page:
    name: str
    state: str  # the fixture that builds the data: draft, resubmitted, published
    user: str | None  # who is logged in (None: nobody)
    url: str  # a URL name (its args taken from the reply, see _url) or a plain path
    args: tuple[str, ...] = ()
    status: int = 200


PAGES = [
    Page("login", "draft", None, "login"),
    Page("clerk-home", "draft", "clerk", "home"),
    Page("reply-list", "draft", "clerk", "reply_list"),
    Page("queue", "draft", "clerk", "queue"),
    Page("reply-detail-draft", "draft", "clerk", "reply_detail", ("reply",)),
    Page("reply-editor", "draft", "clerk", "reply_edit", ("reply",)),
    Page("reply-import", "draft", "clerk", "reply_import", ("reply",)),
    Page("opinion-edit", "draft", "cohandler", "opinion_edit", ("union_assignment",)),
    Page("countersign", "countersigning", "cohandler", "countersign", ("union_assignment",)),
    Page("reply-detail-countersign", "countersigning", "leader", "reply_detail", ("reply",)),
    Page("reply-detail-committee-review", "reviewing", "committee", "reply_detail", ("reply",)),
    Page("leader-home", "resubmitted", "leader", "home"),
    Page("reply-detail-review", "resubmitted", "leader", "reply_detail", ("reply",)),
    Page("reply-changes", "resubmitted", "leader", "reply_changes", ("reply",)),
    Page("version-detail", "resubmitted", "leader", "version_detail", ("reply", "version")),
    Page("notices", "resubmitted", "clerk", "notices"),
    Page("committee-home", "published", "committee", "home"),
    Page("reply-detail-issued", "published", "committee", "reply_detail", ("reply",)),
    Page("reply-detail-publish", "issued", "leader", "reply_detail", ("reply",)),  # 公开版预览
    Page("proposal-detail", "published", "committee", "proposal_detail", ("proposal",)),
    Page("proposal-new", "published", "committee", "proposal_create"),
    Page("dashboard", "published", "committee", "dashboard"),
    Page("statistics", "published", "committee", "statistics"),
    Page("intake", "published", "committee", "intake"),
    Page("audit-log", "published", "committee", "audit_log"),
    Page("exports", "published", "committee", "exports"),
    Page("verify", "published", "committee", "verify_letter"),
    Page("public-list", "published", None, "public_list"),
    Page("public-reply", "published", None, "public_reply", ("reply",)),
    Page("password-change", "draft", "clerk", "password_change"),
    Page("forbidden-403", "draft", "clerk", "dashboard", status=403),
    Page("not-found-404", "draft", "clerk", "/replies/999999/", status=404),
]


@pytest.fixture
def resubmitted(submitted, leader, clerk):
    """Returned once with a reason, changed and submitted again: 查看修改 has two versions to compare."""
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "第二部分请补充具体数据。"})
    changed = [TWO_SECTIONS[0], (1, TWO_SECTIONS[1][1], "积极开展劳模先进事迹宣传，今年评选劳模 25 名。")]
    login(clerk).post(
        reverse("reply_edit", args=[submitted.pk]), editor_data(submitted, changed, class_code="A")
    )
    login(clerk).post(reverse("reply_submit", args=[submitted.pk]))
    return Reply.objects.get(pk=submitted.pk)


@pytest.fixture
def countersigning(draft, clerk, cohandler, union_assignment):
    """会签 on: submitted, the co-handler's page open, the lead's reply page with the 会签 card."""
    from proposals.models import Session
    from tests.conftest import submit_opinion

    Session.objects.filter(pk=draft.proposal.session_id).update(countersign_on=True)
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    return Reply.objects.get(pk=draft.pk)


@pytest.fixture
def reviewing(submitted, leader, committee_staff):
    """督办审核 on: signed off, waiting for committee staff (the review form)."""
    from proposals.models import Session

    Session.objects.filter(pk=submitted.proposal.session_id).update(committee_review_on=True)
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    return Reply.objects.get(pk=submitted.pk)


@pytest.fixture
def published(issued, leader, committee_staff):
    """Issued, signed and approved for the public side; committee staff have a rating to record."""
    login(leader).post(reverse("reply_publish", args=[issued.pk]))
    return Reply.objects.get(pk=issued.pk)


def _url(spec: Page, reply: Reply) -> str:
    if spec.url.startswith("/"):
        return spec.url
    values = {
        "reply": reply.pk,
        "proposal": reply.assignment.proposal_id,
        "union_assignment": reply.assignment.proposal.assignments.exclude(pk=reply.assignment_id)
        .values_list("pk", flat=True)
        .first(),
        "version": reply.versions.order_by("-number").values_list("number", flat=True).first(),
    }
    return reverse(spec.url, args=[values[name] for name in spec.args])


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations on the page as loaded."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE}): run `make axe` (part of `make test`), "
            "which fetches the pinned release from the npm registry"
        )
    if not page.evaluate("typeof window.axe === 'object'"):
        # Through the DevTools protocol: the page's CSP (no inline script) does not apply.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, WCAG_AA)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}")
            lines += [f"        {line.strip()}" for line in node["summary"].splitlines()]
    return "\n".join(lines)


@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_page_has_no_wcag_aa_violations(spec: Page, live_server, request):
    reply = request.getfixturevalue(spec.state)
    for name in ("clerk", "leader", "cohandler", "committee_staff"):
        request.getfixturevalue(name)
    page = request.getfixturevalue("page")  # last: Playwright's loop starts after the data is in
    base = live_server.url
    if spec.user:
        sign_in(page, base, spec.user)
    response = page.goto(f"{base}{_url(spec, reply)}")
    assert response.status == spec.status, page.url
    assert not re.search(r"/accounts/(login|password)/", page.url) or spec.url in ("login", "password_change")
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{spec.name}.png")
    violations = axe_violations(page)
    elements = sum(len(violation["nodes"]) for violation in violations)
    assert not violations, (
        f"{spec.name}: {len(violations)} rule(s) violated on {elements} element(s)\n{describe(violations)}"
    )


def test_a_missing_axe_core_fails_instead_of_skipping(monkeypatch, tmp_path):
    """Without the file the accessibility tests fail, naming the make target, never skip."""
    monkeypatch.setattr(f"{__name__}.AXE", Path(tmp_path / "axe.min.js"))
    with pytest.raises(pytest.fail.Exception, match="make axe"):
        axe_violations(page=None)


def test_the_makefile_fetches_a_pinned_axe_core_for_make_test():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    version = re.search(r"^AXE_VERSION := (\d+\.\d+\.\d+)$", makefile, re.M)
    assert version and re.search(r"^AXE_SHA512 := [0-9a-f]{128}$", makefile, re.M)
    assert re.search(r"^test: .*\$\(AXE\)", makefile, re.M)
    if AXE.is_file():
        assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{version.group(1)}")
