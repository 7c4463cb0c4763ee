#!/usr/bin/env python3
"""A delay line for the doctor's fault scenarios (docs/doctor.md, "Tested faults"). The build machine's kernel has no
netem, and tbf's latency bounds a queue rather than adding delay, so a path's delay is made in userspace: this process
creates TUN device DEVICE in its namespace, the namespace routes the path's packets into it, and every packet read is
written back to the kernel MILLISECONDS later (the kernel then forwards it on). Constant delay keeps the order, so a
FIFO suffices. Ends when its standard input closes.

usage: delay_line.py DEVICE MILLISECONDS"""
import collections
import fcntl
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    device, delay = sys.argv[1], float(sys.argv[2]) / 1000
    tun = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", device.encode(), IFF_TUN | IFF_NO_PI))
    stdin = sys.stdin.fileno()
    held = collections.deque()
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            try:
                os.write(tun, held.popleft()[1])
            except OSError:
                pass  # the device went down: the packet is lost, as on a cut line
        timeout = held[0][0] - now if held else None
        readable, _, _ = select.select([tun, stdin], [], [], timeout)
        if stdin in readable and not os.read(stdin, 1):
            return
        if tun in readable:
            while True:
                try:
                    packet = os.read(tun, 65536)
                except BlockingIOError:
                    break
                held.append((time.monotonic() + delay, packet))


if __name__ == "__main__":
    main()
