"""The patterns and tables citation finding runs on (see :mod:`checker.cite.citations`):
document types and their abbreviations, number/symbol, date, issuer and alias
patterns, the words that link one citation to the next, issuer codes."""
from __future__ import annotations

import re

from checker.cite.catalog import _norm_words
from checker.normalize import norm


DOC_TYPES = [
    "Kế hoạch hành động", "Chương trình hành động", "Thông tư liên tịch", "Nghị quyết",
    "Nghị định", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch", "Chương trình",
    "Thông tư", "Công văn", "Hướng dẫn", "Thông báo", "Bộ luật", "Luật", "Đề án", "Quy chế",
    "Quy định", "Báo cáo", "Tờ trình", "Văn bản",
]
# abbreviations written before a number ("NQ 57", "QĐ số 1169/QĐ-TTg")
TYPE_ABBR = {"NQ": "Nghị quyết", "NĐ": "Nghị định", "QĐ": "Quyết định", "KH": "Kế hoạch"}

# number/symbol: 57-NQ/TW · 03/NQ-CP · 04/2025/NQ-CP · 20/2023/QH15 · 92/KHUBND · 57- NQ/TW
_SEG = r"[A-ZĐ][A-Za-zĐđ&]*\d*"
_NUM = (rf"(?P<num>\d{{1,5}})(?:\s*/\s*(?P<nyear>(?:19|20)\d{{2}}))?(?P<sp1>[ \t]*)(?P<sep>[-/])"
        rf"(?P<sp2>[ \t]*)(?P<sym>{_SEG}(?:(?:[ \t]+(?=[-/][A-ZĐ]{{2}}))?[-/]{_SEG})*)")
_NO = r"(?:(?i:số)\s*:?\s*)?"

# no leading look-behind, so the engine can skip ahead fast
BARE_RE = re.compile(rf"{_NUM}(?![\w])")  # the character before is checked by _bare_start
LAW_RE = re.compile(rf"(?<![\w])(?P<type>(?:Bộ )?Luật)(?P<lname>(?:\s+[^\s\d,;:()“”\"]+){{1,10}}?)\s+{_NO}{_NUM}(?![\w])")

_DATE_NUM = r"(?P<d>\d{1,2})?\s*[/.-]\s*(?P<m>\d{1,2})?\s*[/.-]\s*(?P<y>(?:19|20)\d{2})(?!\d)"
_DATE_WORDS = r"(?P<d>\d{1,2})?\s*(?i:tháng)\s*(?P<m>\d{1,2})?\s*(?i:năm)\s*(?P<y>(?:19|20)\d{2})(?!\d)"
DATE_AFTER_RE = re.compile(
    r"\s*(?:,\s*)?(?:(?i:được\s+)?(?i:ban hành\s+))?(?i:ngày)\s*(?:" + _DATE_NUM + "|"
    + _DATE_WORDS.replace("?P<d>", "?P<d2>").replace("?P<m>", "?P<m2>").replace("?P<y>", "?P<y2>") + ")")
DATE_BARE_RE = re.compile(r"\s*(?:,\s*)?\(?(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})(?!\d)")
YEAR_AFTER_RE = re.compile(r"\s*(?i:năm)\s+(?P<y>(?:19|20)\d{2})(?!\d)")

_ISSUER_HEADS = [
    r"Hội nghị lần thứ [\wÀ-ỹ]+,? Ban Chấp hành Trung ương(?: Đảng)?",
    r"Ban Chấp hành Trung ương(?: Đảng)?", r"Ban Chấp hành Đảng bộ(?: tỉnh| thành phố| huyện| xã| phường)?",
    r"Ban Thường vụ (?:Tỉnh ủy|Thành ủy|Huyện ủy|Đảng ủy(?: xã| phường)?)",
    r"Bộ Chính trị(?:,? Ban Bí thư)?", r"Ban Bí thư", r"Ban [Cc]hỉ đạo", r"Thủ tướng Chính phủ",
    r"Phó Thủ tướng Chính phủ", r"Thủ tướng", r"Chính phủ", r"Ủy ban Thường vụ Quốc hội", r"Quốc hội",
    r"Văn phòng Chính phủ", r"Văn phòng Trung ương Đảng", r"Tỉnh ủy", r"Thành ủy", r"Huyện ủy",
    r"Đảng ủy(?: xã| phường)?",
    r"(?:UBND|Ủy ban nhân dân|HĐND|Hội đồng nhân dân)(?: (?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn))?",
    # written in lower case ("của ủy ban nhân dân tỉnh Đồng Nai")
    r"(?:ủy ban nhân dân|hội đồng nhân dân)(?: (?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn))",
    r"Bộ(?= [A-ZĐ])", r"Sở(?= [A-ZĐ])", r"Ban(?= [A-ZĐ])",
]
ISSUER_RE = re.compile(r"\s*(?:,\s*)?(?i:của)\s+(?P<head>" + "|".join(_norm_words(h) for h in _ISSUER_HEADS) + r")")
_LONG_STOP = re.compile(r"(?i:triển khai|thực hiện|về\b|v/v|ban hành|phê duyệt|trên địa bàn|tại\b|nhằm|giai đoạn|năm \d)")
_STOP_WORDS = {"về", "triển", "thực", "ban", "phê", "sửa", "hướng", "quy", "trên", "tại", "theo",
               "năm", "đến", "giai", "nhằm", "để", "và", "v/v", "việc", "(khóa", "khóa"}
