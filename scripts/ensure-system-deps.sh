#!/usr/bin/env bash
# Installs what the suite needs from Debian when it is missing (nothing installed by hand survives
# to the next machine). Each step is idempotent and prints what it does.
set -euo pipefail
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# Korean glyphs for the UI's screenshots (the UI speaks Korean; without a font they render as boxes).
dpkg -s fonts-nanum >/dev/null 2>&1 || need_apt+=(fonts-nanum)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "missing Debian packages (${need_apt[*]}) and not root: browser tests will fail" >&2
  fi
fi
# The shared Kubernetes API server (../shared/k8s) is built once per machine; build.sh is idempotent.
if [ -x ../shared/k8s/build.sh ] && [ "${SLUICE_SKIP_K8S_BUILD:-}" != 1 ]; then
  echo "== ensuring the shared kube-apiserver is built (first time on a machine: minutes)"
  ../shared/k8s/build.sh >/tmp/sluice-k8s-build.log 2>&1 || { echo "k8s build failed; see /tmp/sluice-k8s-build.log" >&2; tail -20 /tmp/sluice-k8s-build.log >&2; exit 1; }
fi
