#!/bin/sh
# Registers the guardpost binary as the native messaging host com.guardpost.host for the current
# user, so that the Guardpost extension can start it. Plain POSIX sh: it runs where bash is absent.
set -eu

HOST_NAME=com.guardpost.host
# The ids the extension pins: its manifest's "key" fixes the Chromium id, and
# browser_specific_settings.gecko.id the Firefox one (docs/extension.md).
DEFAULT_EXTENSION_ID=bodmcpfkdcfbpoidjolkokpljnogfhnh
DEFAULT_GECKO_ID=guardpost@guardpost.invalid

script_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
template_dir=$script_dir/native-messaging

usage() {
  cat <<EOF
usage: $0 [options] GUARDPOST_BINARY
       $0 --uninstall [options]

Writes the native messaging manifest $HOST_NAME.json, which tells a browser where the
guardpost binary is and which extension may start it, into each browser's per-user directory:

  chromium  \${XDG_CONFIG_HOME:-~/.config}/chromium/NativeMessagingHosts
  chrome    \${XDG_CONFIG_HOME:-~/.config}/google-chrome/NativeMessagingHosts
  edge      \${XDG_CONFIG_HOME:-~/.config}/microsoft-edge/NativeMessagingHosts
  firefox   ~/.mozilla/native-messaging-hosts

options:
  --browser NAME       chromium, chrome, edge, firefox or all (may be repeated). Default: all,
                       which means every browser whose configuration directory exists.
  --extension-id ID    Chromium extension id allowed to start the host (may be repeated).
                       Default: $DEFAULT_EXTENSION_ID
  --gecko-id ID        Firefox add-on id allowed to start the host (may be repeated).
                       Default: $DEFAULT_GECKO_ID
  --target-dir DIR     write into DIR instead, e.g. a browser profile started with
                       --user-data-dir=PROFILE takes PROFILE/NativeMessagingHosts. The manifest
                       is Chromium's unless --browser firefox is given.
  --uninstall          remove the manifests instead of writing them
  -n, --dry-run        print what would be done and the manifests, change nothing
  -h, --help           show this help

The manifest holds the binary's absolute path: install it where it will stay first.
EOF
}

die() {
  printf '%s: %s\n' "$0" "$*" >&2
  exit 2
}

browsers=
extension_ids=
gecko_ids=
target_dir=
uninstall=false
dry_run=false
binary=

while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --browser) [ $# -ge 2 ] || die "$1 needs a value"; browsers="$browsers $2"; shift 2 ;;
    --browser=*) browsers="$browsers ${1#*=}"; shift ;;
    --extension-id) [ $# -ge 2 ] || die "$1 needs a value"; extension_ids="$extension_ids $2"; shift 2 ;;
    --extension-id=*) extension_ids="$extension_ids ${1#*=}"; shift ;;
    --gecko-id) [ $# -ge 2 ] || die "$1 needs a value"; gecko_ids="$gecko_ids $2"; shift 2 ;;
    --gecko-id=*) gecko_ids="$gecko_ids ${1#*=}"; shift ;;
    --target-dir) [ $# -ge 2 ] || die "$1 needs a value"; target_dir=$2; shift 2 ;;
    --target-dir=*) target_dir=${1#*=}; shift ;;
    --uninstall) uninstall=true; shift ;;
    -n | --dry-run) dry_run=true; shift ;;
    --) shift; break ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) [ -z "$binary" ] || die "more than one binary given"; binary=$1; shift ;;
  esac
