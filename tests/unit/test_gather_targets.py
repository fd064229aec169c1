"""Portal ids name folders that the gatherer deletes and rewrites: only safe ones get through."""

from __future__ import annotations

import pytest

from evaluator.targets import ID_PATTERN, Target, UrlError, check_target_id, target_id_for


@pytest.mark.parametrize("target_id", [
    "mau", "tinh-trung-binh", "dichvucong.laichau.gov.vn", "127.0.0.1-8080", "A_b.9", "x" * 80,
])
def test_good_ids_pass(target_id: str) -> None:
    assert check_target_id(target_id) == target_id
    assert Target(id=target_id, start_url="https://a.gov.vn/").id == target_id


@pytest.mark.parametrize("target_id", [
    "", ".", "..", "../evil", "/abs", "a/b", "a\\b", "-flag", ".hidden", "_x", "x" * 81,
    "mau\n", "tên", "a b", "a:b",
])
def test_unsafe_ids_are_refused_with_a_clear_error(target_id: str) -> None:
    with pytest.raises(UrlError, match="invalid portal id"):
        check_target_id(target_id)
    with pytest.raises(UrlError):
        Target(id=target_id, start_url="https://a.gov.vn/")


@pytest.mark.parametrize(("start_url", "target_id"), [
    ("https://dichvucong.laichau.gov.vn/", "dichvucong.laichau.gov.vn"),
    ("http://127.0.0.1:8080/", "127.0.0.1-8080"),
    ("https://dvc.example.gov.vn/portal/home", "dvc.example.gov.vn-portal-home"),
    ("http://../", "portal"),
    ("http://./..", "portal"),
    ("http://[::1", "portal"),
    ("http:///x", "portal"),
    ("not a url", "portal"),
    ("http://a.vn:99999/", "a.vn"),
    ("http://dịchvụcông.vn/", "xn--dchvcng-x0a0689dsha.vn"),
    ("http://-x-.vn/", "x-.vn"),
])
def test_target_id_for(start_url: str, target_id: str) -> None:
    assert target_id_for(start_url) == target_id


@pytest.mark.parametrize("start_url", [
    "http://../", "http://[::1]:8080/", "https://x.vn/" + "đ" * 300, "https://x.vn/" + "a" * 300,
    "http://..:80/../..", "file:///etc/passwd", "https://ex.vn/a/../../b", "",
])
def test_target_id_for_is_always_a_valid_id(start_url: str) -> None:
    target_id = target_id_for(start_url)
    assert ID_PATTERN.fullmatch(target_id), target_id
    assert target_id not in (".", "..") and "/" not in target_id
