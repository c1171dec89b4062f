"""The allocator half of ConvMixer.Core's CpuTuning, for the PyTorch side of the benchmarks, so both sides run with
the same malloc settings. CONVMIXER_CPU_TUNING=off switches it off on both sides.

glibc's malloc serves large blocks with fresh mmaps and returns freed memory above its trim threshold to the kernel,
so every step re-faults its activations page by page. Raising M_MMAP_THRESHOLD (-3) and M_TRIM_THRESHOLD (-1) to
1 GiB keeps freed blocks in the heap for the next step; M_ARENA_MAX (-8) = 1 keeps threads other than the main one
out of 64 MB per-thread heaps, where larger tensors would be mapped afresh anyway. (The kernel half of CpuTuning, ATEN_CPU_CAPABILITY=avx512,
does not apply: Debian's PyTorch 1.13 has no AVX-512 kernels.)
"""
import ctypes
import os

THRESHOLD = 1 << 30


def apply():
    """Applies the allocator settings unless CONVMIXER_CPU_TUNING=off; returns a description for the log."""
    if os.environ.get("CONVMIXER_CPU_TUNING", "").lower() == "off":
        return "allocator: system default (CONVMIXER_CPU_TUNING=off)"
    libc = ctypes.CDLL("libc.so.6")
    if libc.mallopt(-3, THRESHOLD) != 1 or libc.mallopt(-1, THRESHOLD) != 1 or libc.mallopt(-8, 1) != 1:
        raise RuntimeError("glibc's mallopt refused the settings")
    return "allocator: keeps freed memory"
