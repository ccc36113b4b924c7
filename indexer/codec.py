"""The Whoosh codec the index is written with."""

from whoosh.codec.whoosh3 import W3Codec


class IndexCodec(W3Codec):
    """Whoosh's own codec, without what only Whoosh's scoring would read.

    Searches score on the posting arrays (:mod:`indexer.postarrays`), so the per-block length
    statistics that let Whoosh skip blocks are not kept: collecting them meant looking up the
    document's length for every posting written. Whoosh's own searches (related notices) stay
    exact; they skip fewer blocks. Posting blocks are compressed at zlib's fastest level.
    """

    length_stats = False

    def __init__(self):
        super().__init__(compression=1)
