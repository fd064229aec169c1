"""Vietnamese-aware text folding: diacritics, đ, case and white space."""

from __future__ import annotations

import unicodedata

import pytest

from evaluator.textnorm import clip, contains_all_words, contains_any, fold, words


@pytest.mark.parametrize(("text", "folded"), [
    ("Đăng ký kết hôn", "dang ky ket hon"),
    ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
    ("đăng ký khai sinh", "dang ky khai sinh"),
    ("Thủ tục hành chính", "thu tuc hanh chinh"),
    ("Phản ánh, kiến nghị", "phan anh, kien nghi"),
    ("Hỏi - đáp", "hoi - dap"),
    ("Toàn trình · Một phần", "toan trinh · mot phan"),
    ("Ưu tiên Ở Ơn Ữ", "uu tien o on u"),
    ("Mức độ 4", "muc do 4"),
    ("already plain", "already plain"),
    ("", ""),
])
def test_fold_strips_vietnamese_diacritics_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_text_alike() -> None:
    composed = "Tra cứu hồ sơ"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "tra cuu ho so"


def test_fold_collapses_and_trims_white_space() -> None:
    assert fold("  Đăng\tký \n\n kết\u00a0hôn  ") == "dang ky ket hon"


def test_fold_is_idempotent() -> None:
    once = fold("  Câu hỏi THƯỜNG gặp ")
    assert fold(once) == once


def test_a_long_text_folds_as_its_short_pieces_do() -> None:
    # Past a length fold strips marks by pattern, not character by character: same answer,
    # marks of other scripts (Thai, Devanagari, the Ê Đê and H'Mông Latin spellings) included.
    pieces = ["Đăng ký kết hôn", "Thủ tục hành chính", "ภาษาไทย", "हिन्दी", "Mơnuih Êđê",
              "Ntawv Hmoob", "x\u0301y\u0323", "plain ascii", "Ưu tiên Ở Ơn Ữ"]
    text = "  ".join(pieces * 12)
    assert len(text) > 400
    assert fold(text) == " ".join(fold(p) for p in pieces * 12)
    assert fold("plain ascii " * 40) == ("plain ascii " * 40).strip()


def test_words_are_folded_alphanumeric_runs() -> None:
    assert words("Mã hồ sơ: 000.00.H99-250101, Đà Nẵng!") == [
        "ma", "ho", "so", "000", "00", "h99", "250101", "da", "nang"]


@pytest.mark.parametrize(("text", "phrases", "found"), [
    ("Trang chủ | THỦ TỤC HÀNH CHÍNH | Liên hệ", ["Danh mục thủ tục", "Thủ tục hành chính"],
     "Thủ tục hành chính"),
    ("Khong tim thay ho so", ["không tìm thấy"], "không tìm thấy"),
    ("Hồ sơ đang xử lý", ["không tìm thấy", "không có hồ sơ"], None),
    ("anything", ["", "   "], None),  # empty phrases never match
])
def test_contains_any_returns_the_first_matching_phrase(
    text: str, phrases: list[str], found: str | None
) -> None:
    assert contains_any(text, phrases) == found


def test_contains_any_keeps_list_order_not_text_order() -> None:
    assert contains_any("Hỏi đáp và Góp ý", ["Góp ý", "Hỏi đáp"]) == "Góp ý"


@pytest.mark.parametrize(("text", "query", "ok"), [
    ("Đăng ký kết hôn có yếu tố nước ngoài", "dang ky ket hon", True),
    ("Đăng ký kết hôn", "kết hôn đăng ký", True),
    ("Đăng ký khai sinh", "dang ky ket hon", False),
    ("Khai sinhhh", "khai sinh", False),  # whole words, not substrings
    ("Đăng ký khai sinh", "", False),
    ("Đăng ký khai sinh", "!!", False),
])
def test_contains_all_words(text: str, query: str, ok: bool) -> None:
    assert contains_all_words(text, query) is ok


def test_clip_collapses_space_and_ends_long_text_with_an_ellipsis() -> None:
    assert clip("  a \n b  ") == "a b"
    assert clip("x" * 10, 10) == "x" * 10
    clipped = clip("Thủ tục đăng ký kết hôn", 10)
    assert clipped == "Thủ tục đ…"
    assert len(clipped) == 10
