#!/usr/bin/python3
"""client_hello.py: a real ClientHello (Python's own, as one TLS record) on stdout, with an SNI
that Python itself would refuse to send: any octets, any length.

Usage: client_hello.py [--sni NAME | --sni-hex HEX] [--tls 1.2|1.3]
Without --sni/--sni-hex the ClientHello carries no SNI. The server's answer cannot be completed:
this is for what a server does with the ClientHello alone.
"""
import argparse
import ssl
import sys


def python_hello(version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if version:
        v = ssl.TLSVersion.TLSv1_2 if version == '1.2' else ssl.TLSVersion.TLSv1_3
        ctx.minimum_version = ctx.maximum_version = v
    out = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), out, server_side=False)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def with_sni(record, name):
    """The record with a server_name extension (RFC 6066 §3) for name added to its extensions."""
    body = bytearray(record[5 + 4:])           # the ClientHello after its handshake header
    at = 2 + 32                                # version, random
    at += 1 + body[at]                         # session id
    at += 2 + int.from_bytes(body[at:at + 2], 'big')   # cipher suites
    at += 1 + body[at]                         # compression methods
    ext_len = int.from_bytes(body[at:at + 2], 'big')
    entry = b'\x00' + len(name).to_bytes(2, 'big') + name
    ext = b'\x00\x00' + (len(entry) + 2).to_bytes(2, 'big') + len(entry).to_bytes(2, 'big') + entry
    body[at:at + 2] = (ext_len + len(ext)).to_bytes(2, 'big')
    body[at + 2:at + 2] = ext                  # first: pre_shared_key, were it there, stays last
    hs = b'\x01' + len(body).to_bytes(3, 'big') + bytes(body)
    return record[:3] + len(hs).to_bytes(2, 'big') + hs


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--sni')
    g.add_argument('--sni-hex')
    ap.add_argument('--tls', choices=['1.2', '1.3'])
    a = ap.parse_args()
    record = python_hello(a.tls)
    assert record[0] == 22 and len(record) == 5 + int.from_bytes(record[3:5], 'big'), record[:5]
    name = a.sni.encode() if a.sni else bytes.fromhex(a.sni_hex) if a.sni_hex else None
    sys.stdout.buffer.write(with_sni(record, name) if name is not None else record)


if __name__ == '__main__':
    main()
