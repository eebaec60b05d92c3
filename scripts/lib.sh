# Shared by scripts/dev and scripts/test. Installs what a fresh machine lacks from Debian's
# packages when run as root; otherwise says what to install and stops.

PYTHON="${PYTHON:-python3}"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "Please install: $* (Debian/Ubuntu: sudo apt-get install $*)" >&2
    exit 1
  fi
  say "Installing $* from Debian's packages"
  if [ -z "${_APT_UPDATED:-}" ]; then
    apt-get update -qq
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_venv() {
  if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    echo "Studyhall needs Python 3.11 or newer as $PYTHON (set PYTHON=… to choose one)." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv
      "$PYTHON" -m venv .venv
    fi
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  fi
}
