"""Command lines, git and the clock: the only layer that reads today's date or calls git."""
