#!/bin/sh
# Writes a default server config on first start (when none is mounted), then runs the command.
set -e
config_dir="${GOCHAT_CONFIG_DIR:-/config}"
default_config="${GOCHAT_DEFAULT_CONFIG:-/app/compose/config/server.json}"
if [ ! -f "$config_dir/server.json" ]; then
  echo "[entrypoint] no $config_dir/server.json: writing the default one (database: the 'mariadb' service)"
  mkdir -p "$config_dir"
  cp "$default_config" "$config_dir/server.json"
  chmod 600 "$config_dir/server.json"
fi
exec "$@"