done
if [ $# -gt 0 ]; then
  if [ -n "$binary" ] || [ $# -gt 1 ]; then die "more than one binary given"; fi
  binary=$1
fi

[ -n "$extension_ids" ] || extension_ids=$DEFAULT_EXTENSION_ID
[ -n "$gecko_ids" ] || gecko_ids=$DEFAULT_GECKO_ID
[ -n "$browsers" ] || browsers=all

# Ids end up inside JSON strings and origins: accept only what the browsers accept.
for id in $extension_ids; do
  case $id in
    *[!a-p]* | '') die "extension id '$id' is not 32 letters a-p" ;;
  esac
  [ ${#id} -eq 32 ] || die "extension id '$id' is not 32 letters a-p"
done
for id in $gecko_ids; do
  case $id in
    *[!A-Za-z0-9@._{}+-]* | '') die "gecko id '$id' has characters an add-on id cannot have" ;;
  esac
done

config_home=${XDG_CONFIG_HOME:-${HOME:?HOME is not set}/.config}

# Prints "KIND DIR" for one browser name: KIND is the manifest flavour.
browser_dir() {
  case $1 in
    chromium) echo "chromium $config_home/chromium/NativeMessagingHosts" ;;
    chrome | google-chrome) echo "chromium $config_home/google-chrome/NativeMessagingHosts" ;;
    edge | microsoft-edge) echo "chromium $config_home/microsoft-edge/NativeMessagingHosts" ;;
    firefox) echo "firefox ${HOME:?HOME is not set}/.mozilla/native-messaging-hosts" ;;
    *) die "unknown browser '$1' (chromium, chrome, edge, firefox or all)" ;;
  esac
}

# The (KIND DIR) pairs to act on, one per line.
targets=
add_target() { targets="$targets$1
"; }
if [ -n "$target_dir" ]; then
  kind=chromium
  for b in $browsers; do
    case $b in
      firefox) kind=firefox ;;
      all | chromium | chrome | google-chrome | edge | microsoft-edge) ;;
      *) die "unknown browser '$b'" ;;
    esac
  done
  add_target "$kind $target_dir"
else
  for b in $browsers; do
    if [ "$b" = all ]; then
      # Only browsers this user has run: a manifest for an absent browser is clutter.
      for name in chromium chrome edge firefox; do
        line=$(browser_dir "$name")
        parent=$(dirname -- "${line#* }")
        [ -d "$parent" ] && add_target "$line"
      done
    else
      line=$(browser_dir "$b")
      add_target "$line"
    fi
  done
  [ -n "$targets" ] || die "no browser configuration found under $config_home or ~/.mozilla; name one with --browser"
fi

if [ "$uninstall" = true ]; then
  printf '%s' "$targets" | while read -r kind dir; do
    file=$dir/$HOST_NAME.json
    if [ -e "$file" ]; then
      if [ "$dry_run" = true ]; then echo "would remove $file"; else rm -f -- "$file"; echo "removed $file"; fi
    fi
  done
  exit 0
fi

[ -n "$binary" ] || die "give the guardpost binary to register (see --help)"
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then die "'$binary' is not an executable file"; fi
# Browsers refuse relative paths, and a symlink's target may move; register the real file.
binary_dir=$(CDPATH='' cd -- "$(dirname -- "$binary")" && pwd -P)
binary_path=$binary_dir/$(basename -- "$binary")
newline='
'
case $binary_path in
  *"$newline"* | *'"'* | *\\*) die "the binary's path '$binary_path' cannot go into a manifest; move it" ;;
esac

origins=
for id in $extension_ids; do origins="$origins${origins:+, }\"chrome-extension://$id/\""; done
extensions=
for id in $gecko_ids; do extensions="$extensions${extensions:+, }\"$id\""; done

# Values go through the environment: awk -v would interpret backslashes.
render() {
  GP_PATH=$binary_path GP_ORIGINS=$origins GP_EXTENSIONS=$extensions awk '
    function replace(line, key, value,    out, i) {
      out = ""
      while ((i = index(line, key)) > 0) {
        out = out substr(line, 1, i - 1) value
        line = substr(line, i + length(key))
      }
      return out line
    }
    {
      line = replace($0, "@GUARDPOST_PATH@", ENVIRON["GP_PATH"])
      line = replace(line, "@ALLOWED_ORIGINS@", ENVIRON["GP_ORIGINS"])
      line = replace(line, "@ALLOWED_EXTENSIONS@", ENVIRON["GP_EXTENSIONS"])
      print line
    }' "$template_dir/$HOST_NAME.$1.json.in"
}

printf '%s' "$targets" | while read -r kind dir; do
  file=$dir/$HOST_NAME.json
  if [ "$dry_run" = true ]; then
    echo "would write $file:"
    render "$kind"
    continue
  fi
  mkdir -p -- "$dir"
  # Write beside the target and rename, so that a browser never reads half a manifest.
  tmp=$dir/.$HOST_NAME.json.$$
  render "$kind" >"$tmp"
  chmod 644 "$tmp"
  mv -f -- "$tmp" "$file"
  echo "wrote $file"
done
