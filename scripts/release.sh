#!/usr/bin/env bash
# Release build: a bulkgrant binary that runs on a server with no Swift toolchain, packed with its
# man page, shell completions and the cron/systemd recipes, then checked as a server would see it.
#
#   scripts/release.sh                    # build, pack dist/bulkgrant-VERSION-linux-ARCH.tar.gz, check
#   scripts/release.sh --scratch-path DIR # build folder (.build-release), reused between runs
#   scripts/release.sh --max-binary-mb N  # the size check's limit in MiB (40: the issue's goal)
#
# The first run builds every dependency in release mode: 20-30 minutes on two cores; later runs
# recompile only what changed. It runs under `nice` so interactive builds come first.
#
# What it does:
#   1. stamps the commit: writes Sources/bulkgrant/BuildStamp.swift (git-ignored, deleted on
#      exit) and builds with -D BULKGRANT_STAMPED, so `bulkgrant --version` names the commit
#      ("-dirty" when tracked files differ from it) and no tracked file is rewritten;
#   2. builds the binary in release mode with the Swift runtime and Foundation linked in (the
#      compiler flag --static-swift-stdlib passes), and strips a copy of it;
#   3. runs swift-argument-parser's generate-manual plugin on it: one page, bulkgrant.1, covering
#      every subcommand;
#   4. packs bin/, share/ (man page; bash, zsh and fish completions), examples/ and SHA256SUMS;
#   5. checks the archive and fails loudly: the dynamic dependencies must be the C library, the
#      C++ runtime, zlib and libsqlite3 only (nothing from the toolchain, no libswift*), the
#      binary under --max-binary-mb; then, in a mount namespace where the toolchain is hidden
#      under an empty tmpfs (and /usr/local too, so nothing leaks in), it follows README's install
#      lines literally in an empty folder and runs the installed `bulkgrant`: --version, the
#      sandbox example (295 users granted, then a rerun with no call), the completion scripts,
#      and `man`. Every failed check is listed at the end, and the exit status is 1.
#
# Size: the stripped binary is about 87 MiB, so the 40 MiB goal fails. 32 MiB of it is ICU's
# data (icudt*_dat), which comes with Foundation's internationalisation code: GRDB uses
# DateFormatter, NSRegularExpression and String(format:), so the linker cannot leave it out.
#
# Needs: a Swift 6 toolchain, libsqlite3-dev, binutils (strip, objdump), util-linux (unshare),
# man-db and groff (to render the page), git (for the commit; without it the commit is "unknown").
# The namespace needs root, or unprivileged user namespaces (`unshare -rm`); where neither is
# allowed the script says so and falls back to a clean environment plus LD_DEBUG=libs, which
# proves what the binary loads but not that it starts without the toolchain present.
set -euo pipefail

die() { printf '\nrelease.sh: FAILED: %s\n' "$*" >&2; exit 1; }
step() { printf '\n--- %s\n' "$*"; }

