"""``python -m indexer extract PATH...`` and ``python -m indexer build``."""

import sys

from indexer.cli import main

if __name__ == "__main__":
    sys.exit(main())
