#!/usr/bin/env bash
#
# prepare-openssl.sh - make a private OpenSSL installation (a "prefix") from
# Debian's archive, so the project can be built and tested against an OpenSSL
# other than the system's. The system's OpenSSL and apt state are not touched.
#
# Usage:  scripts/prepare-openssl.sh VERSION [CACHE_DIR]
#
#   VERSION    1.1.1   Debian bullseye's binary packages, unpacked
#              3.5     built from Debian trixie's source package
#              3.6     built from Debian sid's source package
#              4.0     built from Debian experimental's source package
#              system  nothing to do: the system OpenSSL is used as it is
#   CACHE_DIR  default ${SSLFEATURES_CACHE:-$HOME/.cache/sslfeatures}
#
# The prefix is CACHE_DIR/openssl-<exact upstream version> (openssl-3.6.3, ...)
# with include/, lib/ (libssl, libcrypto, pkgconfig/*.pc pointing into the
# prefix), bin/openssl and ssl/openssl.cnf. The LAST line on stdout is its
# path; every message goes to stderr. Typical use:
#   prefix=$(scripts/prepare-openssl.sh 3.6 | tail -n 1)
#   meson setup build-openssl-3.6 -Dopenssl_prefix="$prefix"
#
# Source builds use OpenSSL's upstream configuration defaults (Debian's patches
# are applied by `apt-get source`, its build rules are not used).
#
# Caching: a prefix is complete when it holds the marker file, written last in
# a staging folder that is then renamed into place, so an interrupted run
# leaves nothing half made. A complete prefix is returned at once, offline.
#
# The archive: apt itself says which address serves this machine's Debian
# release (`apt-get indextargets`); that address serves the other suites too.
# apt then runs with a private configuration (its own sources list, lists,
# cache and empty dpkg status in a work folder). When the index names a
# version the pool no longer serves, the next older one is tried.
set -euo pipefail
exec 3>&1 1>&2          # fd 3: the final line; everything else to stderr

readonly MARKER=".sslfeatures-prefix-complete"
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
log() { printf '[prepare-openssl] %s\n' "$*" >&2; }
die() { printf '[prepare-openssl] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '7,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 && $# -le 2 ]] || usage
VERSION=$1
case "$VERSION" in
    system) log "the system OpenSSL is used as it is; nothing to do"; exit 0 ;;
    1.1.1)  SUITES="bullseye bullseye-security"; METHOD=debs ;;
    3.5)    SUITES="trixie trixie-security";     METHOD=source ;;
    3.6)    SUITES="sid";                         METHOD=source ;;
    4.0)    SUITES="experimental";                METHOD=source ;;
    -h|--help) usage ;;
    *) die "unsupported VERSION '$VERSION' (expected 1.1.1, 3.5, 3.6, 4.0 or system)" ;;
esac
SERIES_RE="^${VERSION//./\\.}([a-z]|\\.[0-9]+)?$"    # releases of the series: 1.1.1w, 3.6.3
PREFIX_RE="^openssl-${SERIES_RE#^}"

[[ -n ${HOME:-} ]] || HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
CACHE_DIR=${2:-${SSLFEATURES_CACHE:-$HOME/.cache/sslfeatures}}
mkdir -p "$CACHE_DIR"
CACHE_DIR=$(cd "$CACHE_DIR" && pwd -P)

prefix_is_complete() {
    local d=$1 f
    [[ -f $d/$MARKER ]] || return 1
    for f in include/openssl/ssl.h lib/libssl.so lib/libcrypto.so bin/openssl \
             lib/pkgconfig/openssl.pc lib/pkgconfig/libssl.pc lib/pkgconfig/libcrypto.pc; do
        [[ -e $d/$f ]] || return 1
    done
    # A prefix moved from elsewhere has pkg-config files pointing there.
    [[ $(sed -n 's/^prefix=//p' "$d/lib/pkgconfig/openssl.pc") == "$d" ]]
}

