"""A linear-chain CRF read from a CRFsuite model file, and its Viterbi decoding.

pyvi segments words with a CRFsuite model. Asking CRFsuite to tag a sentence means building some
twenty attribute strings per token for it to look up; with the weights read from the same file
(float64, exactly as CRFsuite holds them), callers can sum a token's weights once and reuse the
sums. :func:`viterbi` follows CRFsuite's ``crf1dc_viterbi`` step for step (same sums in the same
order, same tie-breaking), so the labels are the ones CRFsuite gives; it decodes two-label models
such as pyvi's.
"""

import dataclasses
import struct

_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CHUNK = struct.Struct("<4sII")
_FEATURE = struct.Struct("<IIId")
_CQDB = struct.Struct("<4sIIIII")
_RECORD = struct.Struct("<iI")
_STATE, _TRANSITION = 0, 1


class ModelError(ValueError):
    """The file is not a CRFsuite first-order model this module can read."""


@dataclasses.dataclass(frozen=True)
class CrfModel:
    """Label names, each attribute's weight per label (0.0 where it has none), label-to-label weights."""

    labels: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    transitions: tuple[tuple[float, ...], ...]


def _strings(data: bytes, offset: int, expected: int) -> list[str]:
    """The strings of a CQDB chunk (CRFsuite's label and attribute dictionaries), by id."""
    magic, _, _, _, count, backward = _CQDB.unpack_from(data, offset)
    if magic != b"CQDB" or count != expected:
        raise ModelError("từ điển CQDB hỏng")
    strings = []
    for i in range(count):
        (record,) = struct.unpack_from("<I", data, offset + backward + 4 * i)
        found, size = _RECORD.unpack_from(data, offset + record)
        if found != i:
            raise ModelError("từ điển CQDB hỏng")
        start = offset + record + _RECORD.size
        strings.append(data[start:start + size - 1].decode("utf-8"))  # the key ends with a NUL byte
    return strings


def read_model(path: str) -> CrfModel:
    """Read a CRFsuite ``.crfsuite`` model (type FOMC, as pyvi's is)."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, kind, _, _, label_count, attribute_count, features, labels_at, attributes_at, _, _ = (
        _HEADER.unpack_from(data, 0))
    chunk, _, feature_count = _CHUNK.unpack_from(data, features)
    if magic != b"lCRF" or kind != b"FOMC" or chunk != b"FEAT":
        raise ModelError(f"{path} không phải mô hình CRFsuite bậc một")
    labels = _strings(data, labels_at, label_count)
    attributes = _strings(data, attributes_at, attribute_count)
    weights = [[0.0] * label_count for _ in attributes]
    transitions = [[0.0] * label_count for _ in labels]
    for kind, source, target, weight in _FEATURE.iter_unpack(
            data[features + _CHUNK.size:features + _CHUNK.size + feature_count * _FEATURE.size]):
        (weights if kind == _STATE else transitions)[source][target] = weight
    return CrfModel(tuple(labels), {name: tuple(w) for name, w in zip(attributes, weights)},
                    tuple(map(tuple, transitions)))


def viterbi(states: list[tuple[float, float]], transitions: tuple[tuple[float, ...], ...]) -> list[int]:
    """Return the best label sequence of a two-label model (pyvi's B_W/I_W), ties going to label 0.

    Written out for two labels: it runs once per token of everything indexed.
    """
    if not states:
        return []
    (t00, t01), (t10, t11) = transitions
    score0, score1 = states[0]
    backward = []
    for state0, state1 in states[1:]:
        # Best way into label 0, then into label 1; CRFsuite keeps the lower label on a tie.
        via0, via1 = score0 + t00, score1 + t10
        into0 = 1 if via0 < via1 else 0
        next0 = (via1 if into0 else via0) + state0
        via0, via1 = score0 + t01, score1 + t11
        into1 = 1 if via0 < via1 else 0
        score1 = (via1 if into1 else via0) + state1
        score0 = next0
        backward.append((into0, into1))
    path = [1 if score0 < score1 else 0]
    for links in reversed(backward):
        path.append(links[path[-1]])
    return path[::-1]
