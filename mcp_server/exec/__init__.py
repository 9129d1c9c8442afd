"""`headroom exec`: run a command and hand its output on, compressed when it is bulky (cli.py)."""
