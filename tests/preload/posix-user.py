# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
"""Python's os.posix_spawn, os.posix_spawnp and subprocess, as programs use
them; the output must be the same with glibc alone and through the shim."""
import os
import signal
import subprocess
import sys
import tempfile


def run(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main():
    tmp = tempfile.mkdtemp()
    out = os.path.join(tmp, "out")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}

    # File actions: open, dup2, close.
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", "echo to-file; echo err >&2"],
                         env, file_actions=[
                             (os.POSIX_SPAWN_OPEN, 1, out,
                              os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                             (os.POSIX_SPAWN_DUP2, 1, 2),
                             (os.POSIX_SPAWN_CLOSE, 0)])
    print("file actions:", run(pid), open(out).read().split())

    # posix_spawnp with PATH search, setsid, setsigmask, setpgroup.
    r, w = os.pipe()
    pid = os.posix_spawnp("sh", ["sh", "-c",
                                 "cut -d' ' -f5,6 /proc/$$/stat;"
                                 "grep -E '^SigBlk' /proc/self/status"],
                          env, setsid=True, setsigmask=[signal.SIGUSR1],
                          file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)])
    os.close(w)
    chunks = []
    while True:         # until EOF: one read may return only part
        chunk = os.read(r, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    text = b"".join(chunks).decode()
    os.close(r)
    ids = text.split("\n")[0].split()
    print("setsid:", ids == [str(pid), str(pid)], text.split("\n")[1])
    print("status:", run(pid))

    pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 5"], env,
                         setpgroup=0, resetids=True,
                         setsigdef=[signal.SIGTERM])
    print("exit:", run(pid))

    for prog in ("/nonexistent/prog", "no-such-program-here"):
        try:
            os.posix_spawnp(prog, [prog], env)
        except OSError as e:
            print("error:", prog, e.errno)

    # subprocess takes the posix_spawn path for these arguments.
    res = subprocess.run(["echo", "from", "subprocess"], close_fds=False,
                         stdout=subprocess.PIPE)
    print("subprocess:", res.returncode, res.stdout.decode().strip())
    res = subprocess.run(["sh", "-c", "exit 9"], close_fds=False)
    print("subprocess exit:", res.returncode)
    print("uses posix_spawn:", subprocess._USE_POSIX_SPAWN)
    os.unlink(out)
    os.rmdir(tmp)
    return 0


sys.exit(main())
