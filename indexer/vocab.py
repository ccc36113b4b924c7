"""Editable vocabularies (topics, units, people) and the matchers built from them."""

import dataclasses
import functools
import hashlib
import os
import re
import tomllib

from indexer.normalize import fold_accents
from indexer.normalize import match_key
from indexer.normalize import normalize_line
from indexer.provenance import collapsed_offsets

VOCAB_FILES = ("topics.toml", "units.toml", "people.toml")
DEFAULT_MIN_SCORE = 6
TITLE_WEIGHT = 3
# A topic must also reach this share of the notice's best topic: a long notice touches many
# subjects in passing, and the facet should list what it is about.
RELATIVE_THRESHOLD = 0.15
MAX_TOPICS = 6
_NON_WORD = re.compile(r"[\W_]+")
# District-level committees are recognised even when units.toml does not list them.
_DISTRICT = re.compile(r"(?<!\w)(Huyện|Thị|Thành) ủy((?: [^\W\d_]+){1,5})")


def _district_units(text: str):
    """Yield ``(start, end, "Huyện ủy X")`` for district committees named with a capitalised place.

    ``text`` has single spaces (``normalize_line``): the name is written there as yielded.
    """
    for match in _DISTRICT.finditer(text):
        place = []
        for word in match.group(2).split():
            # "Thành ủy Thành phố Hồ Chí Minh": the one lower-case word a city's name holds.
            if not word[0].isupper() and not (place == ["Thành"] and word == "phố"):
                break
            place.append(word)
        if place and place != ["Thành", "phố"]:
            name = f"{match.group(1)} ủy {' '.join(place)}"
            yield match.start(), match.start() + len(name), name


@dataclasses.dataclass(frozen=True)
class Mention:
    """A vocabulary value as found: its canonical ``name``, ``[start, end)`` of ``written``, and
    ``entry``: True when the vocabulary lists it (a district committee may not be listed)."""

    name: str
    start: int
    end: int
    written: str
    entry: bool = True


@dataclasses.dataclass(frozen=True)
class TopicHit:
    """A chosen topic and its strongest keyword: the longest phrase, in the title if it is there."""

    name: str
    phrase: str
    in_title: bool


@functools.lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern:
    # What topic_key matching sees as "phrase" in lower-case text: its words apart by anything but
    # letters and digits. The word before is checked by hand: a leading look-behind would keep the
    # regex engine from jumping to the first word.
    words = topic_key(phrase).split()
    return re.compile(r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])")


