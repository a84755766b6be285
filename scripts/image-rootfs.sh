#!/usr/bin/env bash
# The root file system of casq's container image, below the layers Jib adds (the casq jars).
# The image's base is empty (scratch): no registry is needed to build it. This script puts in:
#   /opt/java   a jlink runtime of the JDK that runs the build ($JAVA_HOME), with the modules
#               casq and its storage SDKs use (recompute with:
#               jdeps --multi-release 17 --ignore-missing-deps --print-module-deps casq.jar)
#   /lib, /lib64, /usr/lib   the shared libraries that runtime loads, as ldd finds them on the
#               build machine (glibc, libstdc++, zlib...), and the dynamic loader
#   /etc        passwd/group with the unprivileged user casq (65532), nsswitch.conf
#   /tmp, /var/lib/casq   scratch space, and the home and working directory of the user
# Usage: image-rootfs.sh OUT_DIR
set -euo pipefail
out=${1:?usage: image-rootfs.sh OUT_DIR}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http
modules=$modules,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.net
modules=$modules,jdk.unsupported,jdk.zipfs

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/var/lib/casq"
# --generate-cds-archive: the runtime gets the JDK's class-data-sharing archive (lib/server/
# classes*.jsa), which a plain jlink image lacks, so the broker's JVM maps the JDK classes it
# loads instead of parsing and verifying each at start (a fresh or taking-over broker is warm
# sooner; see docs/operations.md).
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files \
  --no-man-pages --generate-cds-archive --output "$out/opt/java"
# The JDK's trust store may be a link into the build machine's /etc: the image holds a copy.
rm -f "$out/opt/java/lib/security/cacerts"
cp -L "$java_home/lib/security/cacerts" "$out/opt/java/lib/security/cacerts"

# The image is headless: java.desktop is there for java.beans only, so its native windowing,
# sound, font and image libraries go (they would pull in X11, ALSA, FreeType...).
for so in libawt_xawt libsplashscreen libjsound libfontmanager libjavajpeg liblcms libmlib_image; do
  rm -f "$out/opt/java/lib/$so.so"
done

# Every shared library outside the runtime that its programs and libraries load.
{
  find "$out/opt/java/bin" -type f
  find "$out/opt/java/lib" -type f -name '*.so'
} | while read -r f; do
  ldd "$f" 2>/dev/null || true
done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' \
  | grep -v "^$out" | sort -u | while read -r lib; do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
if [ ! -e "$out/lib64/ld-linux-x86-64.so.2" ] && [ -e /lib64/ld-linux-x86-64.so.2 ]; then
  mkdir -p "$out/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"
fi

cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
casq:x:65532:65532:casq:/var/lib/casq:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
casq:x:65532:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$out/etc/nsswitch.conf"
echo "image root file system in $out: $(du -sh "$out" | cut -f1)"
