"""A .docx reduced to what its layout is made of, one line per paragraph, for
the golden-file tests: the page (size, margins), then each paragraph of the
body in order (inside tables: the table, its cells) with its alignment,
indent and spacing and each run's text with its font, size, bold, italic and
underline. Two documents with the same outline look the same on paper."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _val(el: etree._Element | None, name: str = "val") -> str | None:
    if el is None:
        return None
    return el.get(f"{{{W}}}{name}")


def _mm(twips: str | None) -> str:
    return f"{round(int(twips or 0) / 56.6929)}mm"


def _on(el: etree._Element | None) -> bool:
    return el is not None and _val(el) not in ("0", "false", "none")


def _run(r: etree._Element) -> str:
    rpr = r.find("w:rPr", NS)
    text = "".join(t.text or "" for t in r.findall("w:t", NS))
    if rpr is None:
        return f"[default] {text!r}"
    fonts = rpr.find("w:rFonts", NS)
    size = _val(rpr.find("w:sz", NS))
    marks = [
        f"{_val(fonts, 'ascii')}/{_val(fonts, 'eastAsia')}" if fonts is not None else "font?",
        f"{int(size) / 2:g}pt" if size else "size?",
    ]
    marks += [name for name, tag in (("b", "b"), ("i", "i"), ("u", "u"))
              if _on(rpr.find(f"w:{tag}", NS))]  # fmt: skip
    return f"[{' '.join(marks)}] {text!r}"


def _paragraph(p: etree._Element, depth: str) -> str:
    ppr = p.find("w:pPr", NS)
    marks = []
    if ppr is not None:
        marks.append(_val(ppr.find("w:jc", NS)) or "left")
        ind = ppr.find("w:ind", NS)
        if _val(ind, "firstLine"):
            marks.append(f"indent={_mm(_val(ind, 'firstLine'))}")
        spacing = ppr.find("w:spacing", NS)
        for side in ("before", "after"):
            if _val(spacing, side) is not None:
                marks.append(f"{side}={int(_val(spacing, side) or 0) / 20:g}pt")
    runs = [_run(r) for r in p.findall("w:r", NS)]
    return f"{depth}P {' '.join(marks)}" + ("".join(f"\n{depth}  {r}" for r in runs))


def outline(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find("w:body", NS)
    assert body is not None
    lines = []
    for el in body:
        tag = etree.QName(el).localname
        if tag == "p":
            lines.append(_paragraph(el, ""))
        elif tag == "tbl":
            borders = el.find("w:tblPr/w:tblBorders", NS)
            edges = sorted({_val(b) or "" for b in borders}) if borders is not None else ["?"]
            lines.append(f"TABLE borders={','.join(edges)}")
            for i, tc in enumerate(el.iterfind("w:tr/w:tc", NS)):
                width = _val(tc.find("w:tcPr/w:tcW", NS), "w")
                lines.append(f"  CELL {i} width={_mm(width)}")
                lines.extend(_paragraph(p, "    ") for p in tc.findall("w:p", NS))
        elif tag == "sectPr":
            size, margins = el.find("w:pgSz", NS), el.find("w:pgMar", NS)
            lines.append(
                f"PAGE {_mm(_val(size, 'w'))}x{_mm(_val(size, 'h'))} "
                + " ".join(
                    f"{side}={_mm(_val(margins, side))}"
                    for side in ("top", "bottom", "left", "right")
                )
            )
    return "\n".join(lines) + "\n"


def normal_style(docx: bytes) -> str:
    """The document's Normal style: its font and size."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
    normal = styles.find("w:style[@w:styleId='Normal']", NS)
    assert normal is not None
    return _run(etree.fromstring(
        f'<w:r xmlns:w="{W}">{etree.tostring(normal.find("w:rPr", NS)).decode()}</w:r>'
    ))  # fmt: skip
