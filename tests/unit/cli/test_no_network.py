"""No command uses the network: nothing in the package imports a network client, and
every command that reads or writes runs with Python's sockets made to fail."""

from __future__ import annotations

import ast
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hud.cli import main

ROOT = Path(__file__).resolve().parents[3]
HAND = ROOT / "tests" / "data" / "images" / "thumbs-up_960x640.jpg"
#: Modules that talk to the network; none belongs in the toolkit or the gestures package.
NETWORK_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "urllib3",
    "requests",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "websocket",
    "websockets",
    "xmlrpc",
    "httpx2",
    "httpcore2",
    "openai",
}
#: The network answer source (issue 9) is the one place that talks to a server, and only
#: when an app or ``hud ask --source openai`` asks it to; ``hud bench`` runs a loopback
#: server (127.0.0.1 only) for it to talk to.
NETWORK_CLIENTS = {
    "hud/answers/openai_source.py",
    "hud/answers/transport.py",
    "hud/bench/answers.py",
}


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_module_imports_a_network_client() -> None:
    offences = [
        f"{path.relative_to(ROOT)}: {name}"
        for package in ("hud", "gestures")
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in NETWORK_MODULES
        and path.relative_to(ROOT).as_posix() not in NETWORK_CLIENTS
    ]
    assert offences == []


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to resolve a name or connect is recorded and refused."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args)[:80])
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_every_command_runs_without_the_network(
    no_sockets: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = tmp_path / "scene.json"
    scene.write_text(
        json.dumps({"version": 1, "profile": "orion", "world": {"width": 64, "height": 48}}),
        encoding="utf-8",
    )
    frames = tmp_path / "frames"
    frames.mkdir()
    shutil.copy(HAND, frames / "a.jpg")
    session = tmp_path / "s.wgs"
    commands = [
        ["profiles", "--json"],
        ["render", str(scene), "--out", str(tmp_path / "o.png")],
        ["show", str(scene), "--headless", "--frames", "1", "--out", str(tmp_path / "f")],
        ["detect", str(HAND), "--json", "--draw", str(tmp_path / "d.png")],
        ["record", "--images", str(frames), "--face", "--out", str(session)],
        ["replay", str(session), "--verify"],
    ]
    for argv in commands:
        assert main(argv) == 0, (argv, capsys.readouterr().err)
    assert no_sockets == []
