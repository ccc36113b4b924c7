"""Legacy encodings and the fonts that name them."""

import unicodedata

import pytest

from indexer import legacy
from indexer.fonts import LegacyFont
from indexer.fonts import convert
from indexer.fonts import legacy_font

VOWELS = "aăâeêioôơuưy"
TONED = "".join(unicodedata.normalize("NFC", v + t) for v in VOWELS for t in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"))
LETTERS = TONED + "đ"


@pytest.mark.parametrize("encoding", [legacy.TCVN3, legacy.VNI])
def test_every_vietnamese_letter_goes_through_and_back(encoding):
    assert legacy.decode(legacy.encode(LETTERS, encoding), encoding) == LETTERS
    if encoding == legacy.VNI:  # VNI has every capital; TCVN3 leaves marked capitals to H fonts
        assert legacy.decode(legacy.encode(LETTERS.upper(), encoding), encoding) == LETTERS.upper()


def test_tcvn3_has_its_seven_plain_capitals():
    assert legacy.decode("¡¢£¤¥¦§", legacy.TCVN3) == "ĂÂÊÔƠƯĐ"


@pytest.mark.parametrize(
    ("name", "font"),
    [
        (".VnTime", LegacyFont(legacy.TCVN3)),
        (".VnTimeH", LegacyFont(legacy.TCVN3, capitals=True)),
        ("AARIQC+.VnTimeH,Bold", LegacyFont(legacy.TCVN3, capitals=True)),
        ("VnTimeHBold", LegacyFont(legacy.TCVN3, capitals=True)),
        ("VnTime-Italic", LegacyFont(legacy.TCVN3)),
        (".VnArial NarrowH", LegacyFont(legacy.TCVN3, capitals=True)),
        (".VnCentury Schoolbook", LegacyFont(legacy.TCVN3)),
        ("VNI-Times", LegacyFont(legacy.VNI)),
        ("ABCDEF+VNI-Helve,Bold", LegacyFont(legacy.VNI)),
        ("Times New Roman", None),
        ("Arial", None),
        ("Verdana", None),
        ("", None),
    ],
)
def test_font_names_tell_the_encoding(name, font):
    assert legacy_font(name) == font


def test_h_font_runs_become_capitals_and_unicode_runs_stay():
    assert convert("th«ng b¸o", legacy_font(".VnTimeH")) == "THÔNG BÁO"
    assert convert("Tỉnh ủy", legacy_font(".VnTime")) == "Tỉnh ủy"
    assert convert("Tỉnh ủy", None) == "Tỉnh ủy"