# The newest complete prefix of the series, if any.
find_cached() {
    local d
    for d in $(find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -type d -name 'openssl-*' | sort -rV); do
        [[ ${d##*/} =~ $PREFIX_RE ]] && prefix_is_complete "$d" && { echo "$d"; return 0; }
    done
    return 0
}

cached=$(find_cached)
if [[ -z $cached ]] && command -v flock >/dev/null; then
    exec 9>"$CACHE_DIR/.prepare-openssl.lock"     # one builder at a time
    flock -n 9 || { log "waiting for another run to finish"; flock 9; }
    cached=$(find_cached)
fi
if [[ -n $cached ]]; then
    log "cache hit: $cached"
    echo "$cached" >&3
    exit 0
fi

WORK=$(mktemp -d "$CACHE_DIR/.work-openssl-$VERSION.XXXXXX")
trap 'cd /; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
STAGE=$WORK/prefix
START=$SECONDS
elapsed() { printf '%dm%02ds' $(((SECONDS - START) / 60)) $(((SECONDS - START) % 60)); }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo -n "$@"
    else die "need root to run: $*"; fi
}
ensure_packages() {
    local pkg missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing build tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y --no-install-recommends "${missing[@]}" ||
        { as_root apt-get update && as_root apt-get install -y --no-install-recommends "${missing[@]}"; }
}
[[ $METHOD == source ]] && ensure_packages dpkg-dev build-essential perl debian-archive-keyring

# --- a private apt, pointed at the address that serves this machine --------
HOST=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n $HOST ]] || die "cannot tell this machine's Debian release from /etc/os-release"
archive_for() {        # the URI apt uses for Debian suite $1, if any
    apt-get indextargets --format '$(ORIGIN)|$(CODENAME)|$(REPO_URI)' 2>/dev/null |
        awk -F'|' -v s="$1" '$1 == "Debian" && $2 == s { print $3; exit }'
}
MAIN_URI=$(archive_for "$HOST")
SEC_URI=$(archive_for "$HOST-security")
[[ -n $MAIN_URI ]] || die "apt knows no Debian archive for '$HOST' (run apt-get update?)"
log "Debian archive, as this machine's apt uses it: $MAIN_URI${SEC_URI:+ and $SEC_URI}"

APTDIR=$WORK/apt
mkdir -p "$APTDIR"/{parts,prefs,lists/partial,cache/archives/partial,state}
: >"$APTDIR/status"
TYPE=deb; [[ $METHOD == source ]] && TYPE=deb-src
for suite in $SUITES; do
    uri=$MAIN_URI
    if [[ $suite == *-security ]]; then
        [[ -n $SEC_URI ]] || continue
        uri=$SEC_URI
    fi
    echo "$TYPE [signed-by=$KEYRING] $uri $suite main"
done >"$APTDIR/sources.list"
sed 's/^/    /' "$APTDIR/sources.list" >&2
APT_OPTS=(-o "Dir::Etc::sourcelist=$APTDIR/sources.list" -o "Dir::Etc::sourceparts=$APTDIR/parts"
          -o "Dir::Etc::preferences=$APTDIR/prefs/none" -o "Dir::Etc::preferencesparts=$APTDIR/prefs"
          -o "Dir::State=$APTDIR/state" -o "Dir::State::Lists=$APTDIR/lists"
          -o "Dir::State::status=$APTDIR/status" -o "Dir::Cache=$APTDIR/cache"
          -o "APT::Architectures=$(dpkg --print-architecture)" -o "APT::Default-Release="
          -o "Acquire::Languages=none")
[[ $(id -u) -eq 0 ]] && APT_OPTS+=(-o "APT::Sandbox::User=root")
papt() { apt-get "${APT_OPTS[@]}" "$@"; }
log "updating the private package lists ($SUITES)"
papt -q update

