"""The live page's HTTP server: aiohttp on its own event loop in a daemon thread.

aiohttp because it is one well-kept package that serves HTTP and streams Server-Sent
Events on asyncio with no framework around it; the page needs nothing more (uvicorn +
starlette would be two packages for the same). Updates are pushed over SSE (`/events`);
pages never poll.

Two tokens: the observer token reads (page and events); the facilitator token also
answers the runner's questions (`POST /answer`) and adds notes (`POST /note`). A
request with neither is refused (401) before anything is read.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from aiohttp import web

from gameday.live.hub import LiveHub

OBSERVER, FACILITATOR = "observer", "facilitator"
MAX_NOTE = 2000

OnNote = Callable[[str, str], None]


class LiveServer:
    def __init__(self, hub: LiveHub, host: str, port: int, tokens: dict[str, str], on_note: OnNote):
        self.hub, self.host, self.port, self.tokens, self.on_note = hub, host, port, tokens, on_note
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="live-server", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise OSError(f"the live view did not start on {self.host}:{self.port}")
        if self._error is not None:
            raise OSError(f"the live view cannot listen on {self.host}:{self.port}: {self._error}")

    def stop(self) -> None:
        if self._runner is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- the app -----------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application(middlewares=[self._auth], client_max_size=16 * 1024)
        app.add_routes(
            [
                web.get("/", self._page),
                web.get("/events", self._events),
                web.post("/note", self._note),
                web.post("/answer", self._answer),
            ]
        )
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        try:
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, self.host, self.port)
            self._loop.run_until_complete(site.start())
            self.port = int(self._runner.addresses[0][1])  # the real one when 0 was asked
        except OSError as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def _role(self, request: web.Request) -> str | None:
        given = request.query.get("token", "")
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            given = header[7:]
        for role in (FACILITATOR, OBSERVER):
            token = self.tokens.get(role)
            if token and hmac.compare_digest(given.encode(), token.encode()):
                return role
        return None

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/favicon.ico":  # browsers ask without the token; there is none
            return web.Response(status=204)
        role = self._role(request)
        if role is None:
            return web.Response(status=401, text="a token is needed (?token=...)\n")
        if request.method == "POST" and role != FACILITATOR:
            return web.Response(status=403, text="observers may read, not act\n")
        request["role"] = role
        result: web.StreamResponse = await handler(request)
        return result

    async def _page(self, request: web.Request) -> web.Response:
        html = files("gameday.live").joinpath("page.html").read_text(encoding="utf-8")
        html = html.replace("__ROLE__", request["role"])
        return web.Response(
            text=html,
            content_type="text/html",
            headers={
                "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; connect-src 'self'",
                "Cache-Control": "no-store",
            },
        )

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        loop = asyncio.get_running_loop()

        def deliver(event: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(_offer, queue, event)

        stop = self.hub.listen(deliver)
        try:
            await response.write(_sse(self.hub.snapshot()))
            while True:
                event = await queue.get()
                await response.write(_sse(event))
                if event.get("type") == "closed":
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            stop()
        return response

    async def _note(self, request: web.Request) -> web.Response:
        body = await _json(request)
        text, author = str(body.get("text", "")).strip(), str(body.get("author", "")).strip()
        if not text or not author:
            return web.json_response({"error": "a note needs `text` and `author`"}, status=400)
        await asyncio.to_thread(self.on_note, author[:100], text[:MAX_NOTE])
        return web.json_response({"ok": True})

    async def _answer(self, request: web.Request) -> web.Response:
        body = await _json(request)
        author = str(body.get("author", "")).strip()[:100]
        if (
            not author
            or not isinstance(body.get("id"), int)
            or not isinstance(body.get("go"), bool)
        ):
            return web.json_response(
                {"error": "an answer needs `id`, `go` and `author`"}, status=400
            )
        if not self.hub.answer(body["id"], body["go"], author):
            return web.json_response({"error": "that question is not open"}, status=409)
        return web.json_response({"ok": True})


def _offer(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    if queue.full():  # a page that stopped reading: drop the oldest, never block the runner
        queue.get_nowait()
    queue.put_nowait(event)


def _sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, default=str)}\n\n".encode()


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
