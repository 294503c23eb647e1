#!/usr/bin/env bash
#
# prepare-openssl.sh - make a private OpenSSL installation (a "prefix") from
# Debian's archive, so the project can be built and tested against an OpenSSL
# other than the system's.  The system's OpenSSL and the system's apt state are
# never touched.
#
# Usage:  scripts/prepare-openssl.sh VERSION [CACHE_DIR]
#
#   VERSION    1.1.1   OpenSSL 1.1.1 from Debian bullseye's binary packages
#                      (libssl1.1, libssl-dev, openssl), unpacked with
#                      `dpkg-deb -x` and flattened into the prefix.
#              3.5     OpenSSL 3.5 built from Debian trixie's SOURCE package
#                      (trixie's binaries need a newer glibc than bookworm's).
#              system  nothing to do: the system OpenSSL is used as it is.
#   CACHE_DIR  where prefixes live; default ${SSLFEATURES_CACHE:-$HOME/.cache/sslfeatures}
#
# The prefix is CACHE_DIR/openssl-<exact upstream version>, e.g.
# openssl-1.1.1w or openssl-3.5.7.  It holds:
#   include/openssl/*.h
#   lib/libssl.so, lib/libcrypto.so (+ the versioned libraries)
#   lib/pkgconfig/{openssl,libssl,libcrypto}.pc   (paths point into the prefix)
#   bin/openssl                                   (run it with LD_LIBRARY_PATH=<prefix>/lib)
#   ssl/openssl.cnf
#
# Output contract: the LAST line on stdout is the absolute prefix path; every
# progress or diagnostic message goes to stderr.  For `system` nothing at all
# is printed on stdout.  Typical use:
#   prefix=$(scripts/prepare-openssl.sh 3.5 | tail -n 1)
#   PKG_CONFIG_PATH=$prefix/lib/pkgconfig meson setup build ...
#
# Caching: a prefix is complete only when it contains the marker file
# ($MARKER below), which is written last, inside a temporary directory that is
# then renamed into place; an interrupted run therefore never leaves a half
# prefix behind.  If a complete prefix for VERSION already exists, the script
# prints it and returns at once, without touching the network.  Delete the
# prefix directory to force a rebuild.
#
# How the archive is reached: the archive's address is not written here.  It
# is read from this machine's own apt configuration (deb822 *.sources files and
# one-line *.list / sources.list files): the URI that serves the host release
# (e.g. bookworm) is used for the other Debian release, and the URI that serves
# "<host release>-security", if any, for "<other release>-security".  apt then
# runs with a PRIVATE configuration (its own sources list, lists, cache and an
# empty dpkg status, all inside a temporary work directory), so the system's
# package lists and caches stay as they are.
#
# Requirements: apt-get and dpkg-deb (always on Debian).  Building 3.5 also
# needs dpkg-dev (for `apt-get source`), build-essential and perl; any of those
# that is missing is installed with `apt-get install -y` (root or sudo needed),
# and the script says what it installs.  The 3.5 build uses at most 2 make
# jobs and takes a while on a small machine.

set -euo pipefail

# Keep the real stdout on fd 3 for the final line, and send everything else
# (our messages and the output of every command we run) to stderr.
exec 3>&1 1>&2

readonly MARKER=".sslfeatures-prefix-complete"
readonly PROG="prepare-openssl"

log() { printf '[%s] %s\n' "$PROG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
    sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------

[[ $# -ge 1 && $# -le 2 ]] || usage
VERSION=$1

case "$VERSION" in
    system)
        log "VERSION=system: the system OpenSSL is used as it is; nothing to do."
        exit 0
        ;;
    1.1.1)
        TARGET_CODENAME=bullseye      # Debian release that carries it
        METHOD=debs                   # unpack the binary packages
        # Directory names that count as a prefix of this series.
        PREFIX_RE='^openssl-1\.1\.1[a-z]*$'
        ;;
    3.5)
        TARGET_CODENAME=trixie
        METHOD=source                 # build from the source package
        PREFIX_RE='^openssl-3\.5\.[0-9]+$'
        ;;
    -h|--help)
        usage
        ;;
    *)
        die "unsupported VERSION '$VERSION' (expected 1.1.1, 3.5 or system)"
        ;;
