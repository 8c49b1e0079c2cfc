"""A list-then-watch cache (what client-go calls an informer), so probes observe the
cluster from one long-lived watch instead of re-listing it on every sample.

Objects are read as raw JSON (no model deserialisation: a 2,000-pod list stays cheap)
and each is reduced by `summarise` to the little a probe needs. A watch that expires
(HTTP 410) or breaks is re-listed and resumed; while it is broken, or while the API
server has stopped answering (the session's heartbeat; an open watch on a frozen server
just goes quiet), `error` says why, so no probe reports a stale cache as healthy.
Every watch request has a connect timeout and a read timeout longer than the server's
own `timeout_seconds`: a silent connection is dropped and re-established.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kubernetes import watch
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gameday import deadlines
from gameday.errors import TargetError
from gameday.targets.kubernetes.adapter import PAGE, KubernetesSession

T = TypeVar("T")
WATCH_TIMEOUT = 50
"""Seconds a watch request stays open before it is renewed from the last version (the
client's read timeout, `deadlines.watch_read()`, is longer)."""


class ObjectWatch(Generic[T]):
    def __init__(
        self,
        target: KubernetesSession,
        resource: str,
        namespace: str | None,
        lister: Callable[..., Any],
        summarise: Callable[[dict[str, Any]], T],
        **selectors: str,
    ):
        self.target, self.resource, self.namespace = target, resource, namespace
        self.lister, self.summarise, self.selectors = lister, summarise, selectors
        self.objects: dict[str, T] = {}
        self.broken: str | None = None
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.stopped = threading.Event()
        new_watch: Any = watch.Watch  # the client's watch module is untyped
        self.watch: Any = new_watch()
        self.version = self._relist()  # synchronously: the first sample sees real state
        self.thread = threading.Thread(target=self._run, name=f"watch-{resource}", daemon=True)
        self.thread.start()

    @property
    def error(self) -> str | None:
        """Why the cache cannot be trusted now (broken watch, silent API server), or None."""
        return self.broken or self.target.unreachable()

    def snapshot(self) -> list[T]:
        with self.lock:
            return list(self.objects.values())

    def wait_for(self, predicate: Callable[[list[T]], bool], timeout: float) -> bool:
        """Blocks until `predicate(objects)` holds (re-checked on every watch event)."""
        with self.changed:
            return self.changed.wait_for(lambda: predicate(list(self.objects.values())), timeout)

    def close(self) -> None:
        """Stops following; closing the open response ends the request at once."""
        self.stopped.set()
        self.watch.stop()
        response = getattr(self.watch, "_resp", None)
        if response is not None:
            response.close()
        self.thread.join(timeout=2)

    def _relist(self) -> str:
        found: dict[str, T] = {}
        token, version = "", ""
        while True:
            page = self._list_page(token)
            for item in page["items"]:
                found[item["metadata"]["uid"]] = self.summarise(item)
            version = str(page["metadata"].get("resourceVersion", ""))
            token = page["metadata"].get("continue", "")
            if not token:
                break
        with self.lock:
            self.objects = found
            self.changed.notify_all()
        return version

    def _list_page(self, token: str) -> dict[str, Any]:
        def request() -> Any:  # the body is read inside `call`: its timeouts map there
            response = self.lister(
                **self.selectors, limit=PAGE, _continue=token, _preload_content=False
            )
            return response.data

        page: dict[str, Any] = json.loads(
            self.target.call("list", self.resource, self.namespace, request)
        )
        return page

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self._follow()
                self.broken = None
            except (ApiException, TargetError, HTTPError, OSError, ValueError, KeyError) as exc:
                if self.stopped.is_set():
                    return
                gone = isinstance(exc, ApiException) and exc.status == 410
                why = _why(exc, self.target)
                self.broken = None if gone else f"watch of {self.resource} broke: {why}"[:200]
                if not gone:
                    self.stopped.wait(0.5)
                self._relist_until_it_works()

    def _relist_until_it_works(self) -> None:
        """Re-lists until a list succeeds, which clears the error: a watch opened on a
        still-silent server gives no sign when the server comes back, so following
        before a good list would keep a stale error up until that watch expires."""
        while not self.stopped.is_set():
            try:
                self.version = self._relist()
            except (TargetError, OSError, ValueError) as again:
                self.broken = f"cannot list {self.resource}: {_why(again, self.target)}"[:200]
                self.stopped.wait(0.5)
                continue
            self.broken = None
            return

    def _follow(self) -> None:
        """One watch request, applied to the cache event by event, until it times out."""
        self.target.limiter.take()
        events = self.watch.stream(
            self.lister,
            **self.selectors,
            resource_version=self.version,
            timeout_seconds=WATCH_TIMEOUT,
            allow_watch_bookmarks=True,
            deserialize=False,
            _request_timeout=(self.target.connect_timeout, deadlines.watch_read()),
        )
        for line in events:
            self.target.last_answer = time.monotonic()
            event = json.loads(line) if isinstance(line, str | bytes) else line
            kind, obj = event["type"], event["object"]
            if kind == "ERROR":
                raise ApiException(status=obj.get("code"), reason=obj.get("message"))
            self.version = obj["metadata"].get("resourceVersion", self.version)
            if kind == "BOOKMARK":
                continue
            uid = obj["metadata"]["uid"]
            with self.lock:
                if kind == "DELETED":
                    self.objects.pop(uid, None)
                else:
                    self.objects[uid] = self.summarise(obj)
                self.changed.notify_all()
            if self.stopped.is_set():
                return


def _why(exc: BaseException, target: KubernetesSession) -> str:
    """One line: the gameday message, or the connection failure in a few words."""
    if isinstance(exc, TargetError):
        return exc.message
    if isinstance(exc, ApiException):
        return f"HTTP {exc.status} {exc.reason}"
    return target.unreachable_error(exc, "watch").message