def phrase_span(text: str, phrase: str) -> tuple[int, int] | None:
    """Return where a topic phrase first occurs in ``text`` as topic matching sees it, or None."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: offsets would drift
        lowered = "".join(char if len(char.lower()) != 1 else char.lower() for char in text)
    for match in _phrase_pattern(phrase).finditer(lowered):
        if not match.start() or not lowered[match.start() - 1].isalnum():
            return match.span()
    return None


class VocabularyError(Exception):
    """A vocabulary file that cannot be used; the message names the file."""


def topic_key(text: str) -> str:
    """Return normalized text as topic matching sees it: lower case, punctuation as spaces."""
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


@dataclasses.dataclass(frozen=True)
class Topic:
    name: str
    phrases: tuple[str, ...]
    min_score: int = DEFAULT_MIN_SCORE


class Vocabulary:
    """Topics, units and people loaded from a folder, with their matchers."""

    def __init__(self, topics, units, issuer_names, people, fingerprint=""):
        self.topics = tuple(topics)
        self.units = dict(units)  # canonical name -> aliases
        self.issuer_names = tuple(issuer_names)
        self.people = dict(people)
        self.fingerprint = fingerprint

    @functools.cached_property
    def _unit_aliases(self) -> dict[str, str | None]:
        aliases: dict[str, str | None] = {}
        for name, others in self.units.items():
            for alias in (name, *others):
                aliases[match_key(alias)] = name
        for name in self.issuer_names:
            aliases[match_key(name)] = None
        return aliases

    @functools.cached_property
    def _unit_pattern(self) -> re.Pattern:
        alternatives = sorted(self._unit_aliases, key=len, reverse=True)
        body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alternatives)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    @functools.cached_property
    def _person_aliases(self) -> dict[str, str]:
        return {match_key(alias): name for name, others in self.people.items() for alias in (name, *others)}

    @functools.cached_property
    def _folded_people(self) -> dict[str, str | None]:
        """Names without marks -> the one person they can be (None when two people share them)."""
        folded: dict[str, str | None] = {}
        for key, name in self._person_aliases.items():
            other = folded.setdefault(fold_accents(key), name)
            if other != name:
                folded[fold_accents(key)] = None
        return folded

    @functools.cached_property
    def _topic_matcher(self) -> tuple[re.Pattern, dict[str, list[int]]]:
        owners: dict[str, list[int]] = {}
        for index, topic in enumerate(self.topics):
            for phrase in topic.phrases:
                owners.setdefault(topic_key(phrase).strip(), []).append(index)
        body = "|".join(re.escape(k) for k in sorted(owners, key=len, reverse=True))
        return re.compile(rf"(?<= )(?:{body})(?= )"), owners

    def canonical_unit(self, name: str) -> str | None:
        """Return the canonical name of a unit; None for the issuer's own organs."""
        key = match_key(name)
        if key in self._unit_aliases:
            return self._unit_aliases[key]
        return normalize_line(name)

    def locate_units(self, text: str) -> list[Mention]:
        """Return the canonical units mentioned in ``text``, each with its first mention, in order.

        Offsets index ``text`` when it is normalized but for its spaces (as extraction's is).
        """
        line = normalize_line(text)
        found: list[tuple[int, int, str]] = []
        for match in self._unit_pattern.finditer(line):
            name = self._unit_aliases[match_key(match.group(0))]
            if name:
                found.append((match.start(), match.end(), name))
        # Normalized text only loses spaces, which change its length.
        back = collapsed_offsets(text) if len(line) != len(text) else None
        known = list(found)
        for start, end, name in _district_units(line):
            # A listed unit's name may begin like one ("Thành ủy Thành phố Hồ Chí Minh"): it wins.
            if any(start < k_end and k_start < end for k_start, k_end, _ in known):
                continue
            # Lines were joined into one: a place name ends where its line does.
            written = text[back(start):back(end - 1) + 1] if back else text[start:end]
            words = name.split()[:len(written.split("\n")[0].split())]
            if len(words) > 2:
                found.append((start, start + len(" ".join(words)), " ".join(words)))
        seen: dict[str, Mention] = {}
        for start, end, name in sorted(found, key=lambda item: (item[0], item[2])):
            canonical = self.canonical_unit(name) or name
            if canonical not in seen:
                span = (back(start), back(end - 1) + 1) if back else (start, end)
                seen[canonical] = Mention(canonical, *span, line[start:end], canonical in self.units)
        return list(seen.values())

    def find_units(self, text: str) -> list[str]:
        """Return the canonical units mentioned in ``text``, in order of first mention."""
        return [mention.name for mention in self.locate_units(text)]

    def person_entry(self, name: str) -> tuple[str | None, bool]:
        """Return the vocabulary's person ``name`` is (or None) and whether only its unmarked form matched."""
        key = match_key(name)
        if key in self._person_aliases:
            return self._person_aliases[key], False
        known = self._folded_people.get(fold_accents(key))
        return (known, True) if known else (None, False)

    def canonical_person(self, name: str) -> str:
        """Return the canonical spelling of a person's name."""
        key = match_key(name)
        if key in self._person_aliases:
            return self._person_aliases[key]
        # A mark lost to OCR or typed without ("Huynh Đa Trung") still names a known person.
        known = self._folded_people.get(fold_accents(key))
        if known:
            return known
        return " ".join(word[:1].upper() + word[1:] for word in key.split())

    def _topic_hits(self, title: str, body: str) -> tuple[list[int], dict[str, int]]:
        """Score every topic; also return each phrase found with the weight of its first text."""
        pattern, owners = self._topic_matcher
        scores = [0] * len(self.topics)
        found: dict[str, int] = {}
        for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
            for match in pattern.finditer(topic_key(text)):
                phrase = match.group(0)
                found.setdefault(phrase, weight)
                for index in owners[phrase]:
                    # Longer phrases are more specific: "giáo dục chính trị tư tưởng" outweighs "an ninh".
                    scores[index] += weight * (phrase.count(" ") + 1)
        return scores, found

    def topic_scores(self, title: str, body: str) -> dict[str, int]:
        """Score every topic on a title and body; phrases in the title weigh more."""
        scores, _ = self._topic_hits(title, body)
        return {t.name: s for t, s in zip(self.topics, scores) if s}

    def locate_topics(self, title: str, body: str) -> list[TopicHit]:
        """Return the topics whose score reaches their threshold, best first, with their strongest phrase."""
        scores, found = self._topic_hits(title, body)
        best = max(scores, default=0)
        if not best:
            return []
        floor = RELATIVE_THRESHOLD * best
        chosen = [i for i, (t, s) in enumerate(zip(self.topics, scores)) if s and s >= t.min_score and s >= floor]
        chosen.sort(key=lambda i: (-scores[i], self.topics[i].name))
        hits = []
        for index in chosen[:MAX_TOPICS]:
            phrases = [(found[p] * (p.count(" ") + 1), p) for p in self._topic_phrases[index] if p in found]
            phrase = max(phrases, key=lambda item: item[0])[1]
            hits.append(TopicHit(self.topics[index].name, phrase, found[phrase] == TITLE_WEIGHT))
        return hits

    def find_topics(self, title: str, body: str) -> list[str]:
        """Return the topics whose score reaches their threshold, best first."""
        return [hit.name for hit in self.locate_topics(title, body)]

    @functools.cached_property
    def _topic_phrases(self) -> list[tuple[str, ...]]:
        return [tuple(topic_key(phrase).strip() for phrase in topic.phrases) for topic in self.topics]


