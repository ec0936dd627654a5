"""Conversion tables of the legacy Vietnamese font encodings (data only).

Before Unicode, Vietnamese offices typed with 8-bit font encodings; a file
saved from such a document holds the font's byte codes.  Read as Latin-1,
each byte is one character below U+0100, which is how the tables are keyed.

TCVN3 (ABC, TCVN 5712:1993 "VN3"): one byte per Vietnamese letter.  Only the
lowercase toned letters have codes; capitals were shown by switching to the
"H" fonts (.VnTimeH) that draw the same codes as capitals, so case is lost
and is restored by the converter from the surrounding capitals.

VNI (VNI-Windows): a base Latin letter followed by one mark byte (tone, or
hat/breve plus tone); a few letters (ơ ư đ and the i/ỵ family) have their own
byte.  Marks come in a lowercase and an uppercase set.
"""
from __future__ import annotations

# byte (as a Latin-1 character) → Unicode letter
TCVN3: dict[str, str] = {
    "\xa1": "Ă", "\xa2": "Â", "\xa3": "Ê", "\xa4": "Ô", "\xa5": "Ơ", "\xa6": "Ư", "\xa7": "Đ",
    "\xa8": "ă", "\xa9": "â", "\xaa": "ê", "\xab": "ô", "\xac": "ơ", "\xad": "ư", "\xae": "đ",
    "\xb5": "à", "\xb6": "ả", "\xb7": "ã", "\xb8": "á", "\xb9": "ạ",
    "\xbb": "ằ", "\xbc": "ẳ", "\xbd": "ẵ", "\xbe": "ắ", "\xc6": "ặ",
    "\xc7": "ầ", "\xc8": "ẩ", "\xc9": "ẫ", "\xca": "ấ", "\xcb": "ậ",
    "\xcc": "è", "\xce": "ẻ", "\xcf": "ẽ", "\xd0": "é", "\xd1": "ẹ",
    "\xd2": "ề", "\xd3": "ể", "\xd4": "ễ", "\xd5": "ế", "\xd6": "ệ",
    "\xd7": "ì", "\xd8": "ỉ", "\xdc": "ĩ", "\xdd": "í", "\xde": "ị",
    "\xdf": "ò", "\xe1": "ỏ", "\xe2": "õ", "\xe3": "ó", "\xe4": "ọ",
    "\xe5": "ồ", "\xe6": "ổ", "\xe7": "ỗ", "\xe8": "ố", "\xe9": "ộ",
    "\xea": "ờ", "\xeb": "ở", "\xec": "ỡ", "\xed": "ớ", "\xee": "ợ",
    "\xef": "ù", "\xf1": "ủ", "\xf2": "ũ", "\xf3": "ú", "\xf4": "ụ",
    "\xf5": "ừ", "\xf6": "ử", "\xf7": "ữ", "\xf8": "ứ", "\xf9": "ự",
    "\xfa": "ỳ", "\xfb": "ỷ", "\xfc": "ỹ", "\xfd": "ý", "\xfe": "ỵ",
}

# VNI mark bytes: (lowercase set, uppercase set) for each tone
# tone order: sắc, huyền, hỏi, ngã, nặng
VNI_TONE_MARKS = {
    "plain": ("\xf9\xf8\xfb\xf5\xef", "\xd9\xd8\xdb\xd5\xcf"),
    # hat (â ê ô): the bare hat, then hat + each tone
    "hat": ("\xe2\xe1\xe0\xe5\xe3\xe4", "\xc2\xc1\xc0\xc5\xc3\xc4"),
    # breve (ă): the bare breve, then breve + each tone
    "breve": ("\xea\xe9\xe8\xfa\xfc\xeb", "\xca\xc9\xc8\xda\xdc\xcb"),
}

# letters with a byte of their own in VNI
VNI_SINGLE: dict[str, str] = {
    "\xf4": "ơ", "\xd4": "Ơ", "\xf6": "ư", "\xd6": "Ư", "\xf1": "đ", "\xd1": "Đ",
    "\xed": "í", "\xec": "ì", "\xe6": "ỉ", "\xf3": "ĩ", "\xf2": "ị",
    "\xcd": "Í", "\xcc": "Ì", "\xc6": "Ỉ", "\xd3": "Ĩ", "\xd2": "Ị",
    "\xee": "ỵ", "\xce": "Ỵ",
}

# the Unicode letters each base takes, in tone order: bare, sắc, huyền, hỏi, ngã, nặng
VNI_FAMILIES: dict[str, dict[str, str]] = {
    # base letter → mark kind → six letters (bare, sắc, huyền, hỏi, ngã, nặng)
    "a": {"plain": "aáàảãạ", "hat": "âấầẩẫậ", "breve": "ăắằẳẵặ"},
    "e": {"plain": "eéèẻẽẹ", "hat": "êếềểễệ"},
    "o": {"plain": "oóòỏõọ", "hat": "ôốồổỗộ"},
    "u": {"plain": "uúùủũụ"},
    "y": {"plain": "yýỳỷỹ" + "ỵ"},
    "\xf4": {"plain": "ơớờởỡợ"},  # ơ + tone
    "\xf6": {"plain": "ưứừửữự"},  # ư + tone
}
