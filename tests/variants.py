"""The same notice stored differently: the encodings, line ends and formats archives hold."""

import html
import re
import unicodedata

_NEW_STYLE = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ủy": "uỷ", "úy": "uý",
              "ùy": "uỳ", "ũy": "uỹ", "ụy": "uỵ", "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ"}
_NEW_STYLE_PATTERN = re.compile("(?<![qQ])(" + "|".join(_NEW_STYLE) + r")(?![^\W\d_])")


def to_new_tone_style(text: str) -> str:
    """Rewrite ``hòa``/``ủy`` as ``hoà``/``uỷ``: the other tone-mark style."""
    return _NEW_STYLE_PATTERN.sub(lambda m: _NEW_STYLE[m.group(0)], text)


def to_html(text: str, title: str = "Văn bản") -> str:
    """Save text as a web page: paragraphs, two-column lines as table rows, site chrome around."""
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if any(re.search(r"\S {3,}\S", line) for line in lines):
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in re.split(r" {3,}", line.strip())) + "</tr>"
                for line in lines
            )
            blocks.append(f"<table>{rows}</table>")
        else:
            blocks.append("<p>" + "<br>\n".join(html.escape(line.strip()) for line in lines) + "</p>")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} - Cổng thông tin</title>"
        "<style>body{font-family:serif}</style><script>var tracker = 'Trang chủ';</script></head>"
        "<body><header class='site-header'>Cổng thông tin điện tử Tỉnh ủy</header>"
        "<nav><a href='/'>Trang chủ</a> | <a href='/tin'>Tin tức</a></nav>"
        f"<div class='main-content'><article>{''.join(blocks)}</article></div>"
        "<footer>Bản quyền &copy; Văn phòng Tỉnh ủy</footer></body></html>"
    )


def variants(text: str) -> dict[str, bytes]:
    """Return the notice as bytes in each way it may be stored."""
    return {
        "utf8": text.encode("utf-8"),
        "utf8_bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "nfd": unicodedata.normalize("NFD", text).encode("utf-8"),
        "utf16_bom": text.encode("utf-16"),
        "utf16be_bom": b"\xfe\xff" + text.encode("utf-16-be"),
        "new_tone_style": to_new_tone_style(text).encode("utf-8"),
        "html": to_html(text).encode("utf-8"),
    }


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258: base letters precomposed, tone marks as combining characters."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        out.append(base + tones)
    return "".join(out).encode("cp1258")
