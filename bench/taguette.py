"""Taguette as a peer in ``make bench-peers``: its server, and a client that
imports a corpus through the same web API its upload page uses.

Taguette has no command-line import: a user starts its server and uploads
documents in the browser, one request per document
(``POST /api/project/N/document/new``).  The client here does what that page
does, one document after another, after logging in with the server's
single-user link and creating a project.  Each transcript is sent as HTML
(a ``<p>`` per blank-line paragraph): Taguette's fastest path, which skips the
Calibre conversion a ``.txt`` upload needs (Calibre, a desktop application,
is started once per document and is not installed here), so the figures
flatter Taguette.  The server is started, untimed, before each round; what is
timed is the client's run, with the CPU the server spent meanwhile added.

    python bench/taguette.py upload URL LOG DIR   (prints {"documents": n})
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

PEER = "taguette==1.5.2"
_TOKEN = re.compile(r"\?token=([0-9a-f]+)")


def peer_env(root: Path) -> Path:
    """The ``taguette`` command, installed into an environment of its own
    (its SQLAlchemy pin clashes with qualitative-coding's)."""
    from rounds import installed

    return installed(root / "taguette", PEER, "taguette")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A Taguette server on a fresh database, started anew for each round."""

    def __init__(self, command: Path, work: Path) -> None:
        self.command = command
        self.work = work
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = work / "taguette-server.log"

    def restart(self) -> None:
        self.stop()
        self.work.mkdir(parents=True, exist_ok=True)
        db = self.work / "taguette.sqlite3"
        db.unlink(missing_ok=True)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(self.command), "--no-browser", "--dont-set-umask", "--database", str(db),
                 "-b", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not _TOKEN.search(self.log.read_text(encoding="utf-8", errors="replace")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Taguette server did not start (see its log)")
            time.sleep(0.1)

    def cpu(self) -> float:
        """CPU seconds the server has used so far (Linux)."""
        if self.proc is None:
            return 0.0
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def documents(self) -> int:
        import sqlite3

        con = sqlite3.connect(self.work / "taguette.sqlite3")
        try:
            return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            con.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


def _multipart(fields: dict[str, str], filename: str, body: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: text/html\r\n\r\n'.encode()
                 + body + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(url: str, log: Path, folder: Path) -> int:
    """Log in with the single-user link, make a project, upload every transcript."""
    found = _TOKEN.search(log.read_text(encoding="utf-8", errors="replace"))
    if found is None:
        raise SystemExit("no single-user link in the server's log")
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.open(f"{url}/?token={found.group(1)}").read()
    page = opener.open(f"{url}/project/new").read().decode("utf-8")
    xsrf_found = re.search(r'name="_xsrf" value="([^"]+)"', page)
    if xsrf_found is None:
        raise SystemExit("no form token on the new-project page")
    xsrf = xsrf_found.group(1)
    made = opener.open(f"{url}/project/new", urllib.parse.urlencode(
        {"_xsrf": xsrf, "name": "bench", "description": ""}).encode())
    project = re.search(r"/project/(\d+)", made.url)
    if project is None:
        raise SystemExit("the project was not made")
    sent = 0
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        body = "".join(f"<p>{html.escape(p.strip())}</p>\n"
                       for p in text.split("\n\n") if p.strip()).encode("utf-8")
        data, kind = _multipart({"name": path.stem, "description": "", "_xsrf": xsrf},
                                f"{path.stem}.html", body)
        request = urllib.request.Request(
            f"{url}/api/project/{project.group(1)}/document/new", data,
            {"Content-Type": kind, "X-XSRFToken": xsrf})
        json.loads(opener.open(request).read())["created"]
        sent += 1
    return sent


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "upload":
        raise SystemExit(__doc__)
    print(json.dumps({"documents": upload(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))}))
