#!/usr/bin/env python3
"""Add a well-formed insats to the data file, leaving every other byte as it was.

The same as the console command `insatsguiden-new-insats`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import new_insats

if __name__ == "__main__":
    sys.exit(new_insats())
