"""Wall time and peak memory of one block of work (an epoch), for the end-to-end vs local comparison.

On CUDA the peak is ``torch.cuda.max_memory_allocated`` above what was allocated at the start.
On CPU it is the growth of the process's peak resident set size (RSS): on Linux the kernel's
high-water mark ``VmHWM`` is reset through ``/proc/self/clear_refs`` and freed heap pages are handed
back first (glibc ``malloc_trim``), so the number is this block's own peak; elsewhere a thread
samples the RSS with psutil every few milliseconds. ``measure`` names which one was used.
"""

from __future__ import annotations

import ctypes
import gc
import re
import threading
import time
from pathlib import Path

import torch

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field: str) -> int:
    m = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    if m is None:
        raise OSError(f"{field} not in {_STATUS}")
    return int(m.group(1))


def _trim_heap() -> None:
    """Give freed heap memory back to the OS (glibc only) so later growth shows in the RSS."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _can_reset_hwm() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
        _status_kb("VmHWM")
        return True
    except OSError:
        return False


class _RssSampler(threading.Thread):
    """Polls the RSS (psutil) until stopped; keeps the maximum."""

    def __init__(self, period: float = 0.002) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc, self.period, self.peak = psutil.Process(), period, 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self.stop_event.wait(self.period)


class ResourceMeter:
    """``with ResourceMeter(device) as m: ...`` then ``m.seconds``, ``m.peak_mem_mb``, ``m.measure``."""

    def __init__(self, device: torch.device) -> None:
        self.device = torch.device(device)
        self.seconds = 0.0
        self.peak_mem_mb = 0.0
        self.measure = ""
        self._sampler: _RssSampler | None = None

    def __enter__(self) -> "ResourceMeter":
        gc.collect()
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self._base = torch.cuda.memory_allocated(self.device)
            self.measure = "cuda_max_allocated"
        else:
            _trim_heap()
            if _can_reset_hwm():
                self._base = _status_kb("VmRSS") * 1024
                self.measure = "peak_rss_delta (VmHWM)"
            else:
                self._sampler = _RssSampler()
                self._base = self._sampler.proc.memory_info().rss
                self._sampler.start()
                self.measure = "peak_rss_delta (sampled)"
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.seconds = time.perf_counter() - self._start
        if self.device.type == "cuda":
            peak = torch.cuda.max_memory_allocated(self.device)
        elif self._sampler is not None:
            self._sampler.stop_event.set()
            self._sampler.join()
            peak = self._sampler.peak
        else:
            peak = _status_kb("VmHWM") * 1024
        self.peak_mem_mb = max(0, peak - self._base) / 2**20
