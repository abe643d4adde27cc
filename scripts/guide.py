#!/usr/bin/env python3
"""The decision guide on the command line: ranked insatser with reasons.

The same as the console command `insatsguiden-guide`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import guide

if __name__ == "__main__":
    sys.exit(guide())
