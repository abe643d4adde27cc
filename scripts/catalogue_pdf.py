#!/usr/bin/env python3
"""Print the catalogue of insatser (one kommun, or all) from a built site to PDF with headless Chromium.

The same as the console command `insatsguiden-catalogue-pdf`; see README.md for options and exit codes.
"""
import sys

from insatsguiden.tools.commands import catalogue_pdf

if __name__ == "__main__":
    sys.exit(catalogue_pdf())
