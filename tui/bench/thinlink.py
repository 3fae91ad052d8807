#!/usr/bin/env python3
"""The caseworker's day over a field office's link: `amparo` over SSH through ../shared/tools/thinlink.

What it does (as root, on this machine only):
  1. builds `amparo` and `amparo-api` (debug unless --release);
  2. brings up the emulated link (`thinlink up PROFILE`): namespace amp-cw is the field office
     (10.77.1.1), amp-srv the server side (10.77.1.2);
  3. starts the demo server (temporary SQLite) and an sshd in amp-srv; the client runs there, next
     to the server, as it does when a caseworker logs in over SSH, so only the terminal crosses the
     link;
  4. from amp-cw, runs `ssh -tt ... amparo` inside an 80x24 tmux pane and types a standard task as
     a caseworker would: log in, search, open a case, register a family of three, record a
     specific need and a document on its focal point, quit; plus extra
     navigation keys for enough samples;
  5. for every key, times from `tmux send-keys` until the pane shows its effect (the pane's text
     with attributes, and the cursor, differ from before; for requests, until the pending marker is
     gone and the expected text is there), and reads the link's byte counters around each phase.

Reports keystroke-to-screen p50/p95 per kind of key (navigation, typed character, request) against
the goal for navigation (p95 within one round trip + 150 ms, the round trip measured by TCP connects
over the same link), and the bytes that crossed the link in both directions per phase of the task.

    sudo python3 tui/bench/thinlink.py [--profile sat-geo] [--nav-samples 40] [--release] [--no-compression] [--json F]

Needs tmux, openssh-server (sshd) and openssh-client, iproute2, python3, curl. Every wait is bounded;
the link and the processes are torn down at the end, also on failure.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
THINLINK = os.path.abspath(os.path.join(ROOT, "..", "shared", "tools", "thinlink"))
SERVER_IP, SSH_PORT, API_PORT = "10.77.1.2", 2222, 18493
SESSION = f"amparo-thinlink-{os.getpid()}"
# Markers the client shows while a request is out, in both languages.
PENDING = ("esperando…", "Buscando…", "Cargando…", "Enviando…", "Ingresando…",
           "waiting…", "Searching…", "Loading…", "Sending…", "Logging in…")
# What the screens say when they are there (the header names the screen).
SCREENS = {
    "es": {"login": "Usuario", "work": "Amparo · Mi trabajo", "case": "Amparo · Caso",
           "search": "Amparo · Búsqueda", "results": "Página", "person": "Amparo · Persona",
           "register": "Amparo · Registro", "registered": "Grupo registrado",
           "duplicates": "Posibles duplicados", "need": "Unidad familiar",
           "quit_key": "s salir"},
    "en": {"login": "Username", "work": "Amparo · My work", "case": "Amparo · Case",
           "search": "Amparo · Search", "results": "Page", "person": "Amparo · Individual",
           "register": "Amparo · Registration", "registered": "Group registered",
           "duplicates": "Possible duplicates", "need": "Family unity",
           "quit_key": "y quit"},
}


def sh(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout


def link_bytes():
    """Bytes received and sent by the field office's end of the link."""
    out = sh("ip", "-n", "amp-cw", "-s", "link", "show", "lk0")
    lines = out.splitlines()
    rx = tx = None
    for i, line in enumerate(lines):
        if line.strip().startswith("RX:"):
            rx = int(lines[i + 1].split()[0])
        if line.strip().startswith("TX:"):
            tx = int(lines[i + 1].split()[0])
    return rx, tx


def link_rtt_ms(count):
    """One round trip over the link, measured as TCP connects to sshd from the field office (a
    SYN and its SYN-ACK): the same path the terminal's bytes take, with no tool beyond python."""
    probe = ("import socket,time,statistics\n"
             "r=[]\n"
             f"for _ in range({count}):\n"
             "    t=time.monotonic()\n"
             f"    s=socket.create_connection(('{SERVER_IP}',{SSH_PORT}),timeout=10)\n"
             "    r.append((time.monotonic()-t)*1000); s.close(); time.sleep(0.2)\n"
             "print(' '.join(f'{x:.1f}' for x in r))\n")
    out = sh("ip", "netns", "exec", "amp-cw", "python3", "-c", probe)
    times = [float(x) for x in out.split()]
    return statistics.median(times), times


