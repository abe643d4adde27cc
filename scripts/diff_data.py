#!/usr/bin/env python3
"""List what changed in the data, per record, in Swedish.

The same as the console command `insatsguiden-diff-data`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import diff_data

if __name__ == "__main__":
    sys.exit(diff_data())