def _load_toml(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{path}: không đọc được TOML: {exc}") from None


def _strings(path: str, entry: dict, key: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise VocabularyError(f"{path}: '{key}' phải là danh sách chuỗi ({entry.get('name')!r})")
    return tuple(normalize_line(v) for v in values if v.strip())


def _named_entries(path: str, data: dict, table: str) -> list[dict]:
    entries = data.get(table, [])
    for entry in entries:
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise VocabularyError(f"{path}: mỗi [[{table}]] cần có 'name'")
    return entries


def load_vocabulary(folder: str) -> Vocabulary:
    """Load ``topics.toml``, ``units.toml`` and ``people.toml`` from ``folder`` (missing = empty).

    :raise VocabularyError: a file that is not valid TOML or has malformed entries
    """
    digest = hashlib.sha256()
    paths = {name: os.path.join(folder, name) for name in VOCAB_FILES}
    for name, path in paths.items():
        if os.path.exists(path):
            with open(path, "rb") as f:
                digest.update(name.encode() + b"\0" + f.read())
    topics_path, units_path, people_path = paths.values()
    topics_data = _load_toml(topics_path)
    topics = [
        Topic(normalize_line(e["name"]), _strings(topics_path, e, "phrases"),
              int(e.get("min_score", DEFAULT_MIN_SCORE)))
        for e in _named_entries(topics_path, topics_data, "topic")
    ]
    units_data = _load_toml(units_path)
    units = {
        normalize_line(e["name"]): _strings(units_path, e, "aliases")
        for e in _named_entries(units_path, units_data, "unit")
    }
    issuer = _strings(units_path, units_data.get("issuer", {}), "names")
    people_data = _load_toml(people_path)
    people = {
        normalize_line(e["name"]): _strings(people_path, e, "aliases")
        for e in _named_entries(people_path, people_data, "person")
    }
    return Vocabulary(topics, units, issuer, people, digest.hexdigest()[:16])
