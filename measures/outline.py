"""The outline of a reply: its measures as a tree, and the conversion between that tree and the
editor's rows (level, heading, paragraphs in printed order). Saving a tree writes measures;
what may be saved when is decided by `proposals.workflow`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from measures.models import MAX_LEVEL, Measure

if TYPE_CHECKING:
    from proposals.models import Reply


def measure_tree(reply) -> list[tuple[Measure, list]]:
    """The reply's measures as nested (measure, children) pairs in printed order, in one query."""
    by_parent: dict[int | None, list[Measure]] = {}
    for measure in Measure.objects.filter(reply=reply).order_by("position", "pk"):
        by_parent.setdefault(measure.parent_id, []).append(measure)

    def build(parent_id: int | None) -> list[tuple[Measure, list]]:
        return [(m, build(m.pk)) for m in by_parent.get(parent_id, [])]

    return build(None)


def measure_rows(reply: Reply) -> list[dict]:
    """The reply's measures flattened to outline rows, for the editor."""
    rows = []

    def walk(tree):
        for measure, children in tree:
            rows.append(
                {"level": measure.level, "heading": measure.heading, "paragraphs": measure.paragraphs}
            )
            walk(children)

    walk(measure_tree(reply))
    return rows


def outline_to_tree(rows: list[dict]) -> list[tuple[Measure, list]]:
    """Outline rows to unsaved (measure, children) pairs; a level never exceeds MAX_LEVEL."""
    root: list = []
    stack: list[tuple[int, list]] = [(0, root)]
    for row in rows:
        level = min(row["level"], MAX_LEVEL)
        while stack[-1][0] >= level:
            stack.pop()
        level = stack[-1][0] + 1
        children: list = []
        measure = Measure(
            level=level,
            heading=row.get("heading") or "",
            paragraphs="\n".join(p.strip() for p in row.get("paragraphs", "").splitlines() if p.strip()),
        )
        stack[-1][1].append((measure, children))
        stack.append((level, children))
    return root


def save_tree(reply: Reply, tree, parent: Measure | None = None) -> None:
    for position, (measure, children) in enumerate(tree, start=1):
        measure.reply, measure.parent, measure.position = reply, parent, position
        measure.save()
        save_tree(reply, children, measure)
