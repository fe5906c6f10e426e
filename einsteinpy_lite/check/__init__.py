"""Check a user's own derivation: ``el.check(path_or_text)`` reads a Markdown or LaTeX document and judges every step.

Modules, one per concept: :mod:`.document` (display math to rows, with lines and columns),
:mod:`.claims` (rows to definitions and claims; a side's LaTeX to an expression, derivatives
derived), :mod:`.judge` (the verdict of a claim), :mod:`.repair` (small repairs of a failing right
side) and :mod:`.report` (text, Markdown, JSON, HTML).
"""

from __future__ import annotations
