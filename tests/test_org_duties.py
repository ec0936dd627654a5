"""TỔ CHỨC THỰC HIỆN: each duty belongs to the body whose entry it sits under,
whatever way the entry names it (issue 12).  The plans here are invented; the
entry styles are the ones seen in real provincial and commune plans copied from
Word or a web page (bold headings with markup debris around the colon, "N. Sở
X:", "- UBND các xã:", a bold number and the body as the sentence's subject,
"Khuyến khích …", a paragraph naming its own body)."""
from __future__ import annotations

from checker.extract.duties import addressee, subject_end
from checker.pipeline import extract

HEAD = ("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "XÃ AN THẠNH\tĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 21/KH-UBND\tAn Thạnh, ngày 03 tháng 3 năm 2026\n\nKẾ HOẠCH\nChuyển đổi số năm 2026\n\n"
        "I. NHIỆM VỤ, GIẢI PHÁP\n- Triển khai ký số trên toàn bộ văn bản đi của Ủy ban nhân dân xã.\n\n")


def _duties(tmp_path, body: str):
    p = tmp_path / "ke-hoach.txt"
    p.write_text(HEAD + body + "\nNơi nhận:\tTM. ỦY BAN NHÂN DÂN\n- Lưu: VT.\tCHỦ TỊCH\n", encoding="utf-8")
    plan = extract(p)
    return plan, [(t.loc.line, t.lead, t.request) for t in plan.tasks if t.source == "organisation"]


def test_numbered_entries_in_every_style(tmp_path):
    plan, got = _duties(tmp_path, (
        "**II. TỔ CHỨC THỰC HIỆN**\n\n"
        "**1. Văn phòng HĐND và UBND xã**\n\n"                                               # 13
        "- Chủ trì theo dõi, tổng hợp kết quả thực hiện Kế hoạch, báo cáo UBND xã.\n\n"      # 15
        "- Tham mưu bố trí kinh phí thực hiện các nhiệm vụ của Kế hoạch giai đoạn 2026\n"    # 17
        "- 2030, ưu tiên các nhiệm vụ chuyển đổi số.\n\n"                                   # 18: the year range goes on
        "**2. Phòng Kinh tế:**** **Chủ trì hỗ trợ hợp tác xã, hộ kinh doanh đưa sản phẩm lên sàn thương mại điện tử.\n\n"
        "**3. Phòng Văn hoá - Xã hội:** Chủ trì tuyên truyền, phổ biến kỹ năng số cho người dân trên địa bàn.\n\n"
        "4. Công an xã: Chủ trì hướng dẫn người dân kích hoạt tài khoản định danh điện tử mức 2.\n\n"  # 24
        "**5.** Trạm Y tế xã chủ trì triển khai hồ sơ sức khỏe điện tử cho toàn bộ người dân của xã.\n\n"
        "**6.** Khuyến khích Hội Liên hiệp Phụ nữ xã, Hội Nông dân xã vận động hội viên thanh toán "
        "không dùng tiền mặt.\n\n"                                                           # 28
        "Các doanh nghiệp bưu chính, viễn thông chủ động phối hợp phát triển hạ tầng số tại các thôn.\n\n"
        "**7. Các tổ chức chính trị - xã hội**\n\n"                                          # 32
        "a) Tuyên truyền, vận động đoàn viên, hội viên tham gia các lớp kỹ năng số của xã.\n\n"
        "b) Đoàn Thanh niên xã: tổ chức các đội hình thanh niên tình nguyện hướng dẫn dịch vụ công.\n\n"
        "Yêu cầu các cơ quan, đơn vị triển khai thực hiện nghiêm túc Kế hoạch này.\n\n"
        "*(Kèm theo Phụ lục danh mục nhiệm vụ chuyển đổi số năm 2026)*\n"))
    assert got == [
        (15, "Văn phòng HĐND và UBND xã", False),
        (17, "Văn phòng HĐND và UBND xã", False),
        (20, "Phòng Kinh tế", False),
        (22, "Phòng Văn hoá - Xã hội", False),   # as the plan spells it
        (24, "Công an xã", False),
        (26, "Trạm Y tế xã", False),
        (28, "Hội Liên hiệp Phụ nữ xã, Hội Nông dân xã", True),
        (30, "Các doanh nghiệp bưu chính, viễn thông", False),
        (34, "Các tổ chức chính trị - xã hội", False),
        (36, "Đoàn Thanh niên xã", False),
    ]
    by_line = {t.loc.line: t for t in plan.tasks}
    assert by_line[17].text.endswith("giai đoạn 2026 - 2030, ưu tiên các nhiệm vụ chuyển đổi số.")
    assert by_line[20].text.startswith("Chủ trì hỗ trợ hợp tác xã")  # the duty, without "Phòng Kinh tế:"
    # the entries written on one line are sections of their own
    assert {s.id for s in plan.sections if s.role == "organisation"} >= {"II.2", "II.3", "II.4", "II.5", "II.6"}


def test_bullet_entries_and_requests(tmp_path):
    _, got = _duties(tmp_path, (
        "II. TỔ CHỨC THỰC HIỆN\n"
        "- Văn phòng HĐND và UBND xã: chủ trì theo dõi, tổng hợp, báo cáo kết quả thực hiện Kế hoạch.\n"  # 12
        "- UBND các thôn:** **tuyên truyền, vận động người dân cài đặt và sử dụng ứng dụng VNeID.\n"      # 13
        "- Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã: vận động nhân dân tham gia phong trào học tập số.\n"
        "- Phối hợp với các ngành hướng dẫn người dân thanh toán trực tuyến tiền điện, nước.\n"))
    assert got == [(12, "Văn phòng HĐND và UBND xã", False), (13, "UBND các thôn", False),
                   (14, "Ủy ban Mặt trận Tổ quốc Việt Nam xã", True),
                   (15, None, False)]  # a duty naming no body is not given the body above


def test_addressee_reads_the_entry_forms():
    a = addressee("Sở Giáo dục và Đào tạo: Chủ trì, phối hợp triển khai các nhiệm vụ.")
    assert (a.body, a.request, a.inline) == ("Sở Giáo dục và Đào tạo", False, True)
    a = addressee("Các doanh nghiệp nhà nước, Tổng Công ty tiên phong, dẫn dắt sự phát triển kinh tế số.")
    assert a.body == "Các doanh nghiệp nhà nước, Tổng Công ty"
    a = addressee("Khuyến khích Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội phát huy vai trò.")
    assert (a.body, a.request) == ("Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội", True)
    a = addressee("Các doanh nghiệp viễn thông, tổ chức, cá nhân có liên quan", heading=True)
    assert (a.body, a.inline) == ("Các doanh nghiệp viễn thông, tổ chức, cá nhân có liên quan", False)
    assert addressee("Chủ trì, phối hợp với Sở Nội vụ tổ chức phong trào thi đua.") is None
    assert addressee("Ban hành quy chế hoạt động của Tổ công nghệ số cộng đồng.") is None
    # "Sở Xây dựng" capitalises its words: not a verb ending the subject
    assert subject_end("Sở Xây dựng chủ trì tích hợp IoT") == len("Sở Xây dựng ")
