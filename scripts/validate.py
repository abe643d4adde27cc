#!/usr/bin/env python3
"""Validate data/insatser.yaml against the schema and the named rules.

The same as the console command `insatsguiden-validate`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import validate

if __name__ == "__main__":
    sys.exit(validate())
