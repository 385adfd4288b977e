#!/usr/bin/env bash
# Scheduled PostgreSQL backups with retention (the `backup` service in compose.yaml).
#
#   backup.sh          every BACKUP_INTERVAL_SECONDS: one dump, then prune; runs until stopped
#   backup.sh --once   one dump, then prune, then exit (0 on success)
#
# Connection: the libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, and the password in
# PGPASSWORD or in the file PGPASSWORD_FILE names (a Docker secret).
# BACKUP_DIR         where dumps go (required)
# BACKUP_KEEP        how many dumps to keep, newest first (default 14); older ones are deleted
# BACKUP_INTERVAL_SECONDS  time between dumps in the loop (default 86400: daily)
# BACKUP_DOCUMENTS_DIR     optional: a folder of stored documents (DOCUMENT_STORAGE=folder),
#                          archived beside each dump and pruned with it
#
# A dump is written to a .partial file and renamed only once pg_dump has succeeded: a failed
# run leaves no file that looks like a backup, and deletes nothing.
set -euo pipefail

BACKUP_KEEP="${BACKUP_KEEP:-14}"
BACKUP_INTERVAL_SECONDS="${BACKUP_INTERVAL_SECONDS:-86400}"

fail() {
  echo "backup: $*" >&2
  exit 2
}

[[ -n "${BACKUP_DIR:-}" ]] || fail "BACKUP_DIR is not set: the folder the dumps go to"
[[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP: expected a whole number of dumps to keep, at least 1; got \"$BACKUP_KEEP\""
[[ "$BACKUP_INTERVAL_SECONDS" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_INTERVAL_SECONDS: expected a whole number of seconds; got \"$BACKUP_INTERVAL_SECONDS\""
if [[ -n "${PGPASSWORD_FILE:-}" ]]; then
  [[ -z "${PGPASSWORD:-}" ]] || fail "PGPASSWORD and PGPASSWORD_FILE are both set; set only one"
  [[ -r "$PGPASSWORD_FILE" ]] || fail "PGPASSWORD_FILE: cannot read \"$PGPASSWORD_FILE\""
  PGPASSWORD="$(cat "$PGPASSWORD_FILE")"
  export PGPASSWORD
fi
mkdir -p "$BACKUP_DIR"

backup_once() {
  local stamp name partial
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  name="dhr-${stamp}"
  partial="$BACKUP_DIR/.${name}.dump.partial"
  if ! pg_dump --format=custom --no-password --file="$partial"; then
    rm -f "$partial"
    echo "backup: pg_dump failed; nothing pruned" >&2
    return 1
  fi
  mv "$partial" "$BACKUP_DIR/${name}.dump"
  if [[ -n "${BACKUP_DOCUMENTS_DIR:-}" ]]; then
    if ! tar -czf "$BACKUP_DIR/.${name}.documents.tar.gz.partial" -C "$BACKUP_DOCUMENTS_DIR" .; then
      rm -f "$BACKUP_DIR/.${name}.documents.tar.gz.partial"
      echo "backup: archiving $BACKUP_DOCUMENTS_DIR failed; nothing pruned" >&2
      return 1
    fi
    mv "$BACKUP_DIR/.${name}.documents.tar.gz.partial" "$BACKUP_DIR/${name}.documents.tar.gz"
  fi
  echo "backup: wrote $BACKUP_DIR/${name}.dump ($(stat -c %s "$BACKUP_DIR/${name}.dump") bytes)"
  prune
}

# Keeps the newest BACKUP_KEEP dumps (their names sort by time) and each one's documents archive.
prune() {
  local dump base
  local -a dumps
  mapfile -t dumps < <(find "$BACKUP_DIR" -maxdepth 1 -type f -name 'dhr-*.dump' -printf '%f\n' | sort -r)
  for dump in "${dumps[@]:$BACKUP_KEEP}"; do
    base="${dump%.dump}"
    rm -f "$BACKUP_DIR/$dump" "$BACKUP_DIR/$base.documents.tar.gz"
    echo "backup: removed $dump (keeping the newest $BACKUP_KEEP)"
  done
}

if [[ "${1:-}" == "--once" ]]; then
  backup_once
  exit $?
fi

trap 'exit 0' TERM INT
while true; do
  backup_once || echo "backup: will try again in ${BACKUP_INTERVAL_SECONDS} s" >&2
  sleep "$BACKUP_INTERVAL_SECONDS" &
  wait $!
done
