#!/usr/bin/env python3
"""Open, update or close the one tracking issue for overdue review items.

The same as the console command `insatsguiden-tracking-issue`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import tracking_issue

if __name__ == "__main__":
    sys.exit(tracking_issue())