esac

if [[ -z ${HOME:-} ]]; then
    HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
fi
CACHE_DIR=${2:-${SSLFEATURES_CACHE:-$HOME/.cache/sslfeatures}}
mkdir -p "$CACHE_DIR"
CACHE_DIR=$(cd "$CACHE_DIR" && pwd -P)   # absolute, symlinks resolved

# ---------------------------------------------------------------------------
# Cache lookup
# ---------------------------------------------------------------------------

# prefix_is_complete DIR: the marker is there and so are the files the project
# relies on (checked too, so that a hand-damaged prefix is rebuilt).  The
# pkg-config files (and, for a build, RUNPATH and OPENSSLDIR) hold the prefix's
# absolute path, so a prefix that was moved or restored elsewhere (e.g. a CI
# cache under another $HOME) does not count either: it is made anew.
prefix_is_complete() {
    local d=$1 f
    [[ -f $d/$MARKER ]] || return 1
    for f in include/openssl/ssl.h include/openssl/opensslv.h \
             lib/libssl.so lib/libcrypto.so \
             lib/pkgconfig/openssl.pc lib/pkgconfig/libssl.pc \
             lib/pkgconfig/libcrypto.pc bin/openssl; do
        [[ -e $d/$f ]] || return 1
    done
    [[ $(sed -n 's/^prefix=//p' "$d/lib/pkgconfig/openssl.pc") == "$d" ]] || {
        log "ignoring $d: it was made for another path"
        return 1
    }
}

# find_cached: print the newest complete prefix of the requested series, if any.
find_cached() {
    local d name best=""
    shopt -s nullglob
    for d in "$CACHE_DIR"/openssl-*; do
        name=${d##*/}
        [[ $name =~ $PREFIX_RE ]] || continue
        prefix_is_complete "$d" || continue
        # Upstream versions (3.5.6, 3.5.7, 1.1.1w) order correctly with sort -V.
        if [[ -z $best ]] || [[ $(printf '%s\n%s\n' "${best##*/}" "$name" | sort -V | tail -n 1) == "$name" ]]; then
            best=$d
        fi
    done
    shopt -u nullglob
    [[ -n $best ]] && printf '%s\n' "$best"
    return 0
}

cached=$(find_cached)
if [[ -n $cached ]]; then
    log "cache hit: $cached"
    printf '%s\n' "$cached" >&3
    exit 0
fi

# ---------------------------------------------------------------------------
# Locking, work directory, cleanup
# ---------------------------------------------------------------------------

# Serialise concurrent runs on the same cache directory, then look again: a
# run that held the lock may just have produced the prefix.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE_DIR/.prepare-openssl.lock"
    if ! flock -n 9; then
        log "another run holds $CACHE_DIR/.prepare-openssl.lock; waiting for it"
        flock 9
    fi
    cached=$(find_cached)
    if [[ -n $cached ]]; then
        log "cache hit (made by a concurrent run): $cached"
        printf '%s\n' "$cached" >&3
        exit 0
    fi
    # We hold the lock, so any work directory left over is from a run that was
    # killed outright; remove it.
    rm -rf "$CACHE_DIR"/.work-openssl-*
fi

# Everything is made inside WORK, on the same file system as the final prefix
# so that the last step is an atomic rename.
WORK=$(mktemp -d "$CACHE_DIR/.work-openssl-$VERSION.XXXXXX")
cleanup() {
    cd /
    [[ -n ${WORK:-} && -d $WORK ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$SECONDS
elapsed() { printf '%dm%02ds' $(( (SECONDS - START) / 60 )) $(( (SECONDS - START) % 60 )); }

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

# as_root CMD...: run CMD as root (directly, or through sudo when available).
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root to run: $*"
    fi
}

# ensure_packages PKG...: install (on the system, with its own apt) any of the
# given packages that is not installed yet, and say what is installed.
ensure_packages() {
    local pkg missing=()
    for pkg in "$@"; do
        if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) != installed ]]; then
            missing+=("$pkg")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "installing missing build tools on the system: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
        # The system's package lists may be missing or stale: refresh, retry.
        as_root apt-get update
        as_root apt-get install -y --no-install-recommends "${missing[@]}"
    fi
    log "installed: ${missing[*]}"
}

