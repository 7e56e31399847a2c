from __future__ import annotations

from kaigai.core import errors as E


def test_every_error_is_a_kaigai_error_with_code_and_exit() -> None:
    classes = [getattr(E, n) for n in E.__all__]
    assert all(issubclass(c, E.KaigaiError) for c in classes)
    codes = {c.code for c in classes}
    assert len(codes) == len(classes), "error codes must be unique"
    assert all(c.exit_code != 0 for c in classes)


def test_input_errors_are_value_errors_with_hint_in_dict() -> None:
    exc = E.HSCodeError(
        "HS code 8471.3 is not 6 digits", hint="did you mean 847130?", code_given="8471.3"
    )
    assert isinstance(exc, ValueError)
    d = exc.to_dict()
    assert d == {
        "code": "invalid_hs_code",
        "message": "HS code 8471.3 is not 6 digits",
        "hint": "did you mean 847130?",
        "details": {"code_given": "8471.3"},
    }
    assert exc.http_status == 422 and exc.exit_code == 2
