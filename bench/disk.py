"""What a file's disk is: the mount it lives on (file system, source), and the block device
under it (rotational or not, write cache, virtual or not) — a journal append waits for fsync,
so its figure depends on all of that."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mount:
    """One line of /proc/self/mountinfo."""

    point: str
    fstype: str
    source: str
    device: str  # "major:minor"


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040 …)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit() and len(field[i + 1:i + 4]) == 3:
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts of a /proc/self/mountinfo text, in order (malformed lines skipped)."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields:
            continue
        dash = fields.index("-")
        if dash < 5 or len(fields) < dash + 3:
            continue
        mounts.append(Mount(_unescape(fields[4]), fields[dash + 1], _unescape(fields[dash + 2]),
                            fields[2]))
    return mounts


def mount_of(path: str, mounts: list[Mount]) -> Mount | None:
    """The mount an absolute, resolved `path` is on: the longest mount point that contains it
    (a whole path component: /tmp holds /tmp/x, not /tmpx); of equal ones the last mounted."""
    best: Mount | None = None
    for mount in mounts:
        point = mount.point.rstrip("/") or "/"
        inside = path == point or point == "/" or path.startswith(point + "/")
        if inside and (best is None or len(point) >= len(best.point.rstrip("/") or "/")):
            best = mount
    return best


@dataclass(frozen=True)
class Disk:
    path: str  # the directory measured
    mount: Mount | None
    block: str | None  # the block device's name (vda, sda, nvme0n1), None for tmpfs and the like
    rotational: bool | None
    write_cache: str | None  # "write back" / "write through"
    virtual: bool  # a virtio/xen device or a device of a virtual machine

    def describe(self) -> str:
        """One sentence for the doc."""
        if self.mount is None:
            return f"`{self.path}`: mount unknown."
        where = (f"`{self.path}` is on `{self.mount.point}`, {self.mount.fstype} on "
                 f"`{self.mount.source}`")
        if self.mount.fstype in ("tmpfs", "ramfs"):
            return where + " — memory, so fsync costs nothing and these figures flatter a disk."
        if self.block is None:
            return where + " (no block device found under it)."
        kind = {True: "rotational (a spinning disk, or a device that says so)",
                False: "not rotational (SSD)", None: "rotational unknown"}[self.rotational]
        parts = [f"block device `{self.block}`, {kind}"]
        if self.write_cache:
            parts.append(f"write cache: {self.write_cache}")
        if self.virtual:
            parts.append("a virtual disk: fsync ends at the hypervisor, whose storage is unknown")
        return where + "; " + ", ".join(parts) + "."


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def describe_disk(directory: str) -> Disk:
    """The disk under `directory` (Linux: /proc/self/mountinfo and /sys/dev/block)."""
    path = os.path.realpath(directory)
    text = _read(Path("/proc/self/mountinfo"))
    mount = mount_of(path, parse_mountinfo(text)) if text else None
    block = rotational = cache = None
    virtual = False
    if mount is not None and not mount.device.startswith("0:"):
        sys_dev = Path("/sys/dev/block") / mount.device
        if sys_dev.exists():
            device = sys_dev.resolve()
            if (device / "partition").exists():  # sda1 → sda
                device = device.parent
            block = device.name
            flag = _read(device / "queue" / "rotational")
            rotational = None if flag is None else flag == "1"
            cache = _read(device / "queue" / "write_cache")
            virtual = any(part.startswith(("virtio", "xen", "vbd")) for part in device.parts)
    return Disk(path, mount, block, rotational, cache, virtual)


def fsync_times(directory: str, count: int = 200, size: int = 4096) -> list[float]:
    """Seconds of `count` fsyncs, each after appending `size` bytes to a new file in
    `directory` (removed afterwards): the disk's own floor under a journal append."""
    times = []
    fd, name = tempfile.mkstemp(prefix="bench-fsync-", dir=directory)
    try:
        block = b"\0" * size
        for _ in range(count):
            os.write(fd, block)
            started = time.perf_counter()
            os.fsync(fd)
            times.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        os.unlink(name)
    return times
