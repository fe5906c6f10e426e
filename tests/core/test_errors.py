"""EinsteinError: a ValueError whose message says what, where (a caret under the text) and how to fix."""

from __future__ import annotations

import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError


def test_is_a_value_error_and_the_package_exports_it():
    assert issubclass(EinsteinError, ValueError)
    assert el.EinsteinError is EinsteinError
    with pytest.raises(ValueError):
        el.parse("x_i y_i")


def test_message_alone():
    err = EinsteinError("something is wrong")
    assert str(err) == "something is wrong"
    assert (err.message, err.text, err.pos, err.hint, err.index, err.occurrence) == (
        "something is wrong", None, None, None, None, -1)


def test_caret_under_the_position_and_hint():
    err = EinsteinError("index 'j' appears 3 times in one product", text="A^i_j B^j_k C_j", pos=14,
                        hint="bind it with \\sum")
    assert str(err).splitlines() == [
        "index 'j' appears 3 times in one product",
        "  A^i_j B^j_k C_j",
        "                ^",
        "  bind it with \\sum",
    ]


@pytest.mark.parametrize("pos,line", [(0, "  ^"), (3, "     ^"), (-5, "  ^")])
def test_caret_positions(pos, line):
    assert str(EinsteinError("m", text="abcd", pos=pos)).splitlines()[2] == line


def test_text_without_position_has_no_caret():
    assert str(EinsteinError("m", text="abc")).splitlines() == ["m", "  abc"]


def test_located_keeps_everything_but_the_place():
    err = EinsteinError("index 'i' appears twice up", hint="h", index="i", occurrence=1)
    moved = err.located("x^i y^i", 6)
    assert (moved.message, moved.hint, moved.index, moved.occurrence) == ("index 'i' appears twice up", "h", "i", 1)
    assert (moved.text, moved.pos) == ("x^i y^i", 6)
    assert str(moved).splitlines()[1:3] == ["  x^i y^i", "        ^"]


def test_parse_errors_raise_without_a_chained_traceback():
    with pytest.raises(EinsteinError) as err:
        el.parse("A^i_j (")
    assert err.value.__suppress_context__ or err.value.__cause__ is None


def test_cli_prints_the_caret_message_and_exits_2(capsys):
    from einsteinpy_lite.cli import main

    assert main(["latex", "x_i y_i"]) == 2
    out = capsys.readouterr()
    assert "index 'i' appears twice down in one product" in out.err
    assert "\n  x_i y_i\n        ^\n" in out.err
    assert main(["latex", "x_i y_i", "--convention", "einstein"]) == 0
    assert capsys.readouterr().out.strip() == "x_{i} y^{i}"
