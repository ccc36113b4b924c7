import itertools
import random
import re

import pytest

from indexer import segment
from indexer.crf import ModelError
from indexer.crf import read_model
from indexer.crf import viterbi


def _dumped(tagger, path) -> tuple[dict, dict]:
    """CRFsuite's own text dump of a model: its state and transition weights (six decimals)."""
    tagger.dump(str(path))
    text = path.read_text(encoding="utf-8")
    # One "(type) source --> target: weight" line per feature; some attributes hold a newline.
    feature = re.compile(r"^  \(\d+\) (.+?) --> (\S+): ([-+]?\d+\.\d+)$", re.M | re.S)

    def parse(name):
        section = text.split(f"{name} = {{\n")[1].split("\n}")[0]
        return {m.group(1, 2): float(m.group(3)) for m in feature.finditer(section)}
    return parse("STATE_FEATURES"), parse("TRANSITIONS")


def test_pyvi_model_reads_as_crfsuite_dumps_it(tmp_path):
    tagger = segment._pyvi().model.tagger_
    model = read_model(segment._pyvi().model.modelfile.name)
    states, transitions = _dumped(tagger, tmp_path / "model.txt")
    assert model.labels == ("B_W", "I_W")
    read = {(a, model.labels[i]) for a, ws in model.weights.items() for i, w in enumerate(ws) if w}
    assert read == set(states) and len(read) > 10_000
    for (attribute, label), weight in states.items():
        assert model.weights[attribute][model.labels.index(label)] == pytest.approx(weight, abs=1e-6)
    for (source, target), weight in transitions.items():
        assert model.transitions[model.labels.index(source)][model.labels.index(target)] == pytest.approx(weight, abs=1e-6)


def test_other_files_are_refused(tmp_path):
    path = tmp_path / "not-a-model.crfsuite"
    path.write_bytes(b"\0" * 256)
    with pytest.raises(ModelError):
        read_model(str(path))


def _score(states, transitions, path) -> float:
    return states[0][path[0]] + sum(transitions[a][b] + states[t][b]
                                    for t, (a, b) in enumerate(zip(path, path[1:]), start=1))


def test_viterbi_finds_the_best_path():
    rng = random.Random(7)
    for _ in range(300):
        labels, length = 2, rng.randint(1, 6)
        transitions = tuple(tuple(rng.uniform(-3, 3) for _ in range(labels)) for _ in range(labels))
        states = [tuple(rng.uniform(-3, 3) for _ in range(labels)) for _ in range(length)]
        best = max(_score(states, transitions, p) for p in itertools.product(range(labels), repeat=length))
        path = viterbi(states, transitions)
        assert len(path) == length and _score(states, transitions, path) == pytest.approx(best)


def test_viterbi_ties_go_to_the_lower_label_as_in_crfsuite():
    flat = ((0.0, 0.0), (0.0, 0.0))
    assert viterbi([(1.0, 1.0)] * 4, flat) == [0, 0, 0, 0]
    assert viterbi([(0.0, 2.0), (1.0, 1.0)], ((0.0, 0.0), (5.0, 5.0))) == [1, 0]
    # Into label 1 from either label scores 3.0: the link goes to label 0.
    assert viterbi([(1.0, 1.0), (0.0, 9.0)], ((0.0, 2.0), (0.0, 2.0))) == [0, 1]
    assert viterbi([], flat) == []
