import einsteinpy_lite as el


def test_parse_and_print_round_trip():
    e = el.parse(r"B^i_k \sigma(A^k_j y^j + b^k)")
    assert el.latex(e) == r"B^{i}{}_{k} \sigma(A^{k}{}_{j} y^{j} + b^{k})"
    assert el.parse(str(e)) == e
