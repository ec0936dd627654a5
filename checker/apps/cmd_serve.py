"""``plancheck serve``: the local web page (see :mod:`checker.apps.serve`)."""
from __future__ import annotations

import click

HELP = {"help_option_names": ["-h", "--help"]}  # as every plancheck command


@click.command("serve", context_settings=HELP)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe (mặc định chỉ máy này) / address to bind (loopback by default).")
@click.option("--port", default=8057, show_default=True, type=click.IntRange(0, 65535),
              help="Cổng / port (0: any free port).")
@click.option("--max-upload-mb", default=20.0, show_default=True, type=click.FloatRange(0.01, 200),
              help="Dung lượng tải lên tối đa (MB) / upload size limit in MB.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Ngôn ngữ mặc định của trang / default page language.")
def command(host: str, port: int, max_upload_mb: float, lang: str) -> None:
    """Mở trang web cục bộ để tải kế hoạch lên và đọc báo cáo.

    Run a local web page: upload a plan, read and download the report."""
    vi = lang == "vi"
    try:
        from checker.apps.serve import is_loopback, serve
    except ImportError as e:  # Flask is an install requirement; say so plainly if it is missing
        from checker.errors import PlanError

        raise PlanError("serve-no-flask",
                        f"Thiếu thư viện Flask cho plancheck serve ({e.name}): pip install flask",
                        f"plancheck serve needs Flask ({e.name}): pip install flask") from e
    if not is_loopback(host):
        click.echo(("Cảnh báo: trang mở cho các máy khác qua " if vi else
                    "Warning: the page is open to other machines on ") + host +
                   (" — không có đăng nhập, chỉ dùng trong mạng tin cậy." if vi else
                    " — there is no login; use a trusted network only."), err=True)

    def ready(url: str) -> None:
        click.echo((f"plancheck serve: mở {url} trong trình duyệt (Ctrl+C để dừng)." if vi else
                    f"plancheck serve: open {url} in a browser (Ctrl+C to stop)."), err=True)

    try:
        serve(host=host, port=port, max_upload_mb=max_upload_mb, lang=lang, ready=ready)
    except OSError as e:
        raise click.ClickException(
            (f"Không mở được {host}:{port}: {e.strerror or e}" if vi else
             f"Cannot listen on {host}:{port}: {e.strerror or e}")) from e
