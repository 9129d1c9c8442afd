"""`python -m mcp_server ...` is the `headroom` command."""

import sys

from mcp_server.cli import main

sys.exit(main())
