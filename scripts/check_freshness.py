#!/usr/bin/env python3
"""Report agreements, contacts, reviews and intake confirmations that are due or overdue.

The same as the console command `insatsguiden-check-freshness`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import check_freshness

if __name__ == "__main__":
    sys.exit(check_freshness())
