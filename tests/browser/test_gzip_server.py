"""The local server (``make serve``, browser tests, Lighthouse) compresses like a
static host:
text gzipped for a browser that asks, images as they are, the site's 404 page for a
missing path."""

from __future__ import annotations

import gzip
import threading
import urllib.error
import urllib.request

import pytest

from gzip_server import make_server


@pytest.fixture()
def tiny_site(tmp_path):
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><title>首页</title>" + "深度学习 " * 500, encoding="utf-8"
    )
    (tmp_path / "404.html").write_text(
        "<!DOCTYPE html><title>找不到</title>", encoding="utf-8"
    )
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    server = make_server(tmp_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def get(url, encoding="gzip"):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_html_is_gzipped_and_decodes_to_the_file(tiny_site):
    site, base = tiny_site
    status, headers, body = get(base + "index.html")
    raw = (site / "index.html").read_bytes()
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body) < len(raw) // 5
    assert gzip.decompress(body) == raw


def test_plain_client_and_images_get_the_bytes_as_they_are(tiny_site):
    site, base = tiny_site
    status, headers, body = get(base + "index.html", encoding="identity")
    assert (
        status == 200
        and "Content-Encoding" not in headers
        and body == (site / "index.html").read_bytes()
    )
    status, headers, body = get(base + "a.png")
    assert (
        status == 200
        and "Content-Encoding" not in headers
        and body == (site / "a.png").read_bytes()
    )


def test_missing_path_gets_the_sites_404_page(tiny_site):
    site, base = tiny_site
    status, _, body = get(base + "nope.html", encoding="identity")
    assert status == 404 and body == (site / "404.html").read_bytes()


def test_no_site_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="make book"):
        make_server(tmp_path)
