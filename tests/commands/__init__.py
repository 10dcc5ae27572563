"""Tests of the headless command groups."""
