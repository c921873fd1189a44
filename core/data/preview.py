"""A contact sheet of a dataset: images in a grid with their labels under each.

Used by ``unlearn datasets show NAME`` and by the dashboard's dataset page to let a person check
at a glance that images and labels agree. Small images (32 px) are scaled up by whole pixels so
they stay sharp and readable.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.data.table import ImageTable

MIN_SIDE = 112  # images are scaled up by whole pixels to at least this side
PAD = 4
SHORT = {
    "Mouth_Slightly_Open": "MouthOpen", "Eyeglasses": "Glasses", "Wearing_Hat": "Hat",
    "Pointy_Nose": "PointyNose", "Big_Nose": "BigNose", "skin_tone": "skin", "age_group": "age",
}


def short_name(column: str) -> str:
    """A compact label for a column name (``Mouth_Slightly_Open`` -> ``MouthOpen``)."""
    return SHORT.get(column, column.replace("_", ""))


def is_binary(classes: Sequence[str]) -> bool:
    return len(classes) == 2 and str(classes[1]).lower() in ("yes", "true", "1")


def labels_of(table: ImageTable, i: int, columns: Sequence[str]) -> list[str]:
    """Words describing row ``i``: binary columns that are 1 by name, others as ``name=class``."""
    words = []
    for col in columns:
        value, classes = int(table.columns[col][i]), table.classes[col]
        if is_binary(classes):
            if value:
                words.append(short_name(col))
        else:
            words.append(f"{short_name(col)}={classes[value]}")
    return words


def _font(size: int = 11) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size)
    except (TypeError, OSError, ImportError):  # old Pillow or no FreeType: the bitmap font
        return ImageFont.load_default()


def _wrap(words: list[str], font: ImageFont.ImageFont, width: int) -> list[str]:
    """Greedy line filling; a word wider than a line is cut with an ellipsis."""
    lines: list[str] = []
    for word in words:
        while font.getlength(word) > width and len(word) > 2:
            word = word[:-2] + "…"
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _picture(table: ImageTable, i: int, scale: int) -> Image.Image:
    pixels = table.images[i].numpy().transpose(1, 2, 0)
    img = Image.fromarray(pixels[..., 0] if pixels.shape[2] == 1 else np.ascontiguousarray(pixels[..., :3]))
    return img.convert("RGB").resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)


def grid_image(
    table: ImageTable, n: int = 16, columns: Sequence[str] | None = None, index: Sequence[int] | None = None
) -> Image.Image:
    """The images at ``index`` (default: ``n`` spread evenly over the table) with their labels."""
    if index is None:
        index = np.linspace(0, len(table) - 1, num=min(n, len(table))).round().astype(int).tolist()
    index = [int(i) for i in index]
    if not index:
        raise ValueError(f"{table.name}: nothing to show (empty table or index)")
    columns = list(table.columns) if columns is None else [c for c in columns if table.column(c, "columns") is not None]
    _, h, w = table.image_shape
    scale = max(1, math.ceil(MIN_SIDE / max(h, w)))
    cell_w, font = w * scale + 2 * PAD, _font()
    line_h = int(sum(font.getbbox("Ag")[1::2])) + 2
    texts = [_wrap([table.ids[i] if table.ids else f"#{i}", *labels_of(table, i, columns)], font, cell_w - 2 * PAD)
             for i in index]
    cell_h = h * scale + 2 * PAD + line_h * max(len(t) for t in texts)
    ncols = math.ceil(math.sqrt(len(index)))
    sheet = Image.new("RGB", (ncols * cell_w, math.ceil(len(index) / ncols) * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (i, lines) in enumerate(zip(index, texts)):
        x, y = (k % ncols) * cell_w, (k // ncols) * cell_h
        sheet.paste(_picture(table, i, scale), (x + PAD, y + PAD))
        for j, line in enumerate(lines):
            draw.text((x + PAD, y + PAD + h * scale + 2 + j * line_h), line, fill="black", font=font)
    return sheet


def write_grid(table: ImageTable, path: str | Path, **kw) -> Path:
    """Save :func:`grid_image` to ``path`` (format from the suffix, e.g. ``.png``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    grid_image(table, **kw).save(path)
    return path
