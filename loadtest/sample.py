"""Sample RSS and CPU time of the processes under test every few seconds, from /proc (Linux).

Roles: the gunicorn master and its workers, locust, the PostgreSQL backends serving the scratch
database, and the whole machine (pid 0: busy CPU seconds of all CPUs), so the summary can tell
how much CPU went to processes outside the test (other jobs sharing the box).

Usage: python loadtest/sample.py OUT.csv MASTER_PID LOCUST_PID_FILE DBNAME INTERVAL
Runs until the gunicorn master is gone.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def stat(pid: int) -> tuple[int, float, int] | None:
    """(ppid, CPU seconds, RSS kB) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, rss_pages * PAGE_KB


def machine_busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def main() -> None:
    out, master, locust_file, db, interval = (
        sys.argv[1],
        int(sys.argv[2]),
        Path(sys.argv[3]),
        sys.argv[4],
        float(sys.argv[5]),
    )
    marker = f" {db} ".encode()
    with open(out, "w", buffering=1) as csv:
        csv.write("time,pid,role,rss_kb,cpu_s\n")
        while stat(master) is not None:
            now = time.time()
            rows = [(0, "machine", 0, machine_busy())]
            locust = (
                int(locust_file.read_text())
                if locust_file.exists() and locust_file.read_text().strip()
                else None
            )
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                pid = int(entry.name)
                info = stat(pid)
                if info is None:
                    continue
                ppid, cpu, rss = info
                if pid == master:
                    role = "master"
                elif ppid == master:
                    role = "worker"
                elif pid == locust:
                    role = "locust"
                else:
                    try:
                        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    except OSError:
                        continue
                    if not (cmdline.startswith(b"postgres: ") and marker in cmdline):
                        continue
                    role = "postgres"
                rows.append((pid, role, rss, cpu))
            for pid, role, rss, cpu in rows:
                csv.write(f"{now:.1f},{pid},{role},{rss},{cpu:.2f}\n")
            time.sleep(interval)


if __name__ == "__main__":
    main()