# --- the check that runs inside the mount namespace (the script calls itself) ---------------
if [ "${1:-}" = "--inside-namespace" ]; then
  archive=$2 hide=$3 version=$4 commit=$5 arch=$6 install_lines=$7
  mount -t tmpfs -o size=1m,mode=0755 bulkgrant-hidden "$hide" \
    || die "could not mount a tmpfs over $hide"
  mount -t tmpfs -o mode=0755 bulkgrant-usr-local /usr/local \
    || die "could not mount a tmpfs over /usr/local"
  export PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C MANPAGER=cat MANWIDTH=100
  unset LD_LIBRARY_PATH
  [ -z "$(ls -A "$hide")" ] || die "$hide is not hidden"
  ! command -v swift >/dev/null || die "swift is still on PATH: $(command -v swift)"
  echo "hidden: $hide and /usr/local are empty tmpfs mounts; swift is not on PATH"

  work=$(mktemp -d /tmp/bulkgrant-release-check.XXXXXX)
  cp "$archive" "$work/"
  cd "$work"
  step "README's install lines, literally (in $work)"
  while IFS= read -r line; do
    printf '$ %s\n' "$line"
    eval "$line" </dev/null || die "README install line failed: $line"
  done < "$install_lines"
  cd "$work"
  installed=$(command -v bulkgrant) || die "no bulkgrant on PATH after README's install lines"
  [ "$installed" = /usr/local/bin/bulkgrant ] || die "bulkgrant on PATH is $installed"
  mkdir empty && cd empty

  step "bulkgrant --version"
  got=$(bulkgrant --version) || die "--version failed"
  echo "$got"
  [ "$got" = "$version (commit $commit)" ] || die "--version printed '$got', expected '$version (commit $commit)'"

  step "what the binary loads (LD_DEBUG=libs)"
  loaded=$(LD_DEBUG=libs bulkgrant --version 2>&1 >/dev/null | sed -n 's/.*calling init: //p' | sort -u)
  echo "$loaded"
  ! grep -q -e libswift -e "^$hide" <<<"$loaded" || die "the binary loaded a Swift runtime library"

  step "the sandbox example, from the archive, in an empty folder"
  example="$work/bulkgrant-$version-linux-$arch/examples/hr-export.csv"
  run=(bulkgrant run "$example" --provider google --credential-id demo
       --scope https://www.googleapis.com/auth/calendar --sandbox --json)
  first=$("${run[@]}") || die "the sandbox run exited $?"
  echo "$first"
  grep -q '"granted":295[,}]' <<<"$first" || die "the sandbox run did not grant the 295 users"
  grep -q '"rejected_rows":3[,}]' <<<"$first" || die "the sandbox run did not reject the 3 bad rows"
  again=$("${run[@]}") || die "the rerun exited $?"
  grep -q '"api_calls":0[,}]' <<<"$again" || die "the rerun made calls: $again"
  grep -q '"skipped":295[,}]' <<<"$again" || die "the rerun did not skip the 295 users: $again"
  echo "rerun: 295 skipped, 0 API calls"

  step "completion scripts"
  shipped=/usr/local/share
  for pair in bash:bash-completion/completions/bulkgrant zsh:zsh/site-functions/_bulkgrant \
              fish:fish/vendor_completions.d/bulkgrant.fish; do
    shell=${pair%%:*} file=$shipped/${pair#*:}
    bulkgrant --generate-completion-script "$shell" > "completion.$shell" \
      || die "--generate-completion-script $shell failed"
    grep -q -- "credential-id" "completion.$shell" || die "the $shell completion lacks run's --credential-id"
    cmp -s "completion.$shell" "$file" || die "$file differs from what the binary writes"
    echo "$shell: $(wc -l < "completion.$shell") lines, installed as $file"
  done

  step "man page"
  page=$(man -w bulkgrant) || die "man does not find the installed page"
  echo "man -w bulkgrant: $page"
  text=$(man -l "$page" 2>"$work/man-warnings") || die "man -l $page failed: $(cat "$work/man-warnings")"
  # generate-manual leaves blank lines in long help texts, which groff reports and renders well.
  echo "rendered $(wc -l <<<"$text") lines ($(grep -c 'Empty input line' "$work/man-warnings" || true) groff warnings about blank lines)"
  # Every option `bulkgrant run --help` lists must be an entry of the page's run section.
  run_section=$(awk '/^     run /{p=1; next} p && /^     [a-z]/{exit} p' <<<"$text")
  [ -n "$run_section" ] || die "the rendered man page has no run section"
  options=$(bulkgrant run --help | grep -o -E '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -o -E -- '--[a-z][a-z-]*' | sort -u)
  for option in $options; do
    grep -q -E -- "^ +(-[a-zA-Z], )?$option( |$)" <<<"$run_section" \
      || die "the man page's run section does not document $option"
  done
  echo "its run section documents all $(wc -w <<<"$options") options of 'bulkgrant run --help':"
  grep -E '^ {13}--(provider|credential-id|scope|sandbox|revoke-departed)( |$)' <<<"$run_section" || true
  rm -rf "$work"
  exit 0
fi

# --- options --------------------------------------------------------------------------------
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=.build-release
max_mb=40
while [ $# -gt 0 ]; do
  case "$1" in
    --scratch-path) scratch=$2; shift 2 ;;
    --max-binary-mb) max_mb=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case "$scratch" in .build-*|/*) ;; *) die "--scratch-path must be a .build-NAME folder (git-ignored) or absolute" ;; esac

# --- what it needs --------------------------------------------------------------------------
need() { command -v "$1" >/dev/null || die "$1 is missing: $2"; }
need swift "install a Swift 6 toolchain (https://swift.org/install)"
need strip "apt-get install -y binutils"
need objdump "apt-get install -y binutils"
need unshare "apt-get install -y util-linux"
need man "apt-get install -y man-db groff (the script renders the man page to check it)"
need groff "apt-get install -y groff"
need sha256sum "apt-get install -y coreutils"
[ -e /usr/include/sqlite3.h ] || die "SQLite's headers are missing: apt-get install -y libsqlite3-dev"

swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
toolchain=$(cd "$swift_bin/../.." && pwd)
runtime=$(cd "$swift_bin/../lib/swift" && pwd)
# Hide the whole toolchain when it has its own folder (/opt/swift); only its runtime folder when
# it is installed into /usr.
case "$toolchain" in /|/usr|/usr/local) hide=$runtime ;; *) hide=$toolchain ;; esac

version=$(sed -n 's/^ *public static let current = "\(.*\)"$/\1/p' Sources/NylasAPI/BulkgrantVersion.swift)
[ -n "$version" ] || die "no version in Sources/NylasAPI/BulkgrantVersion.swift"
arch=$(uname -m)
name=bulkgrant-$version-linux-$arch
if git rev-parse --git-dir >/dev/null 2>&1; then
  commit=$(git rev-parse --short=12 HEAD)
  git diff --quiet HEAD -- || commit+=-dirty
  epoch=$(git log -1 --format=%ct HEAD)
else
  commit=unknown
  epoch=$(date +%s)
fi
echo "bulkgrant $version, commit $commit, $arch; toolchain $toolchain; build folder $scratch"

# --- build ----------------------------------------------------------------------------------
stamp=Sources/bulkgrant/BuildStamp.swift
kept=$scratch/BuildStamp.swift
trap 'rm -f "$root/$stamp"' EXIT
stamp_text="// Written by scripts/release.sh for one build and deleted after it (git-ignored).
let stampedCommit = \"$commit\""
# The build folder keeps the stamp, rewritten only when the commit changes, and the source folder
# gets a hard link to it (same inode and time), so a retry at the same commit recompiles nothing.
mkdir -p "$scratch"
[ "$(cat "$kept" 2>/dev/null)" = "$stamp_text" ] || printf '%s\n' "$stamp_text" > "$kept"
ln -f "$kept" "$stamp" 2>/dev/null || cp "$kept" "$stamp"

# `-Xswiftc -static-stdlib` is what `swift build --static-swift-stdlib` adds to every compile and
# link command (the Swift runtime and Foundation linked in). It is spelt this way because the
# generate-manual plugin's build below takes no --static-swift-stdlib (a `swift build` option):
# with identical flags it finds every module up to date instead of recompiling all of them.
flags=(-c release --scratch-path "$scratch" -Xswiftc -static-stdlib -Xswiftc -DBULKGRANT_STAMPED)
step "swift build -c release (Swift runtime linked statically)"
started=$SECONDS
nice -n 10 swift build "${flags[@]}" --product bulkgrant || die "the release build failed"
built=$(swift build "${flags[@]}" --show-bin-path)/bulkgrant
build_seconds=$((SECONDS - started))

step "man page: swift package plugin generate-manual"
# The plugin builds every product with the same flags (bulkgrant is up to date; it adds
# bulkgrant-bench), then runs its generate-manual tool on the binary: one page, bulkgrant.1,
# covering every subcommand.
started=$SECONDS
nice -n 10 swift package "${flags[@]}" plugin generate-manual --date "$(date -u -d "@$epoch" +%F)" \
  || die "the generate-manual plugin failed"
man_dir=$scratch/plugins/GenerateManual/outputs/bulkgrant
[ -s "$man_dir/bulkgrant.1" ] || die "the plugin wrote no $man_dir/bulkgrant.1"
manual_seconds=$((SECONDS - started))

# --- pack -----------------------------------------------------------------------------------
step "pack dist/$name.tar.gz"
stage=$scratch/stage/$name
rm -rf "$scratch/stage" && mkdir -p "$stage"/{bin,share/man/man1,examples/systemd} \
  "$stage"/share/{bash-completion/completions,zsh/site-functions,fish/vendor_completions.d}
strip -o "$stage/bin/bulkgrant" "$built"
cp "$man_dir/bulkgrant.1" "$stage/share/man/man1/"
"$stage/bin/bulkgrant" --generate-completion-script bash > "$stage/share/bash-completion/completions/bulkgrant"
"$stage/bin/bulkgrant" --generate-completion-script zsh > "$stage/share/zsh/site-functions/_bulkgrant"
"$stage/bin/bulkgrant" --generate-completion-script fish > "$stage/share/fish/vendor_completions.d/bulkgrant.fish"
cp examples/crontab examples/hr-export.csv "$stage/examples/"
cp examples/systemd/bulkgrant.service examples/systemd/bulkgrant.timer "$stage/examples/systemd/"
(cd "$stage" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
mkdir -p dist
archive=$root/dist/$name.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$scratch/stage" -cf - "$name" \
  | gzip -n -9 > "$archive"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
tar -tzvf "$archive"

# --- check ----------------------------------------------------------------------------------
# A check that fails is reported at once and the others still run; the script exits 1 at the end.
failures=()
fail() { failures+=("$*"); printf 'release.sh: CHECK FAILED: %s\n' "$*" >&2; }

step "check: size, dynamic dependencies, glibc"
check=$(mktemp -d /tmp/bulkgrant-release.XXXXXX)
trap 'rm -f "$root/$stamp"; rm -rf "$check"' EXIT
tar -xzf "$archive" -C "$check"
binary=$check/$name/bin/bulkgrant
size=$(stat -c %s "$binary")
awk -v b="$size" -v u="$(stat -c %s "$built")" -v a="$(stat -c %s "$archive")" \
  'BEGIN {printf "binary: %d bytes (%.1f MiB; %.1f MiB before strip); archive %.1f MiB\n", b, b/2^20, u/2^20, a/2^20}'
icu=$(nm -S "$built" 2>/dev/null | awk '$4 ~ /^icudt[0-9]+_dat$/ {print $4}')
if [ -n "$icu" ]; then
  icu_bytes=$(( 16#$(nm -S "$built" | awk -v s="$icu" '$4 == s {print $2}') ))
  awk -v s="$icu" -v b="$icu_bytes" 'BEGIN {printf "of which ICU data (%s, linked in with Foundation): %.1f MiB\n", s, b/2^20}'
fi
[ "$size" -lt $((max_mb * 1024 * 1024)) ] || fail "the binary is $size bytes, not under $max_mb MiB (--max-binary-mb)"

deps=$(ldd "$binary") || die "ldd failed on $binary"
echo "ldd:"; sed 's/^/  /' <<<"$deps"
! grep -q -i 'libswift' <<<"$deps" || fail "the binary needs a Swift runtime library"
! grep -q -F "$toolchain/" <<<"$deps" || fail "the binary loads something from the toolchain ($toolchain)"
! grep -q 'not found' <<<"$deps" || fail "a library is not found"
# The C library, the C++ runtime, zlib (Debian's zlib1g is essential) and SQLite: nothing else.
allowed='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|ld-linux[-a-z0-9_.]*\.so\.[0-9]|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1|libsqlite3\.so\.0)$'
while read -r lib _; do
  [[ "$(basename "$lib")" =~ $allowed ]] || fail "unexpected dynamic dependency: $lib"
done <<<"$deps"
runpath=$(objdump -p "$binary" | awk '/RUNPATH|RPATH/ {print $2}')
echo "RUNPATH: ${runpath:-none}"
! grep -q -F "$toolchain" <<<"$runpath" || fail "the RUNPATH names the toolchain: $runpath"
glibc=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -u -V | tail -1)
cxx=$(objdump -T "$binary" | grep -o 'GLIBCXX_[0-9][0-9.]*' | sort -u -V | tail -1 || true)
needs="glibc >= ${glibc#GLIBC_}${cxx:+, libstdc++ with $cxx}; packages libsqlite3-0, zlib1g, libstdc++6, libgcc-s1"
echo "needs: $needs"

step "check: README's install lines and the installed binary, with $hide hidden"
# README's block after the marker; a non-x86_64 build names its own architecture.
install_lines=$check/install-lines.sh
awk '/<!-- scripts\/release.sh runs these install lines -->/ {found=1; next}
     found && /^```sh$/ {inside=1; next} inside && /^```$/ {exit} inside {sub(/ +# .*/, ""); print}' \
  README.md | sed "s/-linux-x86_64/-linux-$arch/g" > "$install_lines"
