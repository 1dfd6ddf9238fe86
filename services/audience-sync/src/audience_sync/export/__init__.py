"""Segment exports: files for manual upload, built by the worker, downloaded by signed link."""
