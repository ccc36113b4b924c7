"""What a format reader hands on: the text of a file and how it was obtained, or why it cannot."""

import dataclasses

METHOD_TEXT = "text"
METHOD_OCR = "ocr"


class UnreadableFile(Exception):
    """A corpus file that cannot become text; ``str()`` is the reason, in Vietnamese."""


@dataclasses.dataclass
class Origin:
    """How a notice's text was obtained, shown to readers and archivists."""

    format: str  # "txt", "html", "docx", "doc", "rtf", "pdf", "png", "jpeg", "tiff"
    method: str = METHOD_TEXT  # digital text, or recognized from page images
    encodings: tuple[str, ...] = ()  # legacy encodings converted to Unicode ("TCVN3", "VNI"...)
    confidence: float | None = None  # OCR: mean word confidence, 0-100
    pages: int | None = None  # pages read
    pages_total: int | None = None  # pages in the file, when more than were read

    def as_dict(self) -> dict:
        """Return the fields as a JSON-ready dict."""
        return {**dataclasses.asdict(self), "encodings": list(self.encodings)}

    @classmethod
    def from_dict(cls, data: dict) -> "Origin":
        """Rebuild an origin stored with :meth:`as_dict`."""
        fields = {f.name for f in dataclasses.fields(cls)}
        known = {k: v for k, v in data.items() if k in fields}
        return cls(**{**known, "encodings": tuple(known.get("encodings", ()))})


@dataclasses.dataclass
class RawText:
    """Text read from one file, before normalization, with its origin and what reading noticed."""

    text: str
    origin: Origin
    warnings: list[str] = dataclasses.field(default_factory=list)