ALIAS_RE = re.compile(r"\(\s*(?i:sau đây\s+)?(?i:(?:được\s+)?(?:gọi|viết))\s+(?i:tắt\s+)?(?i:là)\s+(?P<alias>[^()]{2,120}?)\s*\)")
_CONNECT_RE = re.compile(r"^\s*(?:,\s*)?(?i:về|thực hiện|triển khai|ban hành|sửa đổi|bổ sung|phê duyệt|cập nhật|hướng dẫn|quy định|v/v|để|nhằm|tổ chức thực hiện|cụ thể hóa)\b")
_SIBLING_RE = re.compile(r"^\s*(?:(?:,|và|;)\s*)?(?:(?i:và)\s+)?(?:(?i:các)\s+)?$")
_SEGMENT_SPLIT = re.compile(r";|\.\s+(?=[A-ZĐ])")
_BASIS_START = re.compile(r"^[\s\-–•*+>#]*(?i:căn cứ)\b")
_IMPL_START = re.compile(r"^[\s\-–•*+>#]*(?i:(?:về việc\s+|v/v\s+)?(?:tiếp tục\s+)?(?:triển khai\s+)?(?:thực hiện|triển khai))\b")
_ATTACH = re.compile(r"(?i:kèm theo)\s*$")
_HEADING_I = re.compile(r"^[\s#*]*(?:I|1)\s*[.)/-]\s*\S")
_DIGIT = re.compile(r"\d")
_SELF_NUMBER = re.compile(r"(?i:số)\s*:\s*$")

# issuer codes that may follow a type code without the hyphen: "KHUBND" → "KH-UBND"
ISSUER_CODES = ["UBND", "HĐND", "CP", "TTg", "TW", "TU", "HU", "ĐU", "BCĐTW", "BCĐ", "VPCP",
                "VPTW", "BCT", "BKHCN", "BTTTT", "BNV", "BTC", "UBTVQH", "QH"]


_TYPE_LOW_ALT = "|".join(re.escape(norm(t).lower()) for t in sorted(DOC_TYPES, key=len, reverse=True))
# triggers: a type word (on the lower-cased text) or an abbreviation, then "số", then a digit
# no leading look-behind: the engine then jumps between the first letters of
# the alternatives; the word boundary before a match is checked by _starts_word
TRIGGER_RE = re.compile(rf"(?P<type>{_TYPE_LOW_ALT})\s+(?:số\s*:?\s*)?(?=\d)")
ABBR_TRIGGER_RE = re.compile(rf"(?P<type>{'|'.join(TYPE_ABBR)})\s+(?:(?i:số)\s*:?\s*)?(?=\d)")


NUM_RE = re.compile(_NUM + r"(?![\w])")
NUMYEAR_RE = re.compile(r"(?P<num>\d{1,5})\s*/\s*(?P<y>(?:19|20)\d{2})(?![\d\w]|\s*[-/]\s*[\dA-ZĐ])")
SHORT_NUM_RE = re.compile(r"(?P<short>\d{1,3})(?![\d\w]|\s*[-/]\s*[\dA-ZĐ]|[.,]\d|\s*(?i:tháng|năm|quý|ngày|tuần|giờ|lần|%))")
# document types that are cited by a bare number in running text ("Nghị quyết 57", "Đề án 06")
SHORT_TYPES = {"Nghị quyết", "Nghị định", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch",
               "Kế hoạch hành động", "Đề án"}


_TYPE_BY_LOWER = {norm(t).lower(): t for t in DOC_TYPES}


TAIL = 200  # characters of the next line read when a sentence runs on
_OPEN_END = re.compile(r"[.;:!?)”\"]\s*$")


_SUBJECT_START = re.compile(r"^\s*(?:,\s*)?(?i:về việc|v/v|về|triển khai|thực hiện|ban hành|phê duyệt|sửa đổi)\b")


_FIRST_SECTION = re.compile(r"^[\s#*]*(?:I\s*[.)/-]\s*)?(?i:mục đích|mục tiêu|sự cần thiết|đặc điểm|tình hình)")
