#!/usr/bin/env python3
"""Build the site from two revisions with the same data and list what differs.

The same as the console command `insatsguiden-compare-sites`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import compare_sites

if __name__ == "__main__":
    sys.exit(compare_sites())
