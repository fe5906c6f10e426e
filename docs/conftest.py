"""pytest: the pages (``*.md``) are doctests; the Sphinx configuration and the build output are not tests."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*"]
