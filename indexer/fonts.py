"""Which legacy encoding a font name implies, and converting text set in that font.

Before Unicode, Vietnamese was typed in fonts that draw Latin-1 code points as Vietnamese
letters: the ``.Vn`` fonts (TCVN3; ``.VnTimeH`` and other ``H`` fonts draw every letter as a
capital) and the ``VNI-`` fonts. The font of a run is therefore the only sure sign of its
encoding. PDFs keep the name with a subset prefix and a style: ``AARIQC+.VnTimeH,Bold``,
``VnTimeHBold``, ``VNI-Times-Bold``.
"""

import dataclasses
import functools
import re

from indexer import legacy

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_STYLE = re.compile(
    r"(?:[-,\s]*(?:PSMT|PS|MT|Bold|Italic|Oblique|Regular|Roman|Normal|Black|Light|Medium|Semibold|Demi|It|BI|B|I))+$"
)
_TCVN3 = re.compile(r"^\.?[Vv][Nn](?=[A-Z0-9 ])")
_VNI = re.compile(r"^VNI[-_ ]", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class LegacyFont:
    """The encoding a font implies; ``capitals``: an ``H`` font, drawing lower-case codes as capitals."""

    encoding: str
    capitals: bool = False


@functools.lru_cache(maxsize=1024)
def legacy_font(name: str | None) -> LegacyFont | None:
    """Return the legacy encoding a font name implies, or None for Unicode (and unknown) fonts.

    >>> legacy_font("AARIQC+.VnTimeH,Bold")
    LegacyFont(encoding='TCVN3', capitals=True)
    >>> legacy_font("Times New Roman") is None
    True
    """
    if not name:
        return None
    name = _SUBSET.sub("", name.strip())
    if _VNI.match(name):
        return LegacyFont(legacy.VNI)
    if not _TCVN3.match(name):
        return None
    family = _STYLE.sub("", name.lstrip("."))
    # ".VnTimeH", ".VnArial NarrowH": the capitals variant ends in an upper-case H.
    return LegacyFont(legacy.TCVN3, capitals=family.endswith("H") and len(family) > 3)


def convert(text: str, font: LegacyFont | None) -> str:
    """Convert text set in ``font`` to Unicode; Unicode text and Unicode fonts pass unchanged."""
    if font is None or legacy.is_unicode_vietnamese(text):
        return text
    converted = legacy.decode(text, font.encoding)
    return converted.upper() if font.capitals else converted
