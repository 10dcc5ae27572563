"""Tests of the export package: code targets, prompt file formats, importers."""