upstream_of() { local v=${1#*:}; echo "${v%-*}"; }

# Debian versions of package $1 in the series, newest first.
candidates() {
    local field=$1 pkg=$2 v
    apt-cache "${APT_OPTS[@]}" "$field" "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -u |
        while read -r v; do [[ $(upstream_of "$v") =~ $SERIES_RE ]] && echo "$v"; done |
        sort -rV
}

# Fetch the newest version whose files the pool actually serves.
fetch_newest() {            # fetch_newest FIELD PACKAGE COMMAND...
    local field=$1 pkg=$2 v; shift 2
    for v in $(candidates "$field" "$pkg"); do
        log "fetching $pkg $v"
        if "$@" "$v"; then DEB_VERSION=$v; UPSTREAM=$(upstream_of "$v"); return 0; fi
        log "$pkg $v could not be fetched (the index can be ahead of the pool); trying an older one"
    done
    die "no fetchable OpenSSL $VERSION in $SUITES"
}

rewrite_pc() {              # make a .pc file point into the final prefix
    sed -i -E -e "s|^prefix=.*|prefix=$FINAL|" -e 's|^exec_prefix=.*|exec_prefix=${prefix}|' \
        -e 's|^libdir=.*|libdir=${exec_prefix}/lib|' -e 's|^includedir=.*|includedir=${prefix}/include|' "$1"
    ! grep -qE '(^|[=[:space:]])/usr(/|$)' "$1" || die "$1 still points into /usr"
}

download_debs() { (cd "$WORK/debs" && rm -f ./*.deb && papt -q download libssl1.1="$1" libssl-dev="$1" openssl="$1"); }
from_debs() {
    local root=$WORK/root f ma link
    mkdir -p "$WORK/debs" "$root" "$STAGE"/{bin,include,lib,ssl}
    fetch_newest show libssl1.1 download_debs
    FINAL=$CACHE_DIR/openssl-$UPSTREAM
    for f in "$WORK"/debs/*.deb; do dpkg-deb -x "$f" "$root"; done
    # Debian's multiarch layout (usr/lib/<triplet>, usr/include/<triplet>) flattened.
    f=$(find "$root/usr/lib" -mindepth 2 -maxdepth 2 -name 'libssl.so.*' -print -quit)
    [[ -n $f ]] || die "libssl.so.* not found in the packages"
    ma=$(basename "$(dirname "$f")")
    mv "$root/usr/include/openssl" "$STAGE/include/openssl"
    [[ -d $root/usr/include/$ma/openssl ]] && mv -n "$root/usr/include/$ma/openssl"/* "$STAGE/include/openssl/"
    cp -a "$root/usr/lib/$ma/." "$STAGE/lib/"
    cp -a "$root/usr/bin/." "$STAGE/bin/"
    [[ -f $root/etc/ssl/openssl.cnf ]] && cp "$root/etc/ssl/openssl.cnf" "$STAGE/ssl/"
    while IFS= read -r link; do             # absolute library links made relative
        f=$(readlink "$link"); [[ $f == /* ]] && ln -sfn "${f##*/}" "$link"
    done < <(find "$STAGE/lib" -type l)
    for f in "$STAGE"/lib/pkgconfig/*.pc; do rewrite_pc "$f"; done
}

download_source() { (cd "$WORK/src" && papt -q source --download-only "openssl=$1"); }
from_source() {
    local src buildlog=$WORK/build.log jobs
    mkdir -p "$WORK/src"
    fetch_newest showsrc openssl download_source
    FINAL=$CACHE_DIR/openssl-$UPSTREAM
    (cd "$WORK/src" && papt -q source "openssl=$DEB_VERSION")   # unpacks, patches applied
    src=$(find "$WORK/src" -mindepth 1 -maxdepth 1 -type d -name 'openssl-*' -print -quit)
    [[ -n $src && -x $src/Configure ]] || die "the unpacked source tree was not found"
    jobs=$(nproc); ((jobs > 2)) && jobs=2
    build_step() {
        log "$1 ($(elapsed) so far)"; shift
        (cd "$src" && "$@") >>"$buildlog" 2>&1 || { tail -n 60 "$buildlog"; die "build failed (log above)"; }
    }
    # Shared libraries with a RUNPATH to <prefix>/lib, as OpenSSL's NOTES-UNIX.md
    # suggests; $(LIBRPATH) is a make variable of OpenSSL's, written literally.
    # shellcheck disable=SC2016
    build_step "configuring OpenSSL $UPSTREAM" ./Configure --prefix="$FINAL" --openssldir="$FINAL/ssl" \
        --libdir=lib shared no-docs no-tests '-Wl,--enable-new-dtags,-rpath,$(LIBRPATH)'
    build_step "building with make -j$jobs (this takes a while)" make -j"$jobs" build_sw
    build_step "installing into the staging folder" make DESTDIR="$WORK/destdir" install_sw install_ssldirs
    rmdir "$STAGE" 2>/dev/null || true
    mv "$WORK/destdir$FINAL" "$STAGE"
}

case $METHOD in debs) from_debs ;; source) from_source ;; esac
log "OpenSSL $UPSTREAM (Debian $DEB_VERSION) built in $(elapsed); checking it"

# bin/openssl and a program built against the staged headers and libraries
# must both report the expected version.
out=$(LD_LIBRARY_PATH=$STAGE/lib "$STAGE/bin/openssl" version) || die "bin/openssl does not run"
[[ $out == "OpenSSL $UPSTREAM "* ]] || die "expected OpenSSL $UPSTREAM, bin/openssl says: $out"
if command -v cc >/dev/null; then
    printf '%s\n' '#include <stdio.h>' '#include <string.h>' '#include <openssl/crypto.h>' \
        'int main(void) { puts(OpenSSL_version(OPENSSL_VERSION));' \
        '  return strcmp(OpenSSL_version(OPENSSL_VERSION), OPENSSL_VERSION_TEXT) != 0; }' >"$WORK/check.c"
    cc -o "$WORK/check" "$WORK/check.c" -I"$STAGE/include" -L"$STAGE/lib" -lcrypto ||
        die "a test program does not build against the staged prefix"
    out=$(LD_LIBRARY_PATH=$STAGE/lib "$WORK/check") || die "headers and library disagree: $out"
    [[ $out == "OpenSSL $UPSTREAM "* ]] || die "the test program reports '$out'"
fi
printf '%s\n' "openssl_version=$UPSTREAM" "debian_version=$DEB_VERSION" "suites=$SUITES" \
    "method=$METHOD" "made=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STAGE/$MARKER"
rm -rf "$FINAL"             # not complete, or the cache lookup had returned it
mv -T "$STAGE" "$FINAL"
prefix_is_complete "$FINAL" || die "$FINAL is incomplete after the move"
log "ready: $FINAL"
echo "$FINAL" >&3
