"""What the attribute methods share: the forget request must name an attribute column.

``ForgetRequest(kind="attribute", column="Eyeglasses")`` asks that the attribute be removed from
the model's features; the images that have it form the sample-level forget set (used by the
drop-the-images baselines). ``AttributeMethod.check`` refuses any other request with a message
that says how to ask for an attribute.
"""

from __future__ import annotations

from typing import Sequence

from core.methods.base import Context, Method


def attribute_columns(ctx: Context, extra: Sequence[str] = (), require_request: bool = True) -> list[str]:
    """The request's attribute column followed by ``extra`` ones (deduplicated), each checked.

    With ``require_request=False`` the extra columns alone may name the attribute(s)."""
    req = ctx.splits.request
    named = [req.column] if req.kind == "attribute" and req.column else []
    if not named and (require_request or not extra):
        raise ValueError(
            f"this method unlearns an attribute, but the forget request is {req.describe()!r}; "
            "set forget.kind to 'attribute' and forget.column to the attribute to remove (e.g. Eyeglasses)")
    columns = list(dict.fromkeys([*named, *extra]))
    for c in columns:
        ctx.splits.table.column(c, "attribute")
        if c in ctx.splits.task.columns:
            raise ValueError(f"attribute {c!r} is the task being learned; an attribute to remove must be "
                             f"another column than the task ({', '.join(ctx.splits.task.columns)})")
    return columns


class AttributeMethod(Method):
    """A method that only applies to attribute requests."""

    calibration_split = None  # they keep every training image, or feed the model erased ones
    kinds = ("attribute",)

    def attribute_extra(self) -> Sequence[str]:
        """Columns to remove besides the request's (from the hyper-parameters, when the method has them)."""
        return getattr(self.params, "extra_attributes", ()) or ()

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        attribute_columns(ctx, self.attribute_extra())
