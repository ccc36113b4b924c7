"""Word run properties as Word resolves them: document defaults, paragraph style, character style, run.

A run often names no font itself: ``.VnTime`` may come from the paragraph's style or from the
document defaults, and only the resolved font says whether the run holds legacy-encoded text.
"""

import dataclasses
import functools
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_FALSE = frozenset({"0", "false", "off", "none"})
# Whoever made the file: no entities, no network, no huge trees.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def local(element) -> str:
    """Return an element's name without its namespace ('' for comments and the like)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_part(archive: zipfile.ZipFile, name: str):
    """Parse one XML part of the package, or return None when the package has no such part."""
    try:
        data = archive.read(name)
    except KeyError:
        return None
    return etree.fromstring(data, _PARSER)


def _flag(element) -> bool:
    return element.get(f"{W}val", "true").lower() not in _FALSE


@dataclasses.dataclass(frozen=True)
class RunProps:
    """The resolved properties that change a run's text: its fonts, all-caps, hidden."""

    ascii: str | None = None
    hansi: str | None = None
    caps: bool = False
    hidden: bool = False

    def split_by_font(self, text: str) -> list[tuple[str, str | None]]:
        """Split text into segments drawn with one font: ASCII uses the ascii font, the rest hAnsi."""
        if self.ascii == self.hansi or text.isascii():
            return [(text, self.ascii if text.isascii() else self.hansi)]
        segments: list[tuple[str, str | None]] = []
        for char in text:
            font = self.ascii if char < "\x80" else self.hansi
            if segments and segments[-1][1] == font:
                segments[-1] = (segments[-1][0] + char, font)
            else:
                segments.append((char, font))
        return segments


class Styles:
    """Styles, document defaults and theme fonts of one document."""

    def __init__(self, styles, theme):
        self._styles = {}
        self._default_paragraph = None
        self._defaults = None
        self._theme = _theme_fonts(theme)
        if styles is not None:
            for style in styles.iterfind(f"{W}style"):
                style_id = style.get(f"{W}styleId")
                self._styles[style_id] = style
                if style.get(f"{W}type") == "paragraph" and _flag_attr(style.get(f"{W}default")):
                    self._default_paragraph = style_id
            self._defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self._resolved = functools.lru_cache(maxsize=512)(self._resolve)

    def paragraph_style(self, paragraph) -> str | None:
        """Return the style id of a paragraph (its own, else the document's default)."""
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        return style.get(f"{W}val") if style is not None else self._default_paragraph

    def style_element(self, style_id: str | None):
        """Return the ``w:style`` element of an id, or None."""
        return self._styles.get(style_id)

    def chain(self, style_id: str | None) -> list:
        """Return a style and the styles it is based on, the base first."""
        chain, seen = [], set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            chain.append(self._styles[style_id])
            based = self._styles[style_id].find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None
        return chain[::-1]

    def run_properties(self, run, paragraph_style: str | None) -> RunProps:
        """Resolve the properties of one run in a paragraph of the given style."""
        direct = run.find(f"{W}rPr")
        run_style = None
        if direct is not None:
            element = direct.find(f"{W}rStyle")
            run_style = element.get(f"{W}val") if element is not None else None
        props = self._resolved(paragraph_style, run_style)
        return self._apply(props, direct) if direct is not None else props

    def _resolve(self, paragraph_style: str | None, run_style: str | None) -> RunProps:
        props = self._apply(RunProps(), self._defaults)
        for style in self.chain(paragraph_style) + self.chain(run_style):
            props = self._apply(props, style.find(f"{W}rPr"))
        return props

    def _apply(self, props: RunProps, rpr) -> RunProps:
        if rpr is None:
            return props
        changes = {}
        fonts = rpr.find(f"{W}rFonts")
        if fonts is not None:
            for slot, attribute in (("ascii", "ascii"), ("hansi", "hAnsi")):
                theme = fonts.get(f"{W}{attribute}Theme")
                value = self._theme.get(theme[:5]) if theme else fonts.get(f"{W}{attribute}")
                if value:
                    changes[slot] = value
        for slot, tag in (("caps", "caps"), ("hidden", "vanish")):
            element = rpr.find(f"{W}{tag}")
            if element is not None:
                changes[slot] = _flag(element)
        return dataclasses.replace(props, **changes) if changes else props


def _flag_attr(value: str | None) -> bool:
    return value is not None and value.lower() not in _FALSE


def _theme_fonts(theme) -> dict[str, str]:
    """Return the theme's Latin fonts: ``{"major": ..., "minor": ...}``."""
    fonts = {}
    if theme is None:
        return fonts
    for kind in ("major", "minor"):
        latin = theme.find(f".//{A}{kind}Font/{A}latin")
        if latin is not None and latin.get("typeface"):
            fonts[kind] = latin.get("typeface")
    return fonts
