"""Pages of the portal. Views are thin: querysets carry access rules (`for_user`)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from measures.models import measure_tree
from proposals import wording
from proposals.models import Proposal, Reply


def home(request: HttpRequest) -> HttpResponse:
    """Start page: the proposals and replies this user may see."""
    replies = (Reply.objects.for_user(request.user)
               .select_related("assignment__proposal__session", "assignment__agency")
               .order_by("assignment__proposal__session__name", "assignment__proposal__number"))
    proposals = (Proposal.objects.for_user(request.user).select_related("session")
                 .prefetch_related("assignments__agency", "authorships__deputy"))
    return render(request, "proposals/home.html", {"replies": replies, "proposals": proposals})


def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One reply: its facts and the letter as it reads."""
    reply = get_object_or_404(
        Reply.objects.for_user(request.user).select_related(
            "assignment__proposal__session", "assignment__agency"),
        pk=pk)
    return render(request, "proposals/reply_detail.html", {
        "reply": reply,
        "letter": letter_context(reply),
    })


def letter_context(reply: Reply) -> dict:
    """Everything the letter template prints, in printed order."""

    def numbered(tree, level: int) -> list[dict]:
        items = []
        count = 0
        for measure, children in tree:
            number = ""
            if measure.heading:
                count += 1
                number = wording.heading_number(reply.heading_style, level, count)
            items.append({"level": level, "number": number, "heading": measure.heading,
                          "paragraphs": measure.paragraph_list,
                          "children": numbered(children, level + 1)})
        return items

    return {
        "agency": reply.agency.name,
        "class_code": reply.class_code,
        "doc_number": reply.doc_number,
        "signer": reply.signer,
        "publicity": reply.publicity,
        "title": reply.effective_title,
        "salutation": reply.effective_salutation,
        "opening": reply.opening,
        "sections": numbered(measure_tree(reply), 1),
        "closing": reply.closing_paragraphs,
        "attachments": reply.attachments,
        "signature": reply.effective_signature,
        "date": reply.date_text(),
        "contact_lines": reply.contact_lines(),
        "copy_line": reply.copy_line(),
    }