for tool in apt-get apt-cache dpkg-deb dpkg; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found: this script needs a Debian system"
done
if [[ $METHOD == source ]]; then
    ensure_packages dpkg-dev build-essential perl
fi

# ---------------------------------------------------------------------------
# The archive's address, from the machine's own apt configuration
# ---------------------------------------------------------------------------

# The host release's codename (bookworm on Debian 12).
# shellcheck disable=SC1091  # (a system file, not part of the project)
HOST_CODENAME=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
[[ -n $HOST_CODENAME ]] || die "cannot tell the host's Debian codename from /etc/os-release"
ARCH=$(dpkg --print-architecture)

# Where apt reads its sources from (normally /etc/apt/sources.list and
# /etc/apt/sources.list.d/).
eval "$(apt-config shell SYS_SOURCELIST Dir::Etc::sourcelist/f SYS_SOURCEPARTS Dir::Etc::sourceparts/d)"

# Each source entry becomes one line "ROLE|URI|SIGNED_BY|FILE" on stdout
# ("|" rather than a tab, because `read` would merge empty tab-separated fields), where ROLE is "main" for the host release's suite and "security" for
# its security suite.  Other suites (-updates, -backports, other releases) and
# other repositories' suites are ignored.

# classify SUITE: print the role of a suite, or nothing.
classify() {
    case "$1" in
        "$HOST_CODENAME") echo main ;;
        "$HOST_CODENAME-security" | "$HOST_CODENAME/updates") echo security ;;
    esac
}

# entries_deb822 FILE: the entries of a deb822 .sources file.
entries_deb822() {
    local file=$1 types uris suites signed enabled t u s role
    # awk prints one stanza a line: types|uris|suites|signed-by|enabled.
    # Comment lines are dropped.  Continuation lines (leading blank) extend a
    # folded Types/URIs/Suites value; for Signed-By they mean an inline key,
    # which we cannot pass on, so such a Signed-By is dropped (apt's trusted
    # keys are used instead).
    while IFS='|' read -r types uris suites signed enabled; do
        [[ ${enabled,,} == no ]] && continue
        for t in $types; do
            [[ $t == deb || $t == deb-src ]] || continue
            for s in $suites; do
                role=$(classify "$s")
                [[ -n $role ]] || continue
                for u in $uris; do
                    printf '%s|%s|%s|%s\n' "$role" "$u" "$signed" "$file"
                done
            done
        done
    done < <(awk '
        function flush() {
            if (seen) print types "|" uris "|" suites "|" signed "|" enabled
            seen = 0; types = uris = suites = signed = ""; enabled = "yes"; key = ""
        }
        BEGIN { enabled = "yes" }
        /^#/           { next }
        /^[ \t]*$/     { flush(); next }
        /^[ \t]/       {
            if (key == "signed-by") signed = ""
            else if (key == "types") types = types " " $0
            else if (key == "uris") uris = uris " " $0
            else if (key == "suites") suites = suites " " $0
            next
        }
        {
            i = index($0, ":"); if (i == 0) next
            key = tolower(substr($0, 1, i - 1))
            val = substr($0, i + 1); gsub(/^[ \t]+|[ \t]+$/, "", val)
            seen = 1
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "signed-by") signed = val
            else if (key == "enabled") enabled = val
        }
        END { flush() }' "$file")
}

