#!/usr/bin/env python3
"""A VoIP-like UDP flow for the striper benchmark's classes section (striper_bench.py starts both ends, each in its
namespace). The sender sends fixed-size datagrams at a fixed rate, each carrying its sequence number and the sending
time on CLOCK_MONOTONIC, which every network namespace of the host shares; the receiver takes one-way delay from
that stamp and loss from the sequence numbers. Each end prints one JSON object on stdout."""
import argparse
import json
import socket
import struct
import time

STAMP = struct.Struct("!IQ")  # sequence number, send time (ns, CLOCK_MONOTONIC)


def send(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 46 << 2)  # DSCP EF, as a phone would mark it
    padding = bytes(args.size - STAMP.size)
    interval_ns = 1_000_000_000 // args.rate
    count = args.rate * args.seconds
    start = time.monotonic_ns()
    late = 0
    for seq in range(count):
        due = start + seq * interval_ns
        now = time.monotonic_ns()
        if due > now:
            time.sleep((due - now) / 1e9)
        elif now - due > interval_ns:
            late += 1  # the sender itself fell behind (CPU): the packet goes out late, its stamp says when
        sock.sendto(STAMP.pack(seq, time.monotonic_ns()) + padding, (args.host, args.port))
    print(json.dumps({"sent": count, "sent_late": late}), flush=True)


def receive(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind(("0.0.0.0", args.port))
    sock.settimeout(0.2)
    deadline = time.monotonic() + args.seconds
    last = None
    delays, seen, duplicates, malformed = [], set(), 0, 0
    # Listens until the flow has been silent for idle seconds (the sender is done) or the deadline passes.
    while time.monotonic() < deadline and (last is None or time.monotonic() - last < args.idle):
        try:
            data = sock.recv(2048)
        except socket.timeout:
            continue
        now = time.monotonic_ns()
        last = time.monotonic()
        if len(data) < STAMP.size:
            malformed += 1
            continue
        seq, sent = STAMP.unpack_from(data)
        if seq in seen:
            duplicates += 1
            continue
        seen.add(seq)
        delays.append((now - sent) / 1e6)
    delays.sort()

    def percentile(p):
        return round(delays[min(len(delays) - 1, int(p / 100 * len(delays)))], 3) if delays else None

    missing = [seq for seq in range(max(seen) + 1) if seq not in seen][:20] if seen else []
    print(json.dumps({"received": len(seen), "duplicates": duplicates, "malformed": malformed, "missing_first": missing,
                      "delay_ms": {"p50": percentile(50), "p99": percentile(99), "max": round(delays[-1], 3) if delays else None}}),
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "receive"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=10000)
    parser.add_argument("--rate", type=int, default=200, help="packets per second")
    parser.add_argument("--size", type=int, default=160, help="UDP payload bytes")
    parser.add_argument("--seconds", type=int, required=True, help="sender: how long to send; receiver: how long to listen at most")
    parser.add_argument("--idle", type=float, default=3, help="receiver: stop after this long without a packet, once one came")
    args = parser.parse_args()
    send(args) if args.mode == "send" else receive(args)


if __name__ == "__main__":
    main()
