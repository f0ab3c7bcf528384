"""``python -m bpfgraph.cli``: the ``bpfgraph`` command."""

import sys

from . import main

sys.exit(main())
