#!/usr/bin/env bash
# Unpack a software Vulkan device (Mesa's lavapipe) into the checkout, so that onnxruntime-node's WebGPU execution
# provider (Dawn on Vulkan) finds an adapter on machines without a GPU, and print the environment that selects it:
#
#   eval "$(bash .ci/software-vulkan.sh)"
#
# Why these packages: Debian bookworm's own Mesa 22.3 lacks the shader*ArrayDynamicIndexing features Dawn requires;
# bookworm-backports' mesa-vulkan-drivers 25.0.7 has them, and it needs backports' libdrm (>= 2.4.121). libvulkan1
# (the loader) is taken from bookworm main so the same loader is used on every machine.
#
# Nothing on the system changes: apt reads a private source list and keeps its lists and downloads under the target
# folder (default .cache/vulkan, which git ignores); `dpkg-deb -x` unpacks without installing. A second call reuses
# the unpacked tree. Progress goes to stderr; stdout carries only the `export` lines.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-"$root/.cache/vulkan"}
mkdir -p "$target"
target=$(cd "$target" && pwd)
tree="$target/root"
libdir="$tree/usr/lib/x86_64-linux-gnu"
stamp="$target/unpacked"
packages=(mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports libvulkan1/bookworm)

log() { echo "software-vulkan: $*" >&2; }

if [ "$(uname -m)" != x86_64 ]; then log "only x86_64 is supported (this is $(uname -m))"; exit 1; fi
for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { log "$tool not found: this script needs a Debian-based machine"; exit 1; }
done

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${packages[*]}" ]; then
  started=$SECONDS
  apt_dir="$target/apt"
  rm -rf "$apt_dir" "$tree"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$tree"
  printf '%s\n' 'deb http://deb.debian.org/debian bookworm main' 'deb http://deb.debian.org/debian bookworm-backports main' > "$apt_dir/sources.list"
  apt_options=(
    -o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o 'Dir::Etc::sourceparts=-'
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Sandbox::User=$(id -un)" -o 'Debug::NoLocking=1' -q
  )
  log "fetching package lists (bookworm, bookworm-backports) into $apt_dir"
  apt-get "${apt_options[@]}" update >&2
  log "downloading ${packages[*]}"
  (cd "$apt_dir/debs" && apt-get "${apt_options[@]}" download "${packages[@]}" >&2)
  for deb in "$apt_dir/debs"/*.deb; do dpkg-deb -x "$deb" "$tree"; done
  # Keep only what lavapipe needs: the other drivers and the downloads and apt lists are ~70 MB of nothing.
  rm -rf "$apt_dir"
  find "$libdir" -maxdepth 1 -name 'libvulkan_*.so' ! -name 'libvulkan_lvp.so' -delete
  echo "${packages[*]}" > "$stamp"
  log "downloaded and unpacked in $((SECONDS - started)) s"
fi

lvp="$libdir/libvulkan_lvp.so"
[ -f "$lvp" ] || { log "$lvp missing after unpacking"; exit 1; }
missing=$(LD_LIBRARY_PATH="$libdir" ldd "$lvp" | awk '/not found/ { print $1 }' | tr '\n' ' ')
if [ -n "$missing" ]; then log "lavapipe needs libraries this machine lacks: $missing"; exit 1; fi

# An ICD file of our own with the library's absolute path: the loader then cannot pick up another lavapipe.
icd="$target/lvp_icd.json"
printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s", "api_version": "1.4.305" } }\n' "$lvp" > "$icd"
mkdir -p "$target/shader-cache"

echo "export VK_ICD_FILENAMES='$icd'"
echo "export LD_LIBRARY_PATH='$libdir'${LD_LIBRARY_PATH:+\":\$LD_LIBRARY_PATH\"}"
# lavapipe compiles each shader with LLVM (10-30 s for a first PP-OCR run); Mesa's cache makes later runs cheap.
echo "export MESA_SHADER_CACHE_DIR='$target/shader-cache'"
