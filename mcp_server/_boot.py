"""Start-up for hooks and `headroom exec` under ``python -S``: ``python -S /path/to/mcp_server/_boot.py exec …``.

Skipping ``site`` saves most of the interpreter's start-up; the packages' own directory is all the fast path needs
(the standard library comes without ``site``). The slow path (compressing) adds the site directories itself.
"""

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from mcp_server._fast import run  # noqa: E402

sys.exit(run(sys.argv[1:]) if sys.argv[1:] else 2)