class Pane:
    def __init__(self):
        self.samples = {"navigation": [], "typed": [], "request": []}
        self.log = []

    def state(self):
        text = sh("tmux", "capture-pane", "-e", "-p", "-t", SESSION)
        cursor = sh("tmux", "display", "-p", "-t", SESSION, "#{cursor_x},#{cursor_y}")
        return text + cursor

    def plain(self):
        return sh("tmux", "capture-pane", "-p", "-t", SESSION)

    def wait_for(self, text, timeout=60.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.plain()
            if text in screen and not any(p in screen for p in PENDING):
                return
            time.sleep(0.02)
        raise SystemExit(f"waited {timeout:.0f} s for {text!r}; the screen:\n{self.plain()}")

    def settle(self, quiet=1.0, timeout=30.0):
        """Waits until the pane has not changed for `quiet` seconds."""
        end = time.monotonic() + timeout
        last, since = self.state(), time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.05)
            now = self.state()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def key(self, kind, *keys, expect=None, literal=False, timeout=20.0):
        """Sends keys and times them until the screen shows their effect: any change for local
        keys; for requests, the answer (no pending marker, and `expect` if given)."""
        before = self.state()
        t0 = time.monotonic()
        sh("tmux", "send-keys", "-t", SESSION, *(("-l",) if literal else ()), *keys)
        end = t0 + timeout
        while time.monotonic() < end:
            now = self.state()
            if now != before:
                if kind != "request":
                    break
                screen = self.plain()
                if (expect or "") in screen and not any(p in screen for p in PENDING):
                    break
            time.sleep(0.005)
        else:
            raise SystemExit(f"no effect of {keys!r} within {timeout:.0f} s:\n{self.plain()}")
        ms = (time.monotonic() - t0) * 1000
        self.samples[kind].append(ms)
        self.log.append((kind, " ".join(keys), round(ms)))
        return ms

    def quiet_keys(self, *keys, literal=False):
        """Keys whose effect is not visible (the password never echoes)."""
        sh("tmux", "send-keys", "-t", SESSION, *(("-l",) if literal else ()), *keys)

    def type(self, text):
        for ch in text:
            self.key("typed", ch, literal=True)


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) + 1)) - 1))
    return s[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="sat-geo")
    ap.add_argument("--nav-samples", type=int, default=40)
    ap.add_argument("--release", action="store_true")
    ap.add_argument("--lang", default="es")
    ap.add_argument("--json")
    # Field offices are told to compress their SSH sessions (README): terminal output is mostly
    # repeated escape sequences and box lines, which zlib shrinks several times over.
    ap.add_argument("--no-compression", action="store_true",
                    help="run ssh without compression (as an unconfigured client would)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces, sshd)")
    for tool in ("tmux", "ssh", "ssh-keygen", "curl"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing")
    if not os.path.exists("/usr/sbin/sshd"):
        raise SystemExit("sshd is missing: apt-get install openssh-server")

    profile = ["--release"] if a.release else []
    subprocess.run(["cargo", "build", "-q", *profile, "-p", "amparo", "-p", "amparo-api"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    bindir = os.path.join(target, "release" if a.release else "debug")

    work = tempfile.mkdtemp(prefix="amparo-thinlink-")
    procs = []

    def cleanup():
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        for p in procs:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run([THINLINK, "down"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        sh(THINLINK, "up", a.profile, "--duration", "1200")
        env = dict(os.environ, AMPARO_LISTEN=f"127.0.0.1:{API_PORT}",
                   AMPARO_DATABASE_URL=f"sqlite://{work}/amparo.db", RUST_LOG="warn")
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", "amp-srv", os.path.join(bindir, "amparo-api"), "serve", "--demo"],
            env=env, stdout=open(f"{work}/server.log", "w"), stderr=subprocess.STDOUT))
        for _ in range(600):
            if subprocess.run(["ip", "netns", "exec", "amp-srv", "curl", "-fs",
                               f"http://127.0.0.1:{API_PORT}/healthz"], capture_output=True).returncode == 0:
                break
            time.sleep(0.5)
        else:
            raise SystemExit("the demo server did not start:\n" + open(f"{work}/server.log").read())

        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{work}/host_key")
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{work}/user_key")
        shutil.copy(f"{work}/user_key.pub", f"{work}/authorized_keys")
        with open(f"{work}/sshd_config", "w") as f:
            f.write(f"ListenAddress {SERVER_IP}\nPort {SSH_PORT}\nHostKey {work}/host_key\n"
                    f"AuthorizedKeysFile {work}/authorized_keys\nPermitRootLogin prohibit-password\n"
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
                    f"StrictModes no\nPidFile {work}/sshd.pid\nAcceptEnv LANG\n")
        os.makedirs("/run/sshd", exist_ok=True)
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", "amp-srv", "/usr/sbin/sshd", "-D", "-e", "-f", f"{work}/sshd_config"],
            stdout=open(f"{work}/sshd.log", "w"), stderr=subprocess.STDOUT))
        time.sleep(1)

        rtt, rtts = link_rtt_ms(15)
        client = (f"LANG=C.UTF-8 {bindir}/amparo --server http://127.0.0.1:{API_PORT} --lang {a.lang}")
        compression = "no" if a.no_compression else "yes"
        ssh = (f"ip netns exec amp-cw ssh -tt -o Compression={compression} -i {work}/user_key -p {SSH_PORT} -o StrictHostKeyChecking=no "
               f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@{SERVER_IP} '{client}'")

        txt = SCREENS[a.lang]
        pane = Pane()
        phases = []
        mark = [link_bytes(), time.monotonic()]

        def phase(name):
            rx, tx = link_bytes()
            now = time.monotonic()
            phases.append({"phase": name, "down_bytes": rx - mark[0][0], "up_bytes": tx - mark[0][1],
                           "seconds": round(now - mark[1], 1)})
            mark[0], mark[1] = (rx, tx), now

        sh("tmux", "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", ssh)
        pane.wait_for(txt["login"], timeout=60)
        pane.settle()
        phase("connect over ssh, first screen (login)")

        pane.type("officer")
        pane.key("navigation", "Tab")
        pane.quiet_keys("amparo-demo", literal=True)
        pane.settle()
        pane.key("request", "Enter", expect=txt["work"])
        pane.settle()
        phase("log in (My work)")

        pane.key("navigation", "/")
        pane.type("garcia")
        pane.key("request", "Enter", expect=txt["results"])
        for _ in range(3):
            pane.key("navigation", "Down")
        pane.key("request", "Enter", expect=txt["person"])
        pane.settle()
        phase("search and open a person")

        pane.key("request", "F4", expect=txt["work"])
        pane.settle()
        pane.key("request", "Enter", expect=txt["case"])
        pane.settle()
        phase("open a case from My work")

        pane.key("navigation", "F3")
        members = [
            ["Mohammed", "Al-Hassan", "M", "1985-03-01", "SYR"],
            ["Fatima", "Al-Hassan", "F", "1990-07-15", "SYR"],
            ["Ali", "Al-Hassan", "M", "2015-01-20", "SYR"],
        ]
        for i, fields in enumerate(members):
            if i > 0:
                pane.key("navigation", "C-n")
                # The relationship is picked from a list filtered by typing (here its code,
                # which the list matches in both languages); the nationality likewise.
                pane.type("spouse" if i == 1 else "son")
                pane.key("navigation", "Tab")
            for j, value in enumerate(fields):
                pane.type(value)
                if j + 1 < len(fields):
                    pane.key("navigation", "Tab")
        pane.key("request", "C-s")
        pane.settle()
        if txt["duplicates"] in pane.plain():
            pane.key("request", "C-s", expect=txt["registered"])
            pane.settle()
        if txt["registered"] not in pane.plain():
            raise SystemExit("the family was not registered:\n" + pane.plain())
        phase("register a family of three")

        # On the focal point: a specific need picked from the list, then a passport.
        pane.key("request", "Enter", expect=txt["person"])
        pane.settle()
        pane.key("navigation", "+")
        pane.type("FU")
        pane.key("request", "C-s", expect=txt["need"])
        pane.settle()
        pane.key("navigation", "d")
        pane.key("navigation", "Tab")
        pane.type("N012345678")
        pane.key("navigation", "Tab")
        pane.type("SYR")
        pane.key("request", "C-s", expect="N012345678")
        pane.settle()
        phase("a specific need and a document")

        # Quitting asks first only when something is unsent or the client runs its own server.
        pane.quiet_keys("C-q")
        time.sleep(1.5)
        try:
            if txt["quit_key"] in pane.plain():
                pane.quiet_keys(txt["quit_key"].split()[0])
        except subprocess.CalledProcessError:
            pass  # the pane closed with the client
        time.sleep(3)
        phase("quit (ssh closes)")
        task = {"down_bytes": sum(p["down_bytes"] for p in phases),
                "up_bytes": sum(p["up_bytes"] for p in phases)}

        # More navigation samples, outside the task's byte count: My work rows and the help.
        # (Quitting closed ssh, and with it the pane's session.)
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        sh("tmux", "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", ssh)
        pane.wait_for(txt["login"], timeout=60)
        pane.settle()
        pane.quiet_keys("officer", literal=True)
        pane.quiet_keys("Tab")
        pane.quiet_keys("amparo-demo", literal=True)
        pane.settle()
        pane.key("request", "Enter", expect=txt["work"])
        pane.settle()
        for i in range(a.nav_samples):
            pane.key("navigation", "Down" if (i // 5) % 2 == 0 else "Up")
            if i % 10 == 9:
                pane.key("navigation", "?")
                pane.key("navigation", "Escape")
        pane.quiet_keys("C-q")

        report = {"profile": a.profile, "rtt_ms_median": rtt, "goal_navigation_p95_ms": rtt + 150,
                  "build": "release" if a.release else "debug", "phases": phases, "task": task,
                  "latency_ms": {k: {"n": len(v), "p50": round(percentile(v, 50)),
                                     "p95": round(percentile(v, 95)), "max": round(max(v))}
                                 for k, v in pane.samples.items() if v},
                  "log": pane.log}
        print(f"\nthin link {a.profile}, ssh compression {compression}: round trip (TCP connect) median {rtt:.0f} ms "
              f"(navigation goal: p95 <= {rtt + 150:.0f} ms)\n")
        print(f"{'keystroke to screen':<24}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for k, v in report["latency_ms"].items():
            print(f"{k:<24}{v['n']:>5}{v['p50']:>9}{v['p95']:>9}{v['max']:>9}")
        print(f"\n{'standard task, bytes on the link':<44}{'down':>9}{'up':>9}{'s':>7}")
        for p in phases:
            print(f"{p['phase']:<44}{p['down_bytes']:>9}{p['up_bytes']:>9}{p['seconds']:>7}")
        print(f"{'total':<44}{task['down_bytes']:>9}{task['up_bytes']:>9}")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(report, f, indent=1)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