# entries_oneline FILE: the entries of a one-line sources.list style file:
#   deb [ option=value ... ] URI SUITE COMPONENT...
entries_oneline() {
    local file=$1 line type rest opts uri suite o signed role
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%%#*}                       # strip comments
        read -r type rest <<<"$line" || true
        [[ $type == deb || $type == deb-src ]] || continue
        opts=""
        if [[ $rest == \[* ]]; then            # [ options ]
            opts=${rest%%]*}; opts=${opts#[}
            rest=${rest#*]}
        fi
        read -r uri suite _ <<<"$rest" || true
        [[ -n ${uri:-} && -n ${suite:-} ]] || continue
        signed=""
        for o in $opts; do
            [[ ${o,,} == signed-by=* ]] && signed=${o#*=}
        done
        role=$(classify "$suite")
        [[ -n $role ]] || continue
        printf '%s|%s|%s|%s\n' "$role" "$uri" "$signed" "$file"
    done <"$file"
}

all_entries() {
    local f
    [[ -f $SYS_SOURCELIST ]] && entries_oneline "$SYS_SOURCELIST"
    if [[ -d $SYS_SOURCEPARTS ]]; then
        for f in "$SYS_SOURCEPARTS"/*.list; do [[ -f $f ]] && entries_oneline "$f"; done
        for f in "$SYS_SOURCEPARTS"/*.sources; do [[ -f $f ]] && entries_deb822 "$f"; done
    fi
    return 0
}

# pick ROLE: choose the best entry of a role and print "URI|SIGNED_BY".
# Several repositories may name their suite after the release (third-party
# repositories often do), so entries are ranked: +2 when the system's own
# downloaded Release file for that URI says "Origin: Debian", +1 when the entry
# uses Debian's archive keyring or apt's default keys; ties keep file order.
pick() {
    local role=$1 r uri signed file score best="" best_score=-1 suite lists
    lists=$(apt-config shell X Dir::State::lists/d | sed -n "s/^X='\(.*\)'$/\1/p")
    while IFS='|' read -r r uri signed file; do
        [[ $r == "$role" ]] || continue
        [[ $uri == cdrom:* ]] && continue
        score=0
        # apt names list files after the URI: scheme dropped, "/" -> "_".
        for suite in "$HOST_CODENAME" "$HOST_CODENAME-security" "$HOST_CODENAME/updates"; do
            local stem
            stem=$(printf '%s/dists/%s' "${uri#*://}" "$suite" | sed 's|/\+$||; s|//*|/|g; s|/|_|g')
            if grep -qs '^Origin: Debian$' "$lists/${stem}_InRelease" "$lists/${stem}_Release"; then
                score=$((score + 2)); break
            fi
        done
        if [[ -z $signed || $signed == *debian-archive* ]]; then
            score=$((score + 1))
        fi
        if (( score > best_score )); then
            best_score=$score; best="$uri|$signed"
        fi
    done < <(all_entries)
    [[ -n $best ]] && printf '%s\n' "$best"
    return 0
}

IFS='|' read -r MAIN_URI MAIN_SIGNED < <(pick main; echo) || true
IFS='|' read -r SEC_URI SEC_SIGNED < <(pick security; echo) || true
[[ -n ${MAIN_URI:-} ]] || die "no apt source for '$HOST_CODENAME' found in $SYS_SOURCELIST or $SYS_SOURCEPARTS"
log "Debian archive (from the system's apt sources): $MAIN_URI"
if [[ -n ${SEC_URI:-} ]]; then
    log "security archive (from the system's apt sources): $SEC_URI"
else
    log "no security archive in the system's apt sources; using the main archive only"
fi

# ---------------------------------------------------------------------------
# Private apt configuration
# ---------------------------------------------------------------------------

APTDIR=$WORK/apt
mkdir -p "$APTDIR"/{sources.list.d,preferences.d,lists/partial,cache/archives/partial,state}
: >"$APTDIR/status"                 # empty dpkg status: nothing "installed"

# source_line TYPE URI SUITE SIGNED_BY: one private sources.list line.
source_line() {
    local type=$1 uri=$2 suite=$3 signed=$4 opts=""
    [[ $type == deb ]] && opts="arch=$ARCH"
    # signed-by takes a comma-separated list in the one-line format.
    [[ -n $signed ]] && opts="${opts:+$opts }signed-by=${signed//[ ,]/,}"
    printf '%s %s%s %s main\n' "$type" "${opts:+[$opts] }" "$uri" "$suite"
}

APT_TYPE=deb
[[ $METHOD == source ]] && APT_TYPE=deb-src
{
    source_line "$APT_TYPE" "$MAIN_URI" "$TARGET_CODENAME" "${MAIN_SIGNED:-}"
    if [[ -n ${SEC_URI:-} ]]; then
        source_line "$APT_TYPE" "$SEC_URI" "$TARGET_CODENAME-security" "${SEC_SIGNED:-}"
    fi
} >"$APTDIR/sources.list"
log "private apt sources ($APTDIR/sources.list):"
sed 's/^/    /' "$APTDIR/sources.list" >&2

APT_OPTS=(
    -o "Dir::Etc::sourcelist=$APTDIR/sources.list"
    -o "Dir::Etc::sourceparts=$APTDIR/sources.list.d"      # empty
    -o "Dir::Etc::preferences=$APTDIR/preferences"         # no system pins
    -o "Dir::Etc::preferencesparts=$APTDIR/preferences.d"
    -o "Dir::State=$APTDIR/state"
    -o "Dir::State::Lists=$APTDIR/lists"
    -o "Dir::State::status=$APTDIR/status"
    -o "Dir::Cache=$APTDIR/cache"
    -o "Dir::Cache::archives=$APTDIR/cache/archives"
    -o "APT::Architectures=$ARCH"                          # no foreign-arch indexes
    -o "APT::Default-Release="
    -o "Acquire::Languages=none"
)
# apt normally downloads as the unprivileged _apt user, which cannot write
# under e.g. /root/.cache; as root, download as root instead (the files are
# still checked against the signed archive indexes).
[[ $(id -u) -eq 0 ]] && APT_OPTS+=(-o "APT::Sandbox::User=root")

papt_get()   { apt-get "${APT_OPTS[@]}" "$@"; }
papt_cache() { apt-cache "${APT_OPTS[@]}" "$@"; }

log "updating the private package lists for $TARGET_CODENAME"
papt_get -q update

# sort_versions_desc: Debian versions on stdin, newest first (dpkg's ordering,
# which handles "~" and epochs; sort -V does not).
sort_versions_desc() {
    local v sorted=() i j
    while IFS= read -r v; do
        [[ -n $v ]] || continue
        sorted+=("$v")
    done
    # Insertion sort: the lists hold a handful of versions.
    for ((i = 1; i < ${#sorted[@]}; i++)); do
        v=${sorted[i]}; j=$((i - 1))
        while (( j >= 0 )) && dpkg --compare-versions "${sorted[j]}" lt "$v"; do
            sorted[j+1]=${sorted[j]}; j=$((j - 1))
        done
        sorted[j+1]=$v
    done
    ((${#sorted[@]})) && printf '%s\n' "${sorted[@]}" | uniq
    return 0
}

# upstream_of DEBIAN_VERSION: "1:3.5.7-1~deb13u2" -> "3.5.7".
upstream_of() {
    local v=${1#*:}
    printf '%s\n' "${v%-*}"
}

# ---------------------------------------------------------------------------
# Getting the software
# ---------------------------------------------------------------------------

STAGE=$WORK/prefix        # becomes the final prefix by a rename at the end

# set_final: the final prefix path, once the exact upstream version is known.
set_final() {
    FINAL=$CACHE_DIR/openssl-$UPSTREAM
    log "OpenSSL $UPSTREAM (Debian $DEB_VERSION) -> $FINAL"
}

# rewrite_pc FILE PREFIX: point a pkg-config file into PREFIX (flat layout).
rewrite_pc() {
    local pc=$1 prefix=$2 esc
    esc=$(printf '%s' "$prefix" | sed 's/[\\|&]/\\&/g')
    # The ${...} below are pkg-config variables, written literally.
    # shellcheck disable=SC2016
    sed -i -E \
        -e "s|^prefix=.*|prefix=$esc|" \
        -e 's|^exec_prefix=.*|exec_prefix=${prefix}|' \
        -e 's|^libdir=.*|libdir=${exec_prefix}/lib|' \
        -e 's|^includedir=.*|includedir=${prefix}/include|' \
        "$pc"
    grep -q '^prefix=' "$pc" || die "$pc has no prefix= line"
    if grep -nE '(^|[=[:space:]])/usr(/|$)' "$pc" >&2; then
        die "$pc still points into /usr (lines above)"
    fi
}

# from_debs: OpenSSL from the target release's binary packages.
from_debs() {
    local pkgs=(libssl1.1 libssl-dev openssl) series_re='^1\.1\.1' v chosen="" f ma
    local dl=$WORK/debs root=$WORK/root
    mkdir -p "$dl" "$root"

    # Newest version first; fall back to older ones if the mirror lacks a file.
    local versions
    versions=$(papt_cache show "${pkgs[0]}" 2>/dev/null | sed -n 's/^Version: //p' | sort_versions_desc)
    [[ -n $versions ]] || die "no ${pkgs[0]} in $TARGET_CODENAME"
    for v in $versions; do
        [[ $(upstream_of "$v") =~ $series_re ]] || continue
        log "downloading ${pkgs[*]} $v"
        rm -f "$dl"/*.deb
        if (cd "$dl" && papt_get -q download "${pkgs[@]/%/=$v}"); then
            chosen=$v; break
        fi
        log "could not download version $v; trying an older one"
    done
    [[ -n $chosen ]] || die "no downloadable OpenSSL $VERSION packages in $TARGET_CODENAME"
    DEB_VERSION=$chosen
    UPSTREAM=$(upstream_of "$chosen")
    set_final

    for f in "$dl"/*.deb; do
        log "extracting ${f##*/}"
        dpkg-deb -x "$f" "$root"
    done

    # Debian's multiarch directory (x86_64-linux-gnu on amd64): wherever the
    # shared library landed.
    f=$(find "$root/usr/lib" -mindepth 2 -maxdepth 2 -name 'libssl.so.*' -print -quit)
    [[ -n $f ]] || die "libssl.so.* not found in the extracted packages"
    ma=$(basename "$(dirname "$f")")
    log "flattening Debian's multiarch layout ($ma) into the prefix"

    mkdir -p "$STAGE"/{bin,include,lib,ssl}
    mv "$root/usr/include/openssl" "$STAGE/include/openssl"
    # opensslconf.h (and anything else arch-specific) lives in include/<ma>/openssl.
    if [[ -d $root/usr/include/$ma/openssl ]]; then
        for f in "$root/usr/include/$ma/openssl"/*; do
            [[ -e $STAGE/include/openssl/${f##*/} ]] && die "header clash: ${f##*/}"
            mv "$f" "$STAGE/include/openssl/"
        done
    fi
    # Libraries, symlinks, static archives, engines-1.1/, pkgconfig/.
    cp -a "$root/usr/lib/$ma/." "$STAGE/lib/"
    cp -a "$root/usr/bin/." "$STAGE/bin/"
    [[ -f $root/etc/ssl/openssl.cnf ]] && cp "$root/etc/ssl/openssl.cnf" "$STAGE/ssl/openssl.cnf"

    # Symlinks must stay inside the prefix: make absolute ones relative.
    local link target
    while IFS= read -r link; do
        target=$(readlink "$link")
        if [[ $target == /* ]]; then
            ln -sfn "${target##*/}" "$link"
        fi
    done < <(find "$STAGE/lib" -type l)

    for f in "$STAGE"/lib/pkgconfig/*.pc; do
        rewrite_pc "$f" "$FINAL"
    done
}

# from_source: OpenSSL built from the target release's source package.
from_source() {
    local pkg=openssl series_re='^3\.5\.' v chosen="" src jobs
    local srcroot=$WORK/src log=$WORK/build.log
    mkdir -p "$srcroot"

    local versions
    versions=$(papt_cache showsrc --only-source "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort_versions_desc)
    [[ -n $versions ]] || die "no source package '$pkg' in $TARGET_CODENAME"
    for v in $versions; do
        [[ $(upstream_of "$v") =~ $series_re ]] || continue
        log "downloading source package $pkg $v"
        if (cd "$srcroot" && papt_get -q source --download-only "$pkg=$v"); then
            chosen=$v; break
        fi
        log "could not download version $v; trying an older one"
    done
    [[ -n $chosen ]] || die "no downloadable OpenSSL $VERSION source in $TARGET_CODENAME"
    DEB_VERSION=$chosen
    UPSTREAM=$(upstream_of "$chosen")
    set_final

    # Unpack with apt-get source itself (the files are there already, so it
    # only runs dpkg-source -x, which applies Debian's patches: mostly
    # security fixes backported to this upstream release).
    log "unpacking $pkg $chosen (Debian patches applied)"
    (cd "$srcroot" && papt_get -q source "$pkg=$chosen")
    src=$(find "$srcroot" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" -print -quit)
    [[ -n $src && -x $src/Configure ]] || die "unpacked source tree not found in $srcroot"

    jobs=$(nproc 2>/dev/null || echo 1)
    (( jobs > 2 )) && jobs=2

    # run_logged WHAT CMD...: run CMD in the source tree with its output in
    # the build log; on failure show the end of the log.
    run_logged() {
        local what=$1; shift
        log "$what ($(elapsed) so far)"
        if ! (cd "$src" && "$@") >>"$log" 2>&1; then
            tail -n 60 "$log" >&2
            die "$what failed (end of the build log above)"
        fi
    }

    # Shared libraries in <prefix>/lib, config files in <prefix>/ssl, no
    # documentation, no test programs.  The libraries and bin/openssl get a
    # RUNPATH to <prefix>/lib (the way NOTES-UNIX.md recommends), which
    # LD_LIBRARY_PATH still overrides.
    # $(LIBRPATH) is a make variable of OpenSSL's Makefile, written literally.
    # shellcheck disable=SC2016
    run_logged "configuring OpenSSL $UPSTREAM" \
        ./Configure --prefix="$FINAL" --openssldir="$FINAL/ssl" --libdir=lib \
        shared no-docs no-tests '-Wl,--enable-new-dtags,-rpath,$(LIBRPATH)'
    run_logged "building with make -j$jobs (this takes a while)" make -j"$jobs" build_sw
    run_logged "installing into the staging directory" \
        make DESTDIR="$WORK/destdir" install_sw install_ssldirs
    mv "$WORK/destdir$FINAL" "$STAGE"
    log "build done ($(elapsed))"
}

case "$METHOD" in
    debs)   from_debs ;;
    source) from_source ;;
esac

# ---------------------------------------------------------------------------
# Check the staged prefix, mark it complete, move it into place
# ---------------------------------------------------------------------------

# The staged files carry the FINAL path (pkg-config files, OPENSSLDIR), but
# the libraries are found through LD_LIBRARY_PATH here, which takes precedence
# over any RUNPATH.
log "checking the staged prefix"
out=$(LD_LIBRARY_PATH=$STAGE/lib "$STAGE/bin/openssl" version) \
    || die "bin/openssl does not run with LD_LIBRARY_PATH=<prefix>/lib"
log "bin/openssl version: $out"
[[ $out == "OpenSSL $UPSTREAM "* ]] || die "expected OpenSSL $UPSTREAM, bin/openssl says: $out"

# A program compiled against the staged headers and libraries must report the
# same version as the headers (skipped when there is no C compiler, which is
# possible for 1.1.1: it needs no build tools).
if command -v cc >/dev/null 2>&1; then
    cat >"$WORK/check.c" <<'EOF_C'
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
int main(void)
{
    printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
    /* headers and library must agree */
    return strcmp(OpenSSL_version(OPENSSL_VERSION), OPENSSL_VERSION_TEXT) != 0;
}
EOF_C
    cc -o "$WORK/check" "$WORK/check.c" -I"$STAGE/include" -L"$STAGE/lib" -lssl -lcrypto \
        || die "a test program does not compile/link against the staged prefix"
    out=$(LD_LIBRARY_PATH=$STAGE/lib "$WORK/check") \
        || die "test program: library and headers disagree (library says: $out)"
    log "test program linked against the prefix says: $out"
    [[ $out == "OpenSSL $UPSTREAM "* ]] || die "test program reports '$out'"
fi

for f in include/openssl/ssl.h lib/libssl.so lib/libcrypto.so \
         lib/pkgconfig/openssl.pc lib/pkgconfig/libssl.pc lib/pkgconfig/libcrypto.pc bin/openssl; do
    [[ -e $STAGE/$f ]] || die "the staged prefix lacks $f"
done

# The marker is written last: its presence is what makes a prefix complete.
{
    echo "openssl_version=$UPSTREAM"
    echo "debian_version=$DEB_VERSION"
    echo "debian_release=$TARGET_CODENAME"
    echo "method=$METHOD"
    echo "made=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$STAGE/$MARKER"

# A directory already under the final name is not a usable prefix (or the
# cache lookup would have returned it): incomplete, damaged by hand, or made
# for another path.  Replace it.
if [[ -e $FINAL ]]; then
    log "replacing $FINAL (incomplete, or made for another path)"
    rm -rf "$FINAL"
fi
mv -T "$STAGE" "$FINAL"

log "ready: $FINAL ($(elapsed))"
printf '%s\n' "$FINAL" >&3
