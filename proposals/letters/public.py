"""The public version of a letter: phone numbers out (国办发〔2014〕46号, PIPL art. 25).

Mobile numbers are found in any usual form (`13908661566`, `139 0866 1566`,
`+86-139-0866-1566`, full-width digits); the contact block loses every phone number.
"""

from __future__ import annotations

import re

_D = "[0-9０-９]"
_SEP = r"[\s\-－‐—.．]?"
MOBILE = re.compile(
    rf"(?<![0-9０-９])(?:(?:\+|＋)?(?:86|８６){_SEP})?[1１]{_D}(?:{_SEP}{_D}){{9}}(?![0-9０-９])"
)
# Any phone number in the contact block: mobiles and landlines like 0722-3251234.
ANY_PHONE = re.compile(
    rf"(?:(?:\+|＋)?(?:86|８６){_SEP})?[0-9０-９(（][0-9０-９()（）\s\-－‐—]{{5,}}[0-9０-９]"
)
PHONE_LABEL = re.compile(r"[\s，,]*(?:联系)?电话[：:]?\s*(?:" + ANY_PHONE.pattern + r")?")
REDACTED = "（已隐去）"


def redact_text(text: str) -> str:
    """Mobile numbers replaced by （已隐去）."""
    return MOBILE.sub(REDACTED, text)


def redact_contact_line(line: str) -> str:
    """A contact line without its phone part: `经办人姓名：孙建波 联系电话：199…` → `经办人姓名：孙建波`."""
    line = PHONE_LABEL.sub("", line)
    return ANY_PHONE.sub("", line).strip(" ，,（()）") if ANY_PHONE.search(line) else line.strip()


def public_context(letter: dict) -> dict:
    """The letter context of the public version."""

    def sections(items):
        return [
            {
                **s,
                "heading": redact_text(s["heading"]),
                "paragraphs": [redact_text(p) for p in s["paragraphs"]],
                "children": sections(s["children"]),
            }
            for s in items
        ]

    public = dict(letter)
    for key in (
        "title",
        "salutation",
        "opening",
        "signature",
        "copy_line",
        "doc_number",
        "signer",
        "publicity",
    ):
        public[key] = redact_text(letter[key])
    public["sections"] = sections(letter["sections"])
    public["closing"] = [redact_text(p) for p in letter["closing"]]
    public["attachments"] = [redact_text(a) for a in letter["attachments"]]
    public["contact_lines"] = [
        line for line in (redact_contact_line(raw) for raw in letter["contact_lines"]) if line
    ]
    return public
