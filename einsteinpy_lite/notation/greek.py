"""The Greek letters of LaTeX: the commands the notation knows, and how each looks in unicode.

One table for the parser (a Greek name written without its backslash is a misreading), the
pretty printer (``\\epsilon`` is drawn as ``ε``) and the report's check of what LaTeX typesets.

Example:
    >>> GREEK["sigma"], "vartheta" in GREEK
    ('σ', True)
"""

from __future__ import annotations

__all__ = ["GREEK"]

#: LaTeX command (without the backslash) -> unicode letter.
GREEK: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