[ "$(wc -l < "$install_lines")" -eq 2 ] || die "README.md has no two install lines after its marker"
grep -q -F "$name.tar.gz" "$install_lines" || die "README's install lines do not name $name.tar.gz: update them"
if [ "$(id -u)" -eq 0 ]; then unshare_flags=(-m); else unshare_flags=(-r -m); fi
if unshare "${unshare_flags[@]}" --propagation private true 2>/dev/null; then
  unshare "${unshare_flags[@]}" --propagation private bash "$root/scripts/release.sh" --inside-namespace \
    "$archive" "$hide" "$version" "$commit" "$arch" "$install_lines" \
    || fail "the archive does not work with the toolchain hidden (see above)"
  hidden_how="mount namespace (unshare ${unshare_flags[*]}), empty tmpfs over $hide and /usr/local"
else
  echo "WARNING: unshare ${unshare_flags[*]} is not permitted here: the toolchain cannot be hidden."
  echo "         Checking with a clean environment and LD_DEBUG=libs instead (weaker: see --help)."
  loaded=$(env -i PATH=/usr/bin:/bin LD_DEBUG=libs "$binary" --version 2>&1 >/dev/null | sed -n 's/.*calling init: //p')
  echo "$loaded"
  ! grep -q -e libswift -e "^$toolchain/" <<<"$loaded" || fail "the binary loads a Swift runtime library"
  if first=$(cd "$check" && mkdir empty && cd empty && env -i PATH=/usr/bin:/bin "$binary" run \
      "$check/$name/examples/hr-export.csv" --provider google --credential-id demo \
      --scope https://www.googleapis.com/auth/calendar --sandbox --json); then
    echo "$first"
    grep -q '"granted":295[,}]' <<<"$first" || fail "the sandbox run did not grant the 295 users"
  else
    fail "the sandbox run exited $?"
  fi
  hidden_how="NOT hidden (no namespace): clean environment and LD_DEBUG=libs only"
fi

step "summary"
cat <<SUMMARY
archive:  dist/$name.tar.gz  (sha256 in dist/$name.tar.gz.sha256)
binary:   $size bytes, stripped; --version: $version (commit $commit)
needs:    $needs
checked:  $hidden_how
timings:  release build ${build_seconds}s, generate-manual plugin ${manual_seconds}s
SUMMARY
if [ ${#failures[@]} -gt 0 ]; then
  printf '\nrelease.sh: FAILED: %d check(s):\n' "${#failures[@]}" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "all checks passed"
