#!/bin/sh
# Install the system libraries Waveglass needs, where we can: Debian/Ubuntu, as root or
# with password-less sudo. Idempotent: only missing packages are installed. Elsewhere it
# prints what to install and carries on (the tests then say what is missing), except
# under CI, where a missing package is an error.
set -u
PKGS="python3-venv libegl1 libgl1 libgl1-mesa-dri libegl-mesa0 libglib2.0-0 libfreetype6 libfontconfig1 xvfb xauth xdotool"

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: not a Debian/Ubuntu system; make sure OpenGL 3.3 (EGL or a window system) is available"
    exit 0
fi
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "setup: missing system packages:$missing"
    echo "setup: install them with: sudo apt-get install$missing"
    # In CI a missing package must fail the run, not turn into skipped tests.
    [ -n "${CI:-}" ] && exit 1
    exit 0
fi
echo "setup: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || { echo "setup: apt-get install failed for:$missing"; exit 1; }
